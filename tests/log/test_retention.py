"""Retention: whole closed segments are deleted by record age or partition size.

``enforce_retention(now_ms=...)`` makes time explicit: ages are measured on record timestamps.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from hub.errors import OffsetOutOfRangeError
from hub.log import LocalLog, TopicConfig
from hub.record import Record
from tests.log.conftest import read_all, segment_files, value_for

TOPIC = "events"
DAY_MS = 86_400_000


def one_segment_per_append(**settings: object) -> TopicConfig:
    return TopicConfig(segment_bytes=1, **settings)  # type: ignore[arg-type]


def append_at(log: LocalLog, *timestamps: int) -> None:
    for timestamp in timestamps:
        offset = log.latest_offset(TOPIC, 0) if TOPIC in log.list_topics() else 0
        log.append(TOPIC, [Record(value_for(0, offset), timestamp=timestamp)])


def test_segments_older_than_retention_ms_are_deleted(local_log: LocalLog) -> None:
    local_log.create_topic(TOPIC, one_segment_per_append(retention_ms=5000))
    append_at(local_log, *range(1000, 11_000, 1000))  # offsets 0..9 at 1s..10s

    deleted = local_log.enforce_retention(now_ms=12_000)

    assert deleted == 6  # max timestamps 1s..6s are older than 12s - 5s
    assert local_log.earliest_offset(TOPIC, 0) == 6
    assert local_log.latest_offset(TOPIC, 0) == 10
    assert [int(p.stem) for p in segment_files(local_log.data_dir, TOPIC)] == [6, 7, 8, 9]
    assert local_log.describe_topic(TOPIC).partitions[0].earliest == 6
    assert read_all(local_log, TOPIC, 0) == [value_for(0, o) for o in range(6, 10)]
    with pytest.raises(OffsetOutOfRangeError, match="read from 6"):
        local_log.read(TOPIC, 0, 5)


def test_a_segment_is_kept_while_any_of_its_records_is_young(local_log: LocalLog) -> None:
    local_log.create_topic(TOPIC, TopicConfig(segment_bytes=10_000, retention_ms=5000))
    local_log.append(TOPIC, [Record(b"old", timestamp=1000), Record(b"young", timestamp=9000)])
    local_log.create_topic("other", one_segment_per_append())

    local_log.append(TOPIC, [Record(b"x" * 20_000, timestamp=9000)])  # rolls

    assert local_log.enforce_retention(now_ms=12_000) == 0
    assert local_log.earliest_offset(TOPIC, 0) == 0


def test_the_active_segment_is_never_deleted(local_log: LocalLog) -> None:
    local_log.create_topic(TOPIC, one_segment_per_append(retention_ms=1000))
    append_at(local_log, 1000, 2000, 3000)

    local_log.enforce_retention(now_ms=10**12)

    assert local_log.earliest_offset(TOPIC, 0) == 2
    assert read_all(local_log, TOPIC, 0) == [value_for(0, 2)]
    assert len(segment_files(local_log.data_dir, TOPIC)) == 1


def test_a_retention_ms_of_zero_deletes_every_closed_segment(local_log: LocalLog) -> None:
    local_log.create_topic(TOPIC, one_segment_per_append(retention_ms=0))
    append_at(local_log, 1000, 2000, 3000)

    assert local_log.enforce_retention(now_ms=3001) == 2


def test_offsets_are_not_reused_after_retention_and_a_restart(data_dir: Path) -> None:
    with LocalLog(data_dir) as log:
        log.create_topic(TOPIC, one_segment_per_append(retention_ms=1000))
        append_at(log, 1000, 2000, 3000, 4000)
        log.enforce_retention(now_ms=10**12)

    with LocalLog(data_dir) as log:
        assert (log.earliest_offset(TOPIC, 0), log.latest_offset(TOPIC, 0)) == (3, 4)
        assert log.append(TOPIC, [Record(b"next")]) == [(0, 4)]
        log.enforce_retention(now_ms=10**15)
        assert log.earliest_offset(TOPIC, 0) == 4
        assert log.read(TOPIC, 0, 4)[0].value == b"next"


def test_forever_keeps_everything(local_log: LocalLog) -> None:
    local_log.create_topic(TOPIC, one_segment_per_append(retention_ms=None))
    append_at(local_log, 1, 2, 3)

    assert local_log.enforce_retention(now_ms=10**15) == 0
    assert local_log.earliest_offset(TOPIC, 0) == 0


def test_retention_is_measured_on_record_timestamps_not_file_times(local_log: LocalLog) -> None:
    local_log.create_topic(TOPIC, one_segment_per_append(retention_ms=7 * DAY_MS))
    now = time.time_ns() // 1_000_000
    append_at(local_log, now - 30 * DAY_MS, now - 20 * DAY_MS, now - DAY_MS, now)

    assert local_log.enforce_retention() == 2
    assert local_log.earliest_offset(TOPIC, 0) == 2


def test_retention_bytes_keeps_the_partition_near_the_limit(local_log: LocalLog) -> None:
    local_log.create_topic(TOPIC, TopicConfig(segment_bytes=1000, retention_bytes=3500))
    for _ in range(30):
        local_log.append(TOPIC, [Record(b"z" * 300)])
    before = local_log.describe_topic(TOPIC).partitions[0]
    largest = max(path.stat().st_size for path in segment_files(local_log.data_dir, TOPIC))

    deleted = local_log.enforce_retention()

    after = local_log.describe_topic(TOPIC).partitions[0]
    assert deleted == before.segments - after.segments > 0
    assert 3500 <= after.size_bytes < 3500 + largest
    assert after.earliest > 0
    assert after.latest == before.latest == 30
    assert read_all(local_log, TOPIC, 0) == [b"z" * 300] * (30 - after.earliest)


def test_retention_bytes_never_deletes_the_active_segment(local_log: LocalLog) -> None:
    local_log.create_topic(TOPIC, one_segment_per_append(retention_bytes=0))
    append_at(local_log, 1, 2, 3)

    local_log.enforce_retention()

    assert (local_log.earliest_offset(TOPIC, 0), local_log.latest_offset(TOPIC, 0)) == (2, 3)


def test_retention_applies_to_every_partition(local_log: LocalLog) -> None:
    local_log.create_topic(TOPIC, one_segment_per_append(partitions=3, retention_ms=1000))
    for partition in range(3):
        for timestamp in (1000, 2000, 3000):
            local_log.append(TOPIC, [Record(b"v", partition=partition, timestamp=timestamp)])

    assert local_log.enforce_retention(now_ms=10**12) == 6
    assert [local_log.earliest_offset(TOPIC, p) for p in range(3)] == [2, 2, 2]


def test_retention_runs_in_the_background(data_dir: Path) -> None:
    with LocalLog(data_dir, retention_check_ms=50) as log:
        log.create_topic(TOPIC, one_segment_per_append(retention_ms=1000))
        append_at(log, 1000, 2000, 3000)

        deadline = time.monotonic() + 10
        while log.earliest_offset(TOPIC, 0) == 0 and time.monotonic() < deadline:
            time.sleep(0.02)

        assert log.earliest_offset(TOPIC, 0) == 2


def test_reads_racing_retention_get_records_or_out_of_range(local_log: LocalLog) -> None:
    local_log.create_topic(TOPIC, TopicConfig(segment_bytes=2000, retention_bytes=6000))
    stop = threading.Event()
    problems: list[BaseException] = []

    def reader() -> None:
        while not stop.is_set():
            offset = local_log.earliest_offset(TOPIC, 0)
            try:
                for record in local_log.read(TOPIC, 0, offset, max_records=50):
                    assert record.value == value_for(0, record.offset or 0)
            except OffsetOutOfRangeError:
                continue
            except BaseException as exc:  # pragma: no cover - reported below
                problems.append(exc)
                return

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for thread in readers:
        thread.start()
    try:
        for _ in range(300):
            append_at(local_log, 1)
            local_log.enforce_retention()
    finally:
        stop.set()
        for thread in readers:
            thread.join()

    assert problems == []
    assert local_log.earliest_offset(TOPIC, 0) > 0
