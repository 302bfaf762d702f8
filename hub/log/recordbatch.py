"""Kafka's RecordBatch v2 (magic 2): the on-disk and on-wire framing of the log.

A batch is a 61-byte header followed by varint-framed records::

    baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 (2)
    crc uint32 (CRC-32C of everything after it) | attributes int16 | lastOffsetDelta int32
    baseTimestamp int64 | maxTimestamp int64 | producerId int64 | producerEpoch int16
    baseSequence int32 | recordCount int32 | records...

    record: length varint | attributes int8 | timestampDelta varlong | offsetDelta varint
            keyLength varint | key | valueLength varint | value | headerCount varint | headers

Every varint is zigzag-encoded, as in Kafka's ``ByteUtils.writeVarint``. Framing and CRC are done
once per batch; the per-record loops below are the only per-record Python work on the hot path.

Most batches are *plain*: keyless, without headers, one timestamp, offset deltas 0..n-1. Both
directions have a fast path for them built on tables of pre-encoded bytes, and a general path
for everything else.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from typing import cast

import crc32c
import pyarrow as pa

from hub.arrow.value_array import ValueArray
from hub.errors import CorruptLogError, LogError
from hub.log.plain_arrays import decode_plain_values, encode_plain_values
from hub.log.varint import (
    NO_HEADERS,
    NULL_LENGTH,
    PLAIN_FIXED,
    PLAIN_HEAD,
    SIZE_BY_SPAN,
    TABLE_SIZE,
    VARINTS,
    read_varint,
    varint,
)
from hub.record import Headers, Record

VECTORIZED_MIN = 256
"""From this many records on, plain batches are encoded and decoded by array arithmetic."""
HEADER = struct.Struct(">qiibIhiqqqhii")
HEADER_SIZE = HEADER.size  # 61
LENGTH_PREFIX = 12  # baseOffset + batchLength: batchLength counts the bytes after them
CRC_OFFSET = 17
CRC_START = 21
MAGIC = 2
_PRODUCER_ID = 43  # byte offsets of the idempotent-producer fields in the header
_BASE_SEQUENCE = 53
NO_PRODUCER_ID = -1
NO_PRODUCER_EPOCH = -1
NO_SEQUENCE = -1
COMPRESSION_MASK = 0x07
TIMESTAMP_TYPE_LOG_APPEND = 0x08
TRANSACTIONAL = 0x10
CONTROL = 0x20


def _encode_bytes(data: bytes | None) -> bytes:
    return NULL_LENGTH if data is None else varint(len(data)) + data


def _encode_headers(headers: Headers) -> bytes:
    parts = [varint(len(headers))]
    for name, value in headers:
        raw = name.encode()
        parts.append(varint(len(raw)))
        parts.append(raw)
        parts.append(_encode_bytes(value))
    return b"".join(parts)


def encode_records(
    values: Sequence[bytes | None],
    keys: Sequence[bytes | None] | None = None,
    headers: Sequence[Headers] | None = None,
    timestamp_deltas: Sequence[int] | None = None,
) -> bytes:
    """The records section of a batch: offset deltas 0..n-1."""
    _check_lengths(len(values), keys=keys, headers=headers, timestamp_deltas=timestamp_deltas)
    keyless = keys is None or keys.count(None) == len(keys)
    marked = headers is not None and any(headers)
    simple = timestamp_deltas is None and not (
        marked and (len(values) == 1 or any(cast("Sequence[Headers]", headers)[1:]))
    )
    if simple and isinstance(values, ValueArray):
        if len(values) >= VECTORIZED_MIN and not values.array.null_count:
            key_array = None if keyless else _key_array(cast("Sequence[bytes | None]", keys))
            if not marked:
                return encode_plain_values(values.array, keys=key_array)
            # Headers on the first record only (the runtime's source marker): that one record
            # takes the general path, the rest the vectorized one.
            first = _encode_general(values[:1], keys[:1] if keys else None, headers[:1], None)  # type: ignore[index]
            rest = None if key_array is None else key_array.slice(1)
            return first + encode_plain_values(values.array.slice(1), start=1, keys=rest)
        values = values.to_list()
    plain = simple and keyless
    try:  # a None value raises TypeError, a value too large for the tables IndexError
        if plain and len(values) <= TABLE_SIZE:
            if not marked:
                return _encode_plain(cast("Sequence[bytes]", values))
            first = _encode_general(values[:1], None, headers[:1], None)  # type: ignore[index]
            return _encode_plain(cast("Sequence[bytes]", values[1:]), start=1, first=first)
    except (TypeError, IndexError):
        pass
    return _encode_general(values, keys, headers, timestamp_deltas)


def _key_array(keys: Sequence[bytes | None]) -> pa.Array:
    return keys.array if isinstance(keys, ValueArray) else pa.array(keys, pa.binary())


def _check_lengths(count: int, **columns: Sequence[object] | None) -> None:
    for name, column in columns.items():
        if column is not None and len(column) != count:
            raise ValueError(f"{len(column)} {name} given for {count} values; give one per value")


def _encode_plain(values: Sequence[bytes], *, start: int = 0, first: bytes = b"") -> bytes:
    """Plain records by table look-ups only: the encoder's hot path, about 100 ns a record.

    Offset deltas begin at ``start``; ``first`` (records already encoded) goes before them.
    """
    table = VARINTS
    heads = islice(PLAIN_HEAD, start, None)
    fixed = islice(PLAIN_FIXED, start, None)
    parts: list[bytes] = [first]
    extend = parts.extend
    # strict=False: the tables are longer than any batch that takes this path.
    for value, head, fixed_size in zip(values, heads, fixed, strict=False):
        size = len(value)
        value_length = table[size]
        extend((table[fixed_size + len(value_length) + size], head, value_length, value, b"\x00"))
    return b"".join(parts)


def _encode_general(
    values: Sequence[bytes | None],
    keys: Sequence[bytes | None] | None,
    headers: Sequence[Headers] | None,
    timestamp_deltas: Sequence[int] | None,
) -> bytes:
    """Any records: keys, tombstones, headers, per-record timestamps, values of any size."""
    count = len(values)
    keys = [None] * count if keys is None else keys
    header_parts = (
        [NO_HEADERS] * count
        if headers is None
        else [_encode_headers(h) if h else NO_HEADERS for h in headers]
    )
    ts_parts = (
        [b"\x00"] * count if timestamp_deltas is None else [varint(d) for d in timestamp_deltas]
    )
    table, limit = VARINTS, TABLE_SIZE
    parts: list[bytes] = []
    append, extend = parts.append, parts.extend
    for i, (value, key, header_part, ts_part) in enumerate(
        zip(values, keys, header_parts, ts_parts, strict=True)
    ):
        if key is None:
            key_length, key = NULL_LENGTH, b""
        else:
            size = len(key)
            key_length = table[size] if size < limit else varint(size)
        if value is None:
            value_length, value = NULL_LENGTH, b""
        else:
            size = len(value)
            value_length = table[size] if size < limit else varint(size)
        offset = table[i] if i < limit else varint(i)
        body = 1 + len(ts_part) + len(offset) + len(key_length) + len(key)
        body += len(value_length) + len(value) + len(header_part)
        append(table[body] if body < limit else varint(body))
        extend((b"\x00", ts_part, offset, key_length, key, value_length, value, header_part))
    return b"".join(parts)


@dataclass(frozen=True, slots=True)
class EncodedBatch:
    """A batch ready to append: its header and records as two buffers, never joined.

    The log sets the base offset (which the CRC does not cover) at append time and writes the
    buffers with one ``writev``: joining them would copy every record byte once more.
    """

    header: bytes
    records: bytes
    count: int
    base_timestamp: int
    max_timestamp: int

    @property
    def size(self) -> int:
        return len(self.header) + len(self.records)

    def buffers(self, base_offset: int) -> tuple[bytes, memoryview, bytes]:
        """The batch's bytes with ``base_offset`` in place, as buffers for ``os.writev``."""
        return (
            base_offset.to_bytes(8, "big", signed=True),
            memoryview(self.header)[8:],
            self.records,
        )

    def to_bytes(self) -> bytes:
        return self.header + self.records


