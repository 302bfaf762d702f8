"""Records without headers to and from Arrow arrays, by numpy and Arrow kernels: no Python per
record.

Such a record (the batch's one timestamp, no headers, a value; a key or not) is, in a
RecordBatch v2::

    length | 0 (attributes) | 0 (timestamp delta) | offsetDelta | keyLength | key
    | valueLength | value | 0 (header count)

Everything but the key and value bytes follows from their sizes and the record's place, so
encoding is arithmetic on arrays of sizes plus one ``binary_join_element_wise`` that lays heads,
keys, values and trailers end to end. Decoding has to find where each record starts, which is a
chain (each record's length says where the next begins): every byte position that could start
a record is found at once, each candidate's successor computed, and the chain from the first
record followed by pointer doubling in ``log2(count)`` array steps. Each field is then checked
as the general decoder would read it (offset deltas in sequence, lengths that end each record
on its trailer), so a decode returns exactly what the general decoder would, or ``None`` and
leaves the batch to it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.arrow.value_array import array_bytes, value_sizes

_TRAILER = pa.scalar(b"\x00", pa.binary())
_NOTHING = pa.scalar(b"", pa.binary())
_NULL = pa.scalar(None, pa.binary())


def encode_plain_values(values: pa.Array, start: int = 0, keys: pa.Array | None = None) -> bytes:
    """The records section for ``values`` (binary or string, no nulls) and ``keys`` (binary,
    nulls allowed; none at all when not given) at offset deltas ``start``...: equal, byte for
    byte, to what the per-record encoder writes."""
    count = len(values)
    if values.null_count:
        raise ValueError("plain records have no null values")
    if keys is not None and len(keys) != count:
        raise ValueError(f"{len(keys)} keys given for {count} values; give one per value")
    heads, head_offsets, mids, mid_offsets = _heads(value_sizes(values), start, keys)
    if keys is None or mids is None or mid_offsets is None:
        joined = pc.binary_join_element_wise(
            _binary_array(heads, head_offsets), _binary(values), _TRAILER, _NOTHING
        )
        return array_bytes(joined)
    parts = (
        _binary_array(heads, head_offsets),
        pc.fill_null(_binary(keys), _NOTHING),
        _binary_array(mids, mid_offsets),
        _binary(values),
        _TRAILER,
    )
    return array_bytes(pc.binary_join_element_wise(*parts, _NOTHING))


def _binary_array(data: np.ndarray, offsets: np.ndarray) -> pa.Array:
    return pa.Array.from_buffers(
        pa.binary(),
        len(offsets) - 1,
        [None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data)],
    )


def _heads(
    sizes: np.ndarray, start: int, keys: pa.Array | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """The bytes before each key (length, attributes, timestamp and offset deltas, key length)
    and between key and value (value length), end to end, each with its ``count + 1`` offsets.
    Without ``keys`` every key is null, and the value length ends the heads (no mids)."""
    count = len(sizes)
    deltas = np.arange(start * 2, (start + count) * 2, 2, dtype=np.int64)
    if keys is None:
        missing, key_sizes = np.ones(count, bool), np.zeros(count, np.int64)
    else:
        missing = pc.is_null(keys).to_numpy(zero_copy_only=False)
        key_sizes = np.where(missing, 0, value_sizes(keys))
    key_zigzags = np.where(missing, 1, key_sizes * 2)  # a null key is length -1
    delta_widths, key_widths = _widths(deltas), _widths(key_zigzags)
    size_widths = _widths(sizes * 2)
    lengths = (3 + delta_widths + key_widths + key_sizes + size_widths + sizes) * 2
    length_widths = _widths(lengths)
    head_widths = length_widths + 2 + delta_widths + key_widths
    if keys is None:
        head_widths = head_widths + size_widths
    offsets = np.zeros(count + 1, np.int64)
    np.cumsum(head_widths, out=offsets[1:])
    heads = np.zeros(int(offsets[-1]), np.uint8)
    at = offsets[:-1]
    _put_varints(heads, at, lengths, length_widths)
    at = at + length_widths + 2  # attributes 0, timestamp delta 0
    _put_varints(heads, at, deltas, delta_widths)
    at += delta_widths
    _put_varints(heads, at, key_zigzags, key_widths)
    if keys is None:
        _put_varints(heads, at + key_widths, sizes * 2, size_widths)
        return heads, offsets, None, None
    mid_offsets = np.zeros(count + 1, np.int64)
    np.cumsum(size_widths, out=mid_offsets[1:])
    mids = np.zeros(int(mid_offsets[-1]), np.uint8)
    _put_varints(mids, mid_offsets[:-1], sizes * 2, size_widths)
    return heads, offsets, mids, mid_offsets


class PlainColumns(NamedTuple):
    """What the fast decoder reads: every value, and every key (``None`` when all are null)."""

    values: pa.Array
    keys: pa.Array | None


def decode_plain_values(data: bytes, pos: int, start: int, count: int) -> PlainColumns | None:
    """The values and keys of records ``start``..``count - 1`` without headers, null values or
    timestamp deltas, laid out from ``pos`` to the end of ``data``; ``None`` unless they are
    exactly that."""
    records = np.frombuffer(data, np.uint8, offset=pos)
    total = len(records)
    need = count - start
    if need <= 0 or total < need * 6:
        return None
    candidates, widths = _record_starts(records)
    if len(candidates) < need or candidates[0] != 0:
        return None
    lengths, _ = _read_varints(records, candidates)
    lengths[lengths & 1 == 1] = -1  # a negative length: no record starts there
    chain = _follow(candidates, candidates + widths + (lengths >> 1), total, need)
    if chain is None:
        return None
    # Each field in turn, checked as the general decoder reads it. Every candidate has its
    # attributes and timestamp delta (two zero bytes) after its length.
    starts = candidates[chain]
    delta_at = starts + widths[chain] + 2
    deltas, delta_widths = _read_varints(records, delta_at)
    if not np.array_equal(deltas, np.arange(start * 2, count * 2, 2)):
        return None  # offset deltas must run start, start + 1, ...
    key_at = delta_at + delta_widths
    key_zigzags, key_widths = _read_varints(records, key_at)
    missing = key_zigzags == 1  # a null key: length -1
    if (((key_zigzags & 1) == 1) & ~missing).any():
        return None  # another negative length
    key_begins = key_at + key_widths
    key_ends = key_begins + np.where(missing, 0, key_zigzags >> 1)
    sizes, size_widths = _read_varints(records, key_ends)
    if (sizes & 1).any():
        return None  # a null value (zigzag -1)
    begins = key_ends + size_widths
    ends = begins + (sizes >> 1)
    if not np.array_equal(ends[:-1] + 1, starts[1:]) or ends[-1] + 1 != total:
        return None  # each record must end one byte after its value ...
    if records[ends].any():
        return None  # ... and that byte is a header count of 0
    values = _gather(records, begins, ends)
    if missing.all():
        return PlainColumns(values, None)
    keys = _gather(records, key_begins, key_ends)
    return PlainColumns(values, pc.if_else(pa.array(missing), _NULL, keys))


def _gather(records: np.ndarray, begins: np.ndarray, ends: np.ndarray) -> pa.Array:
    """``records[begins[i]:ends[i]]`` for each i, as one binary array.

    Every piece and every stretch between two pieces make one array over ``records`` itself;
    taking its even elements copies the pieces end to end.
    """
    count = len(begins)
    bounds = np.empty(2 * count, np.int32)
    bounds[0::2] = begins
    bounds[1::2] = ends
    pieces = pa.Array.from_buffers(
        pa.binary(), 2 * count - 1, [None, pa.py_buffer(bounds), pa.py_buffer(records)]
    )
    return pieces.take(pa.array(np.arange(0, 2 * count, 2)))


def _binary(values: pa.Array) -> pa.Array:
    if values.type == pa.binary():
        return values
    if values.type in (pa.string(), pa.large_binary(), pa.large_string()):
        return values.cast(pa.binary())
    raise TypeError(f"plain values are binary or string, not {values.type}")


_WIDTH_STEPS = np.array([1 << 7, 1 << 14, 1 << 21, 1 << 28], np.int64)


def _widths(zigzags: np.ndarray) -> np.ndarray:
    """How many bytes the varint of each (zigzag-encoded, non-negative) value takes."""
    return np.searchsorted(_WIDTH_STEPS, zigzags, side="right") + 1


def _put_varints(out: np.ndarray, at: np.ndarray, zigzags: np.ndarray, widths: np.ndarray) -> None:
    """Write each varint's bytes into ``out`` from its position in ``at``."""
    for k in range(int(widths.max())):
        group = (zigzags >> (7 * k)) & 0x7F
        if k == 0:
            out[at] = group | ((widths > 1) << 7)
        else:
            longer = widths > k
            out[at[longer] + k] = group[longer] | ((widths[longer] > k + 1) << 7)


