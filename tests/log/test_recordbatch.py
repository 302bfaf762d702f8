"""RecordBatch v2: round trips, CRC checks, malformed input, and the plain fast path."""

from __future__ import annotations

import struct
from typing import Any

import crc32c
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.errors import CorruptLogError, LogError
from hub.log.recordbatch import (
    CONTROL,
    CRC_OFFSET,
    CRC_START,
    HEADER,
    HEADER_SIZE,
    LENGTH_PREFIX,
    MAGIC,
    TIMESTAMP_TYPE_LOG_APPEND,
    TRANSACTIONAL,
    RecordBatch,
    RecordColumns,
    _decode_records,
    encode_batch,
    encode_records,
    varint,
)
from hub.record import Headers, Record

TS = 1_700_000_000_000


def framed(
    records: bytes,
    count: int,
    *,
    attributes: int = 0,
    base_timestamp: int = TS,
    max_timestamp: int = TS,
    magic: int = MAGIC,
) -> bytes:
    """A batch around any records section, with a CRC that matches it."""
    header = HEADER.pack(
        0,
        HEADER_SIZE - LENGTH_PREFIX + len(records),
        0,
        magic,
        0,
        attributes,
        count - 1,
        base_timestamp,
        max_timestamp,
        -1,
        -1,
        -1,
        count,
    )
    crc = crc32c.crc32c(header[CRC_START:] + records)
    return header[:CRC_OFFSET] + crc.to_bytes(4, "big") + header[CRC_START:] + records


def record(body: bytes) -> bytes:
    return varint(len(body)) + body


def decode(batch: bytes) -> RecordColumns:
    return RecordBatch.parse(batch).columns()


def general(batch: RecordBatch) -> RecordColumns:
    """The general decoder alone, bypassing the plain fast path."""
    return _decode_records(batch.data, batch.record_count, batch.base_offset, batch.base_timestamp)


# -- round trips ------------------------------------------------------------------------------


def test_plain_batch_round_trips_with_offsets_from_the_base() -> None:
    values = [b"value-%d" % i for i in range(100)]
    batch = RecordBatch.parse(encode_batch(1000, values, timestamp=TS))
    columns = batch.columns()
    assert columns.values == values
    assert batch.values() == values
    assert columns.offsets == list(range(1000, 1100))
    assert columns.timestamps == [TS] * 100
    assert columns.keys == [None] * 100
    assert columns.headers == [()] * 100
    assert (batch.base_offset, batch.last_offset, batch.next_offset) == (1000, 1099, 1100)
    assert batch.crc_ok()


def test_keys_and_null_keys_round_trip() -> None:
    keys = [b"k1", None, b"", b"\x00\xff" * 40, None]
    values = [b"a", b"b", b"c", b"d", b"e"]
    columns = decode(encode_batch(0, values, keys=keys, timestamp=TS))
    assert columns.keys == keys
    assert columns.values == values


def test_tombstones_round_trip_as_null_values() -> None:
    values = [b"live", None, b"", None]
    batch = RecordBatch.parse(encode_batch(0, values, keys=[b"a", b"b", b"c", b"d"]))
    assert batch.columns().values == values
    assert batch.values() == values


def test_keyless_tombstones_round_trip() -> None:
    values = [None, b"x", None]
    assert RecordBatch.parse(encode_batch(0, values)).values() == values


def test_headers_round_trip_with_null_values_and_unicode_names() -> None:
    headers: list[Headers] = [
        (("trace-id", b"abc"), ("empty", b""), ("gone", None)),
        (),
        (("ключ", b"\x00\x01"), ("名前", None), ("🚀", b"x" * 300)),
        (("dup", b"1"), ("dup", b"2")),
    ]
    values = [b"v0", b"v1", b"v2", None]
    columns = decode(encode_batch(0, values, headers=headers, timestamp=TS))
    assert columns.headers == headers
    assert columns.values == values


def test_per_record_timestamps_round_trip_including_negative_deltas() -> None:
    timestamps = [TS, TS - 5_000, TS + 86_400_000, TS - 1, TS]
    batch = RecordBatch.parse(encode_batch(0, [b"x"] * 5, timestamps=timestamps))
    assert batch.columns().timestamps == timestamps
    assert batch.base_timestamp == TS
    assert batch.max_timestamp == TS + 86_400_000


def test_equal_timestamps_encode_like_one_timestamp() -> None:
    values = [b"a", b"b"]
    assert encode_batch(0, values, timestamps=[TS, TS]) == encode_batch(0, values, timestamp=TS)


def test_a_list_of_null_keys_encodes_like_no_keys() -> None:
    values = [b"a" * 70, b"b"]
    assert encode_batch(0, values, keys=[None, None]) == encode_batch(0, values)
    assert encode_batch(0, values, headers=[(), ()]) == encode_batch(0, values)


