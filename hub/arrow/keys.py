"""What the runtime takes out of a batch besides values: record keys and destination topics."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from hub.arrow.columns import column_at
from hub.arrow.encode import text_column
from hub.sdk import KEY_COLUMN, TOPIC_COLUMN
from hub.transforms.errors import RowsFailed


def keys_from_column(table: pa.Table, column: str) -> list[bytes | None]:
    """Field ``column`` of each row as a key: a string's UTF-8 text, other values' JSON text,
    ``None`` for null or when the table has no such field (the rule of ``hub produce
    --key-field``). ``column`` may be a dotted path into struct fields."""
    values = column_at(table, column)
    if values is None:
        return [None] * table.num_rows
    return key_bytes(values)


def split_reserved(
    table: pa.Table, default_topic: str | None = None
) -> tuple[pa.Table, list[bytes | None] | None, list[str] | None]:
    """``table`` without ``KEY_COLUMN`` and ``TOPIC_COLUMN``, and their values if present.

    Keys are bytes (strings as UTF-8, other values as JSON text); a null key is ``None``. A
    null topic (a row a conditional ``route`` left alone) is ``default_topic``; without one,
    such rows cannot be routed and ``RowsFailed`` names them.
    """
    keys = topics = None
    names = table.column_names
    if KEY_COLUMN in names:
        keys = key_bytes(table.column(KEY_COLUMN))
    if TOPIC_COLUMN in names:
        column = table.column(TOPIC_COLUMN)
        if column.null_count and default_topic is not None:
            column = pc.fill_null(pc.cast(column, pa.string()), default_topic)
        elif column.null_count:
            rows = pc.indices_nonzero(column.is_null()).to_pylist()
            raise RowsFailed(rows, f"{len(rows)} row(s) have no topic in {TOPIC_COLUMN}")
        topics = text_column(column).to_pylist()
    dropped = [name for name in (KEY_COLUMN, TOPIC_COLUMN) if name in names]
    return (table.drop_columns(dropped) if dropped else table), keys, topics


def key_bytes(column: pa.Array | pa.ChunkedArray) -> list[bytes | None]:
    """Keys from a column: bytes and strings as they are, other values as their text."""
    type_ = column.type
    raw = (
        pa.types.is_binary,
        pa.types.is_large_binary,
        pa.types.is_string,
        pa.types.is_large_string,
    )
    if not any(test(type_) for test in raw):
        column = text_column(column)
    return pc.cast(column, pa.binary()).to_pylist()
