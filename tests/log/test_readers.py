"""Readers in other processes: a ``read_only`` ``LocalLog`` follows a running writer.

The writer is this test's process; the reader is ``reader_child.py`` in a process of its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from hub.log import LocalLog, TopicConfig
from hub.log.recordbatch import encode_batch
from hub.record import Record
from tests.log.conftest import Child, segment_files, value_for

READER = Path(__file__).with_name("reader_child.py")
TOPIC = "events"


def start_reader(spawn: Callable[..., Child], data_dir: Path) -> Child:
    child = spawn(READER, str(data_dir))
    assert child.readline() == '{"ok": "ready"}'
    return child


@pytest.fixture
def reader(local_log: LocalLog, spawn: Callable[..., Child]) -> Child:
    """A reader process on the data directory that ``local_log`` writes."""
    return start_reader(spawn, local_log.data_dir)


def hexes(*offsets: int, partition: int = 0) -> list[list[object]]:
    return [[o, value_for(partition, o).hex()] for o in offsets]


def append(log: LocalLog, count: int, partition: int = 0) -> None:
    base = log.latest_offset(TOPIC, partition)
    log.append_batch(TOPIC, partition, [value_for(partition, base + i) for i in range(count)])


def read_everything(reader: Child, start: int = 0) -> list[list[object]]:
    records: list[list[object]] = []
    offset = start
    while batch := reader.call("read", topic=TOPIC, partition=0, offset=offset):
        records.extend(batch)
        offset = batch[-1][0] + 1
    return records


def test_a_reader_sees_what_a_running_writer_appends(local_log: LocalLog, reader: Child) -> None:
    local_log.create_topic(TOPIC)
    append(local_log, 3)

    assert reader.call("read", topic=TOPIC, partition=0, offset=0) == hexes(0, 1, 2)

    append(local_log, 2)
    local_log.append(TOPIC, [Record(value_for(0, 5))])

    assert reader.call("latest", topic=TOPIC, partition=0) == 6
    assert reader.call("read", topic=TOPIC, partition=0, offset=3) == hexes(3, 4, 5)
    assert reader.call("read", topic=TOPIC, partition=0, offset=6) == []


def test_a_reader_long_poll_wakes_when_the_writer_appends(
    local_log: LocalLog, reader: Child
) -> None:
    local_log.create_topic(TOPIC)
    append(local_log, 1)

    started = time.monotonic()
    reader.send(
        '{"op": "read", "topic": "events", "partition": 0, "offset": 1, "timeout_ms": 20000}'
    )
    time.sleep(0.3)
    append(local_log, 2)
    reply = reader.readline()

    assert reply == '{"ok": ' + str(hexes(1, 2)).replace("'", '"') + "}"
    assert time.monotonic() - started < 10


def test_a_reader_long_poll_times_out_with_nothing(local_log: LocalLog, reader: Child) -> None:
    local_log.create_topic(TOPIC)

    started = time.monotonic()
    assert reader.call("read", topic=TOPIC, partition=0, offset=0, timeout_ms=300) == []
    assert 0.25 <= time.monotonic() - started < 10


def test_a_reader_sees_topics_created_after_it_opened(local_log: LocalLog, reader: Child) -> None:
    assert reader.call("list") == []

    local_log.create_topic(TOPIC, TopicConfig(partitions=2))
    append(local_log, 2, partition=1)

    assert reader.call("list") == [TOPIC]
    assert reader.call("describe", name=TOPIC) == [[0, 0, 1], [0, 2, 1]]
    assert reader.call("read", topic=TOPIC, partition=1, offset=0) == hexes(0, 1, partition=1)


def test_an_unknown_topic_is_not_found_by_a_reader(reader: Child) -> None:
    error = reader.call("read", topic="nope", partition=0, offset=0)

    assert error[:2] == ("error", "TopicNotFoundError")


def test_a_reader_follows_the_writer_across_segment_rolls(
    local_log: LocalLog, reader: Child
) -> None:
    local_log.create_topic(TOPIC, TopicConfig(segment_bytes=500))
    append(local_log, 2)
    assert read_everything(reader) == hexes(0, 1)

    for _ in range(20):
        append(local_log, 2)

    segments = len(segment_files(local_log.data_dir, TOPIC))
    assert segments > 5
    assert read_everything(reader, 2) == hexes(*range(2, 42))
    assert reader.call("describe", name=TOPIC) == [[0, 42, segments]]


def test_a_reader_is_not_confused_by_retention_deleting_segments(
    local_log: LocalLog, reader: Child
) -> None:
    local_log.create_topic(TOPIC, TopicConfig(segment_bytes=300, retention_bytes=500))
    for _ in range(10):
        append(local_log, 1)
    assert read_everything(reader) == hexes(*range(10))  # the reader has every segment open

    local_log.enforce_retention()
    earliest = local_log.earliest_offset(TOPIC, 0)
    assert earliest > 0

    error = reader.call("read", topic=TOPIC, partition=0, offset=0)
    assert error[:2] == ("error", "OffsetOutOfRangeError")
    assert f"read from {earliest}" in error[2]
    assert reader.call("earliest", topic=TOPIC, partition=0) == earliest
    assert read_everything(reader, earliest) == hexes(*range(earliest, 10))

    for _ in range(10):
        append(local_log, 1)
        local_log.enforce_retention()
    earliest = local_log.earliest_offset(TOPIC, 0)
    assert read_everything(reader, earliest) == hexes(*range(earliest, 20))
    assert reader.call("describe", name=TOPIC)[0][:2] == [earliest, 20]


def test_a_reader_finds_offsets_by_time(local_log: LocalLog, reader: Child) -> None:
    local_log.create_topic(TOPIC, TopicConfig(segment_bytes=200))
    for n in range(10):
        local_log.append(TOPIC, [Record(b"v" * 50, timestamp=1000 * n)])

    assert reader.call("offset_for_time", topic=TOPIC, partition=0, timestamp_ms=4500) == 5
    assert reader.call("offset_for_time", topic=TOPIC, partition=0, timestamp_ms=99_999) is None


def test_a_reader_cannot_write(local_log: LocalLog, reader: Child) -> None:
    local_log.create_topic(TOPIC)

    error = reader.call("append", topic=TOPIC)

    assert error[:2] == ("error", "LogError")
    assert "read-only" in error[2]
    assert local_log.latest_offset(TOPIC, 0) == 0


def test_a_reader_sees_a_batch_only_once_it_has_landed_whole(
    data_dir: Path, spawn: Callable[..., Child]
) -> None:
    with LocalLog(data_dir) as log:
        log.create_topic(TOPIC)
        append(log, 2)
    active = segment_files(data_dir, TOPIC)[-1]

    def land(base: int, count: int, pieces: int) -> list[bytes]:
        batch = encode_batch(base, [value_for(0, base + i) for i in range(count)], timestamp=5)
        cut = len(batch) // pieces
        return [batch[i * cut : (i + 1) * cut if i < pieces - 1 else None] for i in range(pieces)]

    first = land(2, 3, pieces=2)
    with active.open("ab") as file:  # the writer is half way through a batch
        file.write(first[0])
    reader = start_reader(spawn, data_dir)

    assert reader.call("latest", topic=TOPIC, partition=0) == 2
    assert reader.call("read", topic=TOPIC, partition=0, offset=2) == []

    second = land(5, 4, pieces=3)
    with active.open("ab") as file:
        file.write(first[1])
        file.write(second[0])
    assert reader.call("latest", topic=TOPIC, partition=0) == 5
    assert reader.call("read", topic=TOPIC, partition=0, offset=2) == hexes(2, 3, 4)

    for piece in second[1:]:
        with active.open("ab") as file:
            file.write(piece)
        reader.call("latest", topic=TOPIC, partition=0)

    assert reader.call("latest", topic=TOPIC, partition=0) == 9
    assert read_everything(reader) == hexes(*range(9))