@pytest.mark.parametrize("size", [16_383, 16_384, 20_000, 1 << 20])
def test_values_keys_and_headers_beyond_the_varint_table_round_trip(size: int) -> None:
    big = bytes(range(256)) * (size // 256) + b"z" * (size % 256)
    for batch in (
        encode_batch(0, [big, b"small", big]),
        encode_batch(0, [big], keys=[big], headers=[(("h", big),)], timestamps=[TS]),
    ):
        parsed = RecordBatch.parse(batch)
        assert parsed.columns() == general(parsed)
    assert decode(encode_batch(0, [big, b"small", big])).values == [big, b"small", big]
    columns = decode(encode_batch(0, [big], keys=[big], headers=[(("h", big),)]))
    assert (columns.keys, columns.values, columns.headers) == ([big], [big], [(("h", big),)])


def test_a_one_record_batch_round_trips() -> None:
    batch = RecordBatch.parse(encode_batch(7, [b"only"], timestamp=TS))
    assert batch.records() == [Record(b"only", None, (), TS, None, None, 7)]
    assert batch.last_offset == 7


@pytest.mark.parametrize("keyed", [False, True])
def test_a_20000_record_batch_round_trips(keyed: bool) -> None:
    values = [b"%05d" % i for i in range(20_000)]
    keys = values if keyed else None
    columns = decode(encode_batch(5, values, keys=keys, timestamp=TS))
    assert columns.values == values
    assert columns.keys == (values if keyed else [None] * 20_000)
    assert columns.offsets == list(range(5, 20_005))


def test_empty_values_round_trip() -> None:
    assert decode(encode_batch(0, [b"", b"", b""])).values == [b"", b"", b""]


def test_records_carry_topic_partition_and_offset() -> None:
    batch = RecordBatch.parse(
        encode_batch(10, [b"a", None], keys=[b"k", None], headers=[(("h", b"1"),), ()])
    )
    assert batch.records("orders", 3) == [
        Record(b"a", b"k", (("h", b"1"),), 0, 3, "orders", 10),
        Record(None, None, (), 0, 3, "orders", 11),
    ]


def test_log_append_time_batches_report_the_max_timestamp_for_every_record() -> None:
    plain = encode_records([b"a", b"b"])
    timed = encode_records([b"a", b"b"], timestamp_deltas=[0, 5])
    for records in (plain, timed):
        batch = RecordBatch.parse(
            framed(records, 2, attributes=TIMESTAMP_TYPE_LOG_APPEND, max_timestamp=TS + 99)
        )
        assert batch.columns().timestamps == [TS + 99, TS + 99]


def test_parse_copies_a_buffer_that_may_change() -> None:
    buffer = bytearray(encode_batch(0, [b"before"]))
    batch = RecordBatch.parse(memoryview(buffer))
    buffer[-7:-1] = b"after!"
    assert batch.values() == [b"before"]
    assert type(batch.values()[0]) is bytes


def test_an_empty_batch_cannot_be_encoded() -> None:
    with pytest.raises(ValueError, match="at least one record"):
        encode_batch(0, [])


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"keys": [b"k"]}, "1 keys given for 2 values"),
        ({"keys": [None]}, "1 keys given for 2 values"),
        ({"headers": [(), (), ()]}, "3 headers given for 2 values"),
        ({"timestamps": [TS]}, "1 timestamps given for 2 values"),
        ({"timestamps": [TS, TS + 1, TS + 2]}, "3 timestamps given for 2 values"),
    ],
)
def test_columns_of_different_lengths_are_refused(columns: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        encode_batch(0, [b"a", b"b"], **columns)


# -- integrity --------------------------------------------------------------------------------


@pytest.mark.parametrize("position", [CRC_START, CRC_START + 10, HEADER_SIZE, -1])
def test_crc_detects_a_flipped_byte(position: int) -> None:
    data = bytearray(encode_batch(0, [b"payload"] * 10, keys=[b"k"] * 10))
    data[position] ^= 0x01
    assert not RecordBatch.parse(bytes(data)).crc_ok()


def test_verify_names_the_place_of_a_corrupt_batch() -> None:
    data = bytearray(encode_batch(40, [b"payload"] * 3))
    data[-2] ^= 0xFF
    batch = RecordBatch.parse(bytes(data))
    with pytest.raises(CorruptLogError, match=r"00000.log byte 4096: .*offsets 40\.\.42.*CRC"):
        batch.verify("00000.log byte 4096")


def test_verify_accepts_an_intact_batch() -> None:
    RecordBatch.parse(encode_batch(0, [b"x"], headers=[(("a", None),)])).verify("anywhere")


_PLAIN = record(b"\x00\x00\x00\x01" + varint(2) + b"ok\x00")


@pytest.mark.parametrize(
    ("records", "count"),
    [
        pytest.param(_PLAIN[:-3], 1, id="record cut short"),
        pytest.param(_PLAIN + b"\x00\x00", 1, id="bytes after the last record"),
        pytest.param(_PLAIN * 2, 3, id="fewer records than counted"),
        pytest.param(record(b"\x00\x00\x00\x01" + varint(5) + b"ok\x00"), 1, id="value overruns"),
        pytest.param(record(b"\x00\x00\x00\x01" + varint(1) + b"ok\x00"), 1, id="value underruns"),
        pytest.param(record(b"\x00\x00\x00" + varint(-2) + b"\x01\x00"), 1, id="key length -2"),
        pytest.param(record(b"\x00\x00\x00\x01\x01" + varint(-1)), 1, id="header count -1"),
        pytest.param(record(b"\x00\x00\x00\x01\x01\x02\x01\x01"), 1, id="null header name"),
        pytest.param(record(b"\x00\x00\x00\x01\x01\x02\x02\xff\x01"), 1, id="header not UTF-8"),
        pytest.param(b"\xff" * 11, 1, id="varint over 10 bytes"),
        pytest.param(b"", 1, id="no records at all"),
    ],
)
def test_malformed_records_despite_a_valid_crc_raise_corrupt_log_error(
    records: bytes, count: int
) -> None:
    batch = RecordBatch.parse(framed(records, count))
    assert batch.crc_ok()
    with pytest.raises(CorruptLogError, match="offset 0 has a malformed record"):
        batch.columns()
    with pytest.raises(CorruptLogError):
        batch.values()


def test_magic_other_than_2_is_rejected() -> None:
    with pytest.raises(LogError, match="magic 1, expected 2"):
        RecordBatch.parse(framed(_PLAIN, 1, magic=1))


def test_a_buffer_shorter_than_a_header_is_rejected() -> None:
    with pytest.raises(LogError, match="shorter than its header"):
        RecordBatch.parse(b"\x00" * (HEADER_SIZE - 1))


@pytest.mark.parametrize("codec", [1, 2, 3, 4])
def test_a_compressed_batch_is_rejected_with_a_clear_error(codec: int) -> None:
    batch = RecordBatch.parse(framed(_PLAIN, 1, attributes=codec))
    with pytest.raises(LogError, match=f"compressed \\(codec {codec}\\).*not supported") as info:
        batch.columns()
    assert not isinstance(info.value, CorruptLogError)
    with pytest.raises(LogError, match="compressed"):
        batch.values()


def test_a_control_batch_yields_no_records() -> None:
    commit_marker = encode_records([struct.pack(">hi", 0, 0)], keys=[struct.pack(">hh", 0, 1)])
    batch = RecordBatch.parse(framed(commit_marker, 1, attributes=CONTROL | TRANSACTIONAL))
    assert batch.is_control
    assert batch.crc_ok()
    assert batch.records("t", 0) == []


# -- properties -------------------------------------------------------------------------------

header_st = st.tuples(st.text(max_size=8), st.none() | st.binary(max_size=16))
record_st = st.tuples(
    st.none() | st.binary(max_size=40),  # key
    st.none() | st.binary(max_size=300),  # value
    st.lists(header_st, max_size=3).map(tuple),  # headers
    st.integers(min_value=-(2**45), max_value=2**45),  # timestamp
)


@settings(database=None)
@given(st.lists(record_st, min_size=1, max_size=40), st.integers(0, 2**62))
def test_any_records_round_trip(
    records: list[tuple[bytes | None, bytes | None, Headers, int]], base_offset: int
) -> None:
    keys, values, headers, timestamps = (list(column) for column in zip(*records, strict=True))
    batch = RecordBatch.parse(
        encode_batch(base_offset, values, keys=keys, headers=headers, timestamps=timestamps)
    )
    assert batch.crc_ok()
    assert batch.columns() == RecordColumns(
        list(range(base_offset, base_offset + len(records))), timestamps, keys, values, headers
    )
    assert batch.values() == values
    assert batch.max_timestamp == max(timestamps)


@settings(database=None)
@given(st.lists(st.binary(max_size=9000), min_size=1, max_size=30), st.integers(-(2**40), 2**40))
def test_plain_batches_round_trip(values: list[bytes], timestamp: int) -> None:
    batch = RecordBatch.parse(encode_batch(3, values, timestamp=timestamp))
    assert batch.values() == values
    assert batch.columns() == general(batch)


@settings(database=None)
@given(st.lists(st.binary(max_size=200), min_size=1, max_size=20), st.data())
def test_the_plain_fast_path_never_disagrees_with_the_general_decoder(
    values: list[bytes], data: st.DataObject
) -> None:
    """Damage a plain batch behind a valid CRC: both decoders agree or both refuse it."""
    records = bytearray(encode_batch(0, values, timestamp=TS)[HEADER_SIZE:])
    position = data.draw(st.integers(0, len(records) - 1), label="position")
    if data.draw(st.booleans(), label="replace (or delete)"):
        records[position] = data.draw(st.integers(0, 255), label="byte")
    else:
        del records[position]
    batch = RecordBatch.parse(framed(bytes(records), len(values)))
    try:
        expected = general(batch)
    except CorruptLogError:
        with pytest.raises(CorruptLogError):
            batch.columns()
        with pytest.raises(CorruptLogError):
            batch.values()
    else:
        assert batch.columns() == expected
        assert batch.values() == expected.values
