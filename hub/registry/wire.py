"""The Confluent wire format: byte 0, the schema id as 4 big-endian bytes, then the JSON value.

Values of topics with a schema carry it so that Confluent's deserializers read them unchanged;
values without the magic byte are plain JSON (a JSON text never starts with byte 0).
"""

from __future__ import annotations

from collections.abc import Sequence

MAGIC = 0
HEADER_SIZE = 5
_MAX_ID = (1 << 31) - 1


def header(schema_id: int) -> bytes:
    """The 5-byte prefix for values written with ``schema_id``."""
    if not 0 <= schema_id <= _MAX_ID:
        raise ValueError(f"schema id {schema_id} does not fit the wire format's 4 bytes")
    return bytes((MAGIC,)) + schema_id.to_bytes(4, "big")


def frame(schema_id: int, values: Sequence[bytes | None]) -> list[bytes | None]:
    """Prefix every value (tombstones stay None) with the schema id."""
    prefix = header(schema_id)
    return [None if value is None else prefix + value for value in values]


def schema_id_of(value: bytes | None) -> int | None:
    """The schema id a value was written with, or None for plain JSON and tombstones."""
    if value is None or len(value) < HEADER_SIZE or value[0] != MAGIC:
        return None
    return int.from_bytes(value[1:HEADER_SIZE], "big")


def unframe(value: bytes) -> bytes:
    """The JSON payload of a value, with or without the wire-format prefix."""
    return value[HEADER_SIZE:] if value[:1] == b"\x00" else value
