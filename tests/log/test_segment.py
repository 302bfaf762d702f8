"""Segments on disk: Kafka's names and framing, and rolling to a new segment by size or age."""

from __future__ import annotations

import struct
from pathlib import Path

from hub.log import LocalLog, TopicConfig
from hub.log.recordbatch import RecordBatch
from hub.log.segment import segment_name
from hub.record import Record
from tests.log.conftest import batch_spans, partition_dir, read_all, segment_files

TOPIC = "events"


def segment_bases(data_dir: Path) -> list[int]:
    return [int(path.stem) for path in segment_files(data_dir, TOPIC)]


def test_segment_names_are_the_base_offset_in_twenty_digits() -> None:
    assert segment_name(0) == "00000000000000000000"
    assert segment_name(1234) == "00000000000000001234"
    assert segment_name(2**63 - 1) == "09223372036854775807"


def test_a_new_topic_has_one_empty_segment_with_its_indexes(local_log: LocalLog) -> None:
    local_log.create_topic(TOPIC, TopicConfig(partitions=2))

    for partition in (0, 1):
        names = sorted(
            p.name for p in partition_dir(local_log.data_dir, TOPIC, partition).iterdir()
        )
        assert names == [
            "00000000000000000000.index",
            "00000000000000000000.log",
            "00000000000000000000.timeindex",
        ]


def test_a_segment_file_is_kafka_record_batches_with_their_offsets(local_log: LocalLog) -> None:
    local_log.append(TOPIC, [Record(b"a"), Record(b"b")])
    local_log.append_batch(TOPIC, 0, [b"c", b"d", b"e"], timestamp=7)
    local_log.flush()

    path = segment_files(local_log.data_dir, TOPIC)[0]
    data = path.read_bytes()
    batches = [RecordBatch.parse(data[p : p + size]) for p, size in batch_spans(path)]

    assert [(b.base_offset, b.record_count) for b in batches] == [(0, 2), (2, 3)]
    assert all(b.crc_ok() for b in batches)
    assert struct.unpack_from(">b", data, 16) == (2,)  # magic
    assert batches[1].values() == [b"c", b"d", b"e"]


def test_segments_roll_when_the_next_batch_would_pass_segment_bytes(local_log: LocalLog) -> None:
    local_log.create_topic(TOPIC, TopicConfig(segment_bytes=1000))

    for _ in range(12):
        local_log.append(TOPIC, [Record(b"x" * 200)])

    paths = segment_files(local_log.data_dir, TOPIC)
    assert len(paths) > 3
    assert all(path.stat().st_size <= 1000 for path in paths)
    assert segment_bases(local_log.data_dir) == [
        sum(len(batch_spans(p)) for p in paths[:i]) for i in range(len(paths))
    ]
    description = local_log.describe_topic(TOPIC).partitions[0]
    assert description.segments == len(paths)
    assert description.size_bytes == sum(path.stat().st_size for path in paths)
    assert read_all(local_log, TOPIC, 0) == [b"x" * 200] * 12


def test_a_batch_larger_than_segment_bytes_gets_a_segment_of_its_own(local_log: LocalLog) -> None:
    local_log.create_topic(TOPIC, TopicConfig(segment_bytes=500))
    local_log.append(TOPIC, [Record(b"small")])

    local_log.append(TOPIC, [Record(b"y" * 2000)])
    local_log.append(TOPIC, [Record(b"small")])

    assert segment_bases(local_log.data_dir) == [0, 1, 2]
    assert read_all(local_log, TOPIC, 0) == [b"small", b"y" * 2000, b"small"]


def test_segments_roll_by_age_of_record_timestamps(local_log: LocalLog) -> None:
    local_log.create_topic(TOPIC, TopicConfig(segment_ms=1000))

    for offset, timestamp in enumerate([10_000, 10_400, 10_999, 11_000, 11_500, 12_100, 12_200]):
        assert local_log.append(TOPIC, [Record(b"v", timestamp=timestamp)]) == [(0, offset)]

    # A segment rolls once a record is segment.ms newer than the segment's first.
    assert segment_bases(local_log.data_dir) == [0, 3, 5]


def test_records_far_in_the_past_do_not_roll_a_segment(local_log: LocalLog) -> None:
    local_log.create_topic(TOPIC, TopicConfig(segment_ms=1000))

    for timestamp in [50_000, 1_000, 50_500, 2_000]:
        local_log.append(TOPIC, [Record(b"v", timestamp=timestamp)])

    assert segment_bases(local_log.data_dir) == [0]


def test_reopening_continues_the_active_segment(data_dir: Path) -> None:
    with LocalLog(data_dir) as log:
        log.create_topic(TOPIC, TopicConfig(segment_bytes=10_000))
        log.append(TOPIC, [Record(b"a")])

    with LocalLog(data_dir) as log:
        log.append(TOPIC, [Record(b"b")])
        assert read_all(log, TOPIC, 0) == [b"a", b"b"]

    assert segment_bases(data_dir) == [0]
    assert len(batch_spans(segment_files(data_dir, TOPIC)[0])) == 2


def test_size_and_age_limits_still_apply_after_reopening(data_dir: Path) -> None:
    with LocalLog(data_dir) as log:
        log.create_topic(TOPIC, TopicConfig(segment_bytes=1000, segment_ms=1000))
        log.append(TOPIC, [Record(b"x", timestamp=5000)])
    with LocalLog(data_dir) as log:
        log.append(TOPIC, [Record(b"x", timestamp=6000)])  # by age
        log.append(TOPIC, [Record(b"x" * 600, timestamp=6000)])
    with LocalLog(data_dir) as log:
        log.append(TOPIC, [Record(b"x" * 600, timestamp=6000)])  # by size

    assert segment_bases(data_dir) == [0, 1, 3]


def test_reads_cross_segment_boundaries_in_order(local_log: LocalLog) -> None:
    local_log.create_topic(TOPIC, TopicConfig(segment_bytes=300))
    values = [f"value {i}".encode() * 3 for i in range(40)]
    for start in range(0, 40, 4):
        local_log.append(TOPIC, [Record(v) for v in values[start : start + 4]])

    assert len(segment_files(local_log.data_dir, TOPIC)) > 5
    for offset in range(40):
        records = local_log.read(TOPIC, 0, offset, max_records=7)
        assert [r.value for r in records] == values[offset : offset + len(records)]
        assert records