def encode_batch_parts(
    base_offset: int,
    values: Sequence[bytes | None],
    *,
    keys: Sequence[bytes | None] | None = None,
    headers: Sequence[Headers] | None = None,
    timestamps: Sequence[int] | None = None,
    timestamp: int = 0,
    partition_leader_epoch: int = 0,
    producer_id: int = NO_PRODUCER_ID,
    producer_epoch: int = NO_PRODUCER_EPOCH,
    base_sequence: int = NO_SEQUENCE,
) -> EncodedBatch:
    """A RecordBatch v2 holding ``values`` at offsets ``base_offset``..., as header + records.

    Give either one ``timestamp`` for every record or per-record ``timestamps``. ``producer_id``
    and ``base_sequence`` are Kafka's idempotent-producer fields: the pipeline runtime stamps each
    source task's batches with them so that a restart can tell which batches already landed.
    """
    count = len(values)
    if count == 0:
        raise ValueError("a record batch holds at least one record")
    if timestamps is not None:
        _check_lengths(count, timestamps=timestamps)
        base_timestamp = timestamps[0]
        max_timestamp = max(timestamps)
        deltas = (
            None
            if max_timestamp == min(timestamps) == base_timestamp
            else [t - base_timestamp for t in timestamps]
        )
    else:
        base_timestamp = max_timestamp = timestamp
        deltas = None
    records = encode_records(values, keys, headers, deltas)
    header = HEADER.pack(
        base_offset,
        HEADER_SIZE - LENGTH_PREFIX + len(records),
        partition_leader_epoch,
        MAGIC,
        0,
        0,
        count - 1,
        base_timestamp,
        max_timestamp,
        producer_id,
        producer_epoch,
        base_sequence,
        count,
    )
    crc = crc32c.crc32c(records, value=crc32c.crc32c(header[CRC_START:]))
    header = header[:CRC_OFFSET] + crc.to_bytes(4, "big") + header[CRC_START:]
    return EncodedBatch(header, records, count, base_timestamp, max_timestamp)


