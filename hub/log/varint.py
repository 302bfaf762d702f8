"""Kafka's zigzag varints, and the tables that keep the record codec's hot loops to look-ups.

Every varint of a RecordBatch v2 record (lengths, deltas, counts) is zigzag-encoded, as in
Kafka's ``ByteUtils.writeVarint``. Small values come pre-encoded from ``VARINTS``; a plain
record's fixed part (attributes, timestamp delta, offset delta, null key) from ``PLAIN_HEAD``.
"""

from __future__ import annotations


def zigzag_varint(value: int) -> bytes:
    """Kafka's zigzag varint (varlong when needed) of ``value``."""
    zigzag = (value << 1) ^ (value >> 63)
    out = bytearray()
    while zigzag >= 0x80:
        out.append((zigzag & 0x7F) | 0x80)
        zigzag >>= 7
    out.append(zigzag)
    return bytes(out)


TABLE_SIZE = 1 << 14
# Encoded varints of 0 .. 16383: covers offset deltas and record/value lengths of usual batches.
VARINTS = tuple(zigzag_varint(n) for n in range(TABLE_SIZE))
NULL_LENGTH = zigzag_varint(-1)  # length of a null key or value
NO_HEADERS = b"\x00"
# A plain record is ``length | head | valueLength | value | 0 (no headers)``, where head (by
# offset delta) is: attributes 0, timestamp delta 0, the offset delta, a null key.
PLAIN_HEAD = tuple(b"\x00\x00" + v + NULL_LENGTH for v in VARINTS)
PLAIN_FIXED = tuple(len(h) + 1 for h in PLAIN_HEAD)  # head and header count


def _size_by_span() -> tuple[int, ...]:
    """By ``n``: the size of a value whose length varint and bytes take n bytes (-1: none)."""
    table = [-1] * TABLE_SIZE
    for size, encoded in enumerate(VARINTS):
        span = size + len(encoded)
        if span < TABLE_SIZE:
            table[span] = size
    return tuple(table)


SIZE_BY_SPAN = _size_by_span()


def varint(value: int) -> bytes:
    """Zigzag varint of ``value``, from the table when small."""
    if 0 <= value < TABLE_SIZE:
        return VARINTS[value]
    return zigzag_varint(value)


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """Decode the zigzag varint at ``pos``; return (value, position after it)."""
    byte = data[pos]
    if byte < 0x80:  # one or two bytes, the usual sizes, without the loop
        return (byte >> 1) ^ -(byte & 1), pos + 1
    zigzag = (byte & 0x7F) | (data[pos + 1] << 7)
    if zigzag < 0x4000:
        return (zigzag >> 1) ^ -(zigzag & 1), pos + 2
    result = 0
    shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return (result >> 1) ^ -(result & 1), pos
        shift += 7
        if shift > 63:
            raise ValueError("varint longer than 10 bytes")
