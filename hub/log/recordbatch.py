"""Kafka's RecordBatch v2 (magic 2): the on-disk and on-wire framing of the log.

A batch is a 61-byte header followed by varint-framed records::

    baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 (2)
    crc uint32 (CRC-32C of everything after it) | attributes int16 | lastOffsetDelta int32
    baseTimestamp int64 | maxTimestamp int64 | producerId int64 | producerEpoch int16
    baseSequence int32 | recordCount int32 | records...

    record: length varint | attributes int8 | timestampDelta varlong | offsetDelta varint
            keyLength varint | key | valueLength varint | value | headerCount varint | headers

Every varint is zigzag-encoded, as in Kafka's ``ByteUtils.writeVarint``. Framing and CRC are done
once per batch; the per-record loops below are the only per-record Python work on the hot path,
kept to table look-ups and slicing.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

import crc32c

from hub.errors import CorruptLogError, LogError
from hub.record import Headers, Record

HEADER = struct.Struct(">qiibIhiqqqhii")
HEADER_SIZE = HEADER.size  # 61
LENGTH_PREFIX = 12  # baseOffset + batchLength: batchLength counts the bytes after them
CRC_OFFSET = 17
CRC_START = 21
MAGIC = 2
NO_PRODUCER_ID = -1
NO_PRODUCER_EPOCH = -1
NO_SEQUENCE = -1
COMPRESSION_MASK = 0x07
TIMESTAMP_TYPE_LOG_APPEND = 0x08
TRANSACTIONAL = 0x10
CONTROL = 0x20


def _zigzag_varint(value: int) -> bytes:
    """Kafka's zigzag varint (varlong when needed) of ``value``."""
    zigzag = (value << 1) ^ (value >> 63)
    out = bytearray()
    while zigzag >= 0x80:
        out.append((zigzag & 0x7F) | 0x80)
        zigzag >>= 7
    out.append(zigzag)
    return bytes(out)


_TABLE_SIZE = 1 << 14
# Encoded varints of 0 .. 16383: covers offset deltas and record/value lengths of usual batches.
_VARINT = tuple(_zigzag_varint(n) for n in range(_TABLE_SIZE))
_NULL = _zigzag_varint(-1)  # length of a null key or value


def varint(value: int) -> bytes:
    """Zigzag varint of ``value``, from the table when small."""
    if 0 <= value < _TABLE_SIZE:
        return _VARINT[value]
    return _zigzag_varint(value)


def _encode_key(key: bytes | None) -> bytes:
    return _NULL if key is None else varint(len(key)) + key


def _encode_headers(headers: Headers) -> bytes:
    parts = [varint(len(headers))]
    for name, value in headers:
        raw = name.encode()
        parts.append(varint(len(raw)))
        parts.append(raw)
        parts.append(_NULL if value is None else varint(len(value)) + value)
    return b"".join(parts)


def encode_records(
    values: Sequence[bytes | None],
    keys: Sequence[bytes | None] | None = None,
    headers: Sequence[Headers] | None = None,
    timestamp_deltas: Sequence[int] | None = None,
) -> bytes:
    """The records section of a batch: offset deltas 0..n-1."""
    count = len(values)
    key_parts = [_NULL] * count if keys is None else [_encode_key(k) for k in keys]
    no_headers = b"\x00"
    header_parts = (
        [no_headers] * count
        if headers is None
        else [_encode_headers(h) if h else no_headers for h in headers]
    )
    ts_parts = (
        [b"\x00"] * count if timestamp_deltas is None else [varint(d) for d in timestamp_deltas]
    )
    table, table_size, encode = _VARINT, _TABLE_SIZE, _zigzag_varint
    parts: list[bytes] = []
    append = parts.append
    for i, (value, key_part, header_part, ts_part) in enumerate(
        zip(values, key_parts, header_parts, ts_parts, strict=True)
    ):
        if value is None:
            value_part = _NULL
            value = b""
        else:
            size = len(value)
            value_part = table[size] if size < table_size else encode(size)
        offset_part = table[i] if i < table_size else encode(i)
        body = (
            1
            + len(ts_part)
            + len(offset_part)
            + len(key_part)
            + len(value_part)
            + len(value)
            + len(header_part)
        )
        length_part = table[body] if body < table_size else encode(body)
        append(length_part + b"\x00" + ts_part + offset_part + key_part + value_part)
        append(value)
        append(header_part)
    return b"".join(parts)


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
    """A complete RecordBatch v2 holding ``values`` at offsets ``base_offset``... .

    Give either one ``timestamp`` for every record or per-record ``timestamps``.
    """
    count = len(values)
    if count == 0:
        raise ValueError("a record batch holds at least one record")
    if timestamps is not None:
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
        NO_PRODUCER_ID,
        NO_PRODUCER_EPOCH,
        NO_SEQUENCE,
        count,
    )
    crc = crc32c.crc32c(records, value=crc32c.crc32c(header[CRC_START:]))
    return b"".join((header[:CRC_OFFSET], crc.to_bytes(4, "big"), header[CRC_START:], records))


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """Decode the zigzag varint at ``pos``; return (value, position after it)."""
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