def encode_batch(
    base_offset: int,
    values: Sequence[bytes | None],
    *,
    keys: Sequence[bytes | None] | None = None,
    headers: Sequence[Headers] | None = None,
    timestamps: Sequence[int] | None = None,
    timestamp: int = 0,
    partition_leader_epoch: int = 0,
) -> bytes:
    """A complete RecordBatch v2 holding ``values`` at offsets ``base_offset``..., as bytes."""
    return encode_batch_parts(
        base_offset,
        values,
        keys=keys,
        headers=headers,
        timestamps=timestamps,
        timestamp=timestamp,
        partition_leader_epoch=partition_leader_epoch,
    ).to_bytes()


@dataclass(slots=True)
class RecordColumns:
    """The records of a batch decoded column-wise: one list per field, no object per record."""

    offsets: list[int]
    timestamps: list[int]
    keys: list[bytes | None]
    values: Sequence[bytes | None]  # a ValueArray when decoded in bulk
    headers: list[Headers]


@dataclass(slots=True)
class RecordBatch:
    """One record batch: its parsed header and the bytes of the whole batch.

    Records decode lazily and in bulk (``columns()``, ``values()``, ``records()``).
    """

    base_offset: int
    last_offset_delta: int
    base_timestamp: int
    max_timestamp: int
    record_count: int
    attributes: int
    crc: int
    data: bytes

    @classmethod
    def parse(cls, data: bytes) -> RecordBatch:
        """Read the header of the batch in ``data`` (the whole batch, exactly).

        A buffer other than ``bytes`` is copied: decoded keys and values are slices of ``data``
        and must not change when the buffer is reused.
        """
        if type(data) is not bytes:
            data = bytes(data)
        if len(data) < HEADER_SIZE:
            raise LogError(f"record batch of {len(data)} bytes is shorter than its header")
        (
            base_offset,
            _length,
            _epoch,
            magic,
            crc,
            attributes,
            last_offset_delta,
            base_timestamp,
            max_timestamp,
            _producer_id,
            _producer_epoch,
            _base_sequence,
            record_count,
        ) = HEADER.unpack_from(data)
        if magic != MAGIC:
            raise LogError(f"record batch at offset {base_offset} has magic {magic}, expected 2")
        return cls(
            base_offset,
            last_offset_delta,
            base_timestamp,
            max_timestamp,
            record_count,
            attributes,
            crc,
            data,
        )

    @property
    def producer_id(self) -> int:
        return int.from_bytes(self.data[_PRODUCER_ID : _PRODUCER_ID + 8], "big", signed=True)

    @property
    def base_sequence(self) -> int:
        return int.from_bytes(self.data[_BASE_SEQUENCE : _BASE_SEQUENCE + 4], "big", signed=True)

    @property
    def last_offset(self) -> int:
        return self.base_offset + self.last_offset_delta

    @property
    def next_offset(self) -> int:
        return self.base_offset + self.last_offset_delta + 1

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def is_control(self) -> bool:
        return bool(self.attributes & CONTROL)

    def crc_ok(self) -> bool:
        return crc32c.crc32c(memoryview(self.data)[CRC_START:]) == self.crc

    def verify(self, where: str) -> None:
        """Raise ``CorruptLogError`` naming ``where`` if the CRC does not match."""
        if not self.crc_ok():
            raise CorruptLogError(
                f"{where}: record batch at offsets {self.base_offset}..{self.last_offset} fails "
                "its CRC-32C check; the file is damaged. Restore it from a replica or backup, or "
                "move the segment aside to drop its records"
            )

    def columns(self) -> RecordColumns:
        """Every record's offset, timestamp, key, value and headers, decoded in one pass."""
        self._check_uncompressed()
        columns = self._plain_columns() or self._decode()
        if self.attributes & TIMESTAMP_TYPE_LOG_APPEND:
            columns.timestamps = [self.max_timestamp] * len(columns.timestamps)
        return columns

    def values(self) -> Sequence[bytes | None]:
        """The records' values only."""
        return self.columns().values

    def records(self, topic: str | None = None, partition: int | None = None) -> list[Record]:
        """The batch's records as ``Record`` objects (control batches hold none)."""
        if self.is_control:
            return []
        c = self.columns()
        return [
            Record(value, key, headers, timestamp, partition, topic, offset)
            for offset, timestamp, key, value, headers in zip(
                c.offsets, c.timestamps, c.keys, c.values, c.headers, strict=True
            )
        ]

    def _decode(self) -> RecordColumns:
        return _decode_records(self.data, self.record_count, self.base_offset, self.base_timestamp)

    def _check_uncompressed(self) -> None:
        if self.attributes & COMPRESSION_MASK:
            raise LogError(
                f"record batch at offset {self.base_offset} is compressed "
                f"(codec {self.attributes & COMPRESSION_MASK}); compressed batches are not "
                "supported yet"
            )

    def _plain_columns(self) -> RecordColumns | None:
        """The columns if this is a plain batch, else None.

        Plain: one timestamp, dense offsets, and every record keyless without headers, except
        perhaps the first (the runtime's source marker), which is decoded on its own. The loop
        trusts the plain layout to find each value from the record's length alone; re-encoding
        the values and comparing bytes then proves every field it skipped.
        """
        data, count = self.data, self.record_count
        if (
            count <= 0
            or self.last_offset_delta != count - 1
            or self.max_timestamp != self.base_timestamp
        ):
            return None
        vectorized = count >= VECTORIZED_MIN
        if not vectorized and count > TABLE_SIZE:
            return None
        try:
            length, first = read_varint(data, HEADER_SIZE)
            if data.startswith(PLAIN_HEAD[0], first) and not data[first + length - 1]:
                head, start, pos = None, 0, HEADER_SIZE
            else:
                head = _decode_records(data[: first + length], 1, self.base_offset, 0)
                if head.offsets[0] != self.base_offset or head.timestamps[0] != 0:
                    return None
                start, pos = 1, first + length
            values: Sequence[bytes | None] | None
            keyed: list[bytes | None] | None = None
            if vectorized:
                found_columns = decode_plain_values(data, pos, start, count)
                if found_columns is None:
                    return None
                values = _with_head(found_columns.values, head)
                keyed = _keys_with_head(found_columns.keys, head)
            else:
                found = _plain_values(data, pos, start, count)
                if found is not None and head is not None:
                    found.insert(0, head.values[0])
                values = found
        except (IndexError, ValueError, CorruptLogError):  # not plain; the general decoder says why
            return None
        if values is None:
            return None
        keys: list[bytes | None] = [None] * count if keyed is None else keyed
        headers: list[Headers] = [()] * count
        if head is not None:
            keys[0], headers[0] = head.keys[0], head.headers[0]
        return RecordColumns(
            list(range(self.base_offset, self.base_offset + count)),
            [self.base_timestamp] * count,
            keys,
            values,
            headers,
        )