def _record_starts(records: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every position that could start a record, with the width of its length varint.

    A record starts at 0 or right after the previous record's trailer (a zero byte), with a
    length varint of 1 to 3 bytes followed by two zero bytes (attributes, timestamp delta).
    """
    padded = np.zeros(len(records) + 4, np.uint8)  # reads past the end see zeros, never match
    padded[: len(records)] = records
    padded[len(records) :] = 0xFF
    after = np.flatnonzero(records[:-1] == 0) + 1
    at = np.concatenate([[0], after])
    b0, b1, b2, b3, b4 = (padded[at + k] for k in range(5))
    one = (b0 < 0x80) & (b1 == 0) & (b2 == 0)
    two = (b0 >= 0x80) & (b1 < 0x80) & (b2 == 0) & (b3 == 0)
    three = (b0 >= 0x80) & (b1 >= 0x80) & (b2 < 0x80) & (b3 == 0) & (b4 == 0)
    widths = one * 1 + two * 2 + three * 3
    found = widths > 0
    return at[found], widths[found]


def _follow(starts: np.ndarray, nexts: np.ndarray, total: int, need: int) -> np.ndarray | None:
    """The chain of ``need`` candidates from the first, each record's end the next one's
    start and the last ending at ``total``: by pointer doubling; ``None`` if there is none."""
    count = len(starts)
    if count == need and nexts[-1] == total and np.array_equal(nexts[:-1], starts[1:]):
        return np.arange(count)  # no false candidates: the usual case for JSON values
    end, dead = count, count + 1
    found = np.searchsorted(starts, nexts)
    hit = found < count
    hit[hit] = starts[found[hit]] == nexts[hit]
    jump = np.where(hit, found, np.where(nexts == total, end, dead))
    step = jump = np.concatenate([jump, [end, dead]])
    chain = np.zeros(1, np.int64)
    while len(chain) < need:
        chain = np.concatenate([chain, jump[chain]])
        jump = jump[jump]
    chain = chain[:need]
    if chain.max() >= count or step[chain[-1]] != end:
        return None
    return chain


def _read_varints(records: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (still zigzag-encoded) varints at positions ``at`` and the bytes each takes.

    Up to 3 bytes: a longer varint reads as a wrong value, which the callers' checks refuse.
    Reads past the end see the last byte; positions that far out fail those checks too.
    """
    last = len(records) - 1
    b0 = records[np.minimum(at, last)].astype(np.int64)
    value = b0 & 0x7F
    widths = np.ones(len(at), np.int64)
    more = b0 >= 0x80
    if more.any():
        b1 = records[np.minimum(at + 1, last)].astype(np.int64)
        value += more * ((b1 & 0x7F) << 7)
        widths += more
        more &= b1 >= 0x80
        if more.any():
            b2 = records[np.minimum(at + 2, last)].astype(np.int64)
            value += more * ((b2 & 0x7F) << 14)
            widths += more
            value[more & (b2 >= 0x80)] = -1  # four bytes or more: not read here
    return value, widths