@dataclass(slots=True)
class RecordColumns:
    """The records of a batch decoded column-wise: one list per field, no object per record."""

    offsets: list[int]
    timestamps: list[int]
    keys: list[bytes | None]
    values: list[bytes | None]
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
        """Read the header of the batch in ``data`` (the whole batch, exactly)."""
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
                f"{where}: record batch at offsets {self.base_offset}..{self.last_offset} fails its "
                "CRC-32C check; the file is damaged. Restore it from a replica or backup, or move "
                "the segment aside to drop its records"
            )

    def columns(self) -> RecordColumns:
        """Every record's offset, timestamp, key, value and headers, decoded in one pass."""
        if self.attributes & COMPRESSION_MASK:
            raise LogError(
                f"record batch at offset {self.base_offset} is compressed "
                f"(codec {self.attributes & COMPRESSION_MASK}); compressed batches are not "
                "supported yet"
            )
        return _decode_records(
            self.data,
            self.record_count,
            self.base_offset,
            self.max_timestamp if self.attributes & TIMESTAMP_TYPE_LOG_APPEND else None,
            self.base_timestamp,
        )

    def values(self) -> list[bytes | None]:
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


def _decode_records(
    data: bytes,
    count: int,
    base_offset: int,
    log_append_time: int | None,
    base_timestamp: int,
) -> RecordColumns:
    offsets: list[int] = []
    timestamps: list[int] = []
    keys: list[bytes | None] = []
    values: list[bytes | None] = []
    headers: list[Headers] = []
    read = _read_varint
    pos = HEADER_SIZE
    try:
        for _ in range(count):
            # Fast paths for one- and two-byte varints, the common sizes; _read_varint otherwise.
            byte = data[pos]
            if byte < 0x80:
                length = byte >> 1
                pos += 1
            else:
                length, pos = read(data, pos)
            end = pos + length
            byte = data[pos + 1]  # skip the record's attributes byte
            if byte < 0x80:
                ts_delta = (byte >> 1) ^ -(byte & 1)
                p = pos + 2
            else:
                ts_delta, p = read(data, pos + 1)
            byte = data[p]
            if byte < 0x80:
                offset_delta = byte >> 1
                p += 1
            else:
                offset_delta, p = read(data, p)
            byte = data[p]
            if byte == 1:
                keys.append(None)
                p += 1
            else:
                size, p = read(data, p)
                keys.append(data[p : p + size])
                p += size
            byte = data[p]
            if byte == 1:
                values.append(None)
                p += 1
            else:
                if byte < 0x80:
                    size = byte >> 1
                    p += 1
                else:
                    size, p = read(data, p)
                values.append(data[p : p + size])
                p += size
            if data[p]:
                headers.append(_decode_headers(data, p))
            else:
                headers.append(())
            offsets.append(base_offset + offset_delta)
            timestamps.append(base_timestamp + ts_delta)
            pos = end
    except (IndexError, ValueError) as exc:
        raise CorruptLogError(
            f"record batch at offset {base_offset} has a malformed record ({exc}) despite a "
            "valid CRC; it was not written by a Kafka-compatible producer"
        ) from exc
    if log_append_time is not None:
        timestamps = [log_append_time] * len(offsets)
    return RecordColumns(offsets, timestamps, keys, values, headers)


def _decode_headers(data: bytes, pos: int) -> Headers:
    count, pos = _read_varint(data, pos)
    result = []
    for _ in range(count):
        size, pos = _read_varint(data, pos)
        name = data[pos : pos + size].decode()
        pos += size
        size, pos = _read_varint(data, pos)
        if size < 0:
            result.append((name, None))
        else:
            result.append((name, data[pos : pos + size]))
            pos += size
    return tuple(result)