def _keys_with_head(rest: pa.Array | None, head: RecordColumns | None) -> list[bytes | None] | None:
    """The keys of a plain batch as a list (``None`` when all are null), the first record's
    place in front; the caller sets it from that record."""
    if rest is None:
        return None
    keys: list[bytes | None] = rest.to_pylist()
    return keys if head is None else [None, *keys]


def _with_head(rest: pa.Array, head: RecordColumns | None) -> ValueArray:
    """The values of a plain batch, the first record's (decoded on its own) in front."""
    if head is None:
        return ValueArray(rest)
    return ValueArray(pa.concat_arrays([pa.array(head.values[:1], pa.binary()), rest]))


def _plain_values(data: bytes, pos: int, start: int, count: int) -> list[bytes | None] | None:
    """Values of plain records ``start``..``count - 1`` laid out from ``pos`` to the end."""
    values: list[bytes | None] = []
    append = values.append
    size_by_span = SIZE_BY_SPAN
    begin = pos
    for fixed in PLAIN_FIXED[start:count]:
        byte = data[pos]
        if byte < 0x80:
            pos += 1
            end = pos + (byte >> 1)
        else:  # two bytes; a longer varint fails the check below
            pos += 2
            end = pos + ((byte - 0x80 + (data[pos - 1] << 7)) >> 1)
        append(data[end - 1 - size_by_span[end - pos - fixed] : end - 1])
        pos = end
    encoded = _encode_plain(cast("list[bytes]", values), start=start)
    if len(data) == begin + len(encoded) and data.endswith(encoded):
        return values
    return None


def _decode_records(
    data: bytes, count: int, base_offset: int, base_timestamp: int
) -> RecordColumns:
    """Any uncompressed batch, each record checked to end where its length says."""
    offsets: list[int] = []
    timestamps: list[int] = []
    keys: list[bytes | None] = []
    values: list[bytes | None] = []
    headers: list[Headers] = []
    read, read_bytes = read_varint, _read_bytes
    pos = HEADER_SIZE
    try:
        for _ in range(count):
            length, pos = read(data, pos)
            end = pos + length
            ts_delta, p = read(data, pos + 1)  # skip the record's attributes byte
            offset_delta, p = read(data, p)
            key, p = read_bytes(data, p)
            value, p = read_bytes(data, p)
            if data[p]:
                record_headers, p = _decode_headers(data, p)
            else:
                record_headers = ()
                p += 1
            if p != end:
                raise ValueError(f"record {len(offsets)} ends at byte {p}, its length says {end}")
            offsets.append(base_offset + offset_delta)
            timestamps.append(base_timestamp + ts_delta)
            keys.append(key)
            values.append(value)
            headers.append(record_headers)
            pos = end
        if pos != len(data):
            raise ValueError(f"{len(data) - pos} bytes follow the last record")
    except (IndexError, ValueError) as exc:
        raise CorruptLogError(
            f"record batch at offset {base_offset} has a malformed record ({exc}) despite a "
            "valid CRC; it was not written by a Kafka-compatible producer"
        ) from exc
    return RecordColumns(offsets, timestamps, keys, values, headers)


def _read_bytes(data: bytes, pos: int) -> tuple[bytes | None, int]:
    """The length-prefixed bytes (None for length -1) at ``pos``, and the position after them."""
    size, pos = read_varint(data, pos)
    if size >= 0:
        return data[pos : pos + size], pos + size
    if size == -1:
        return None, pos
    raise ValueError(f"negative length {size}")


def _decode_headers(data: bytes, pos: int) -> tuple[Headers, int]:
    count, pos = read_varint(data, pos)
    if count < 0:
        raise ValueError(f"header count {count}")
    result: list[tuple[str, bytes | None]] = []
    for _ in range(count):
        size, pos = read_varint(data, pos)
        if size < 0:
            raise ValueError("a header has a null name")
        name = data[pos : pos + size].decode()
        value, pos = _read_bytes(data, pos + size)
        result.append((name, value))
    return tuple(result), pos
