"""``Consumer`` over a real ``LocalLog``: where it starts, how it takes turns, what it commits."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.consumer import Consumer
from hub.errors import ConfigError, OffsetOutOfRangeError
from hub.log import LocalLog, TopicConfig
from hub.record import Record
from hub.store import Store


def _fill(log: LocalLog, topic: str, counts: list[int]) -> None:
    """``counts[p]`` records in partition ``p``, valued ``b"p:offset"``."""
    log.create_topic(topic, TopicConfig(partitions=len(counts)), exist_ok=True)
    for partition, count in enumerate(counts):
        start = log.latest_offset(topic, partition)
        values = [f"{partition}:{start + n}".encode() for n in range(count)]
        if values:
            log.append_batch(topic, partition, values)


def _where(records: list[Record]) -> list[tuple[int | None, int | None]]:
    return [(r.partition, r.offset) for r in records]


def _drain(consumer: Consumer) -> list[Record]:
    records: list[Record] = []
    while batch := consumer.poll(max_records=1000):
        records.extend(batch)
    return records


def test_a_consumer_without_group_starts_at_the_log_end(log: LocalLog) -> None:
    _fill(log, "orders", [3, 3])
    consumer = Consumer(log, None, None, "orders")
    _fill(log, "orders", [0, 1])

    assert _where(consumer.poll()) == [(1, 3)]


def test_from_beginning_reads_every_record_in_offset_order_per_partition(
    log: LocalLog,
) -> None:
    _fill(log, "orders", [5, 3, 0])

    records = _drain(Consumer(log, None, None, "orders", from_beginning=True))

    assert sorted(_where(records)) == [(0, n) for n in range(5)] + [(1, n) for n in range(3)]
    for partition in (0, 1):
        offsets = [r.offset or 0 for r in records if r.partition == partition]
        assert offsets == sorted(offsets)
    assert all(r.topic == "orders" for r in records)
    assert records[0].value == f"{records[0].partition}:{records[0].offset}".encode()


def test_polls_take_turns_across_partitions(log: LocalLog) -> None:
    _fill(log, "orders", [10, 10, 10])
    consumer = Consumer(log, None, None, "orders", from_beginning=True)

    firsts = [consumer.poll(max_records=4)[0].partition for _ in range(6)]

    assert firsts == [0, 1, 2, 0, 1, 2]


def test_a_poll_fills_up_from_the_next_partitions(log: LocalLog) -> None:
    _fill(log, "orders", [2, 2, 2])
    consumer = Consumer(log, None, None, "orders", from_beginning=True)

    assert _where(consumer.poll(max_records=5)) == [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0)]
    assert _where(consumer.poll(max_records=5)) == [(2, 1)]


def test_commit_stores_the_next_offset_to_read(log: LocalLog, sqlite_store: Store) -> None:
    _fill(log, "orders", [5, 2])
    consumer = Consumer(log, sqlite_store, "billing", "orders", from_beginning=True)
    _drain(consumer)

    assert consumer.commit() == {0: 5, 1: 2}
    assert sqlite_store.committed_offsets("billing") == {("orders", 0): 5, ("orders", 1): 2}


def test_commit_writes_only_partitions_that_moved_since_the_last_commit(
    log: LocalLog, sqlite_store: Store
) -> None:
    _fill(log, "orders", [2, 2])
    consumer = Consumer(log, sqlite_store, "billing", "orders", from_beginning=True)
    _drain(consumer)
    consumer.commit()
    _fill(log, "orders", [0, 3])
    _drain(consumer)

    assert consumer.commit() == {1: 5}
    assert consumer.commit() == {}


def test_a_consumer_resumes_after_the_last_committed_record(log: LocalLog, store: Store) -> None:
    _fill(log, "orders", [6, 6])
    first = Consumer(log, store, "billing", "orders", from_beginning=True)
    first.poll(max_records=4)  # partition 0, offsets 0..3
    first.commit()
    first.poll(max_records=4)  # read but never committed: must come again

    second = Consumer(log, store, "billing", "orders", from_beginning=True)

    assert second.positions() == {0: 4, 1: 0}
    assert sorted(_where(_drain(second))) == [(0, 4), (0, 5)] + [(1, n) for n in range(6)]


def test_the_group_offset_wins_over_from_beginning(log: LocalLog, sqlite_store: Store) -> None:
    _fill(log, "orders", [6])
    sqlite_store.commit_offsets("billing", {("orders", 0): 4})

    consumer = Consumer(log, sqlite_store, "billing", "orders", from_beginning=True)

    assert _where(consumer.poll()) == [(0, 4), (0, 5)]


def test_a_new_group_starts_at_the_log_end_unless_from_beginning(
    log: LocalLog, sqlite_store: Store
) -> None:
    _fill(log, "orders", [6])

    assert Consumer(log, sqlite_store, "new", "orders").positions() == {0: 6}
    assert Consumer(log, sqlite_store, "new", "orders", from_beginning=True).positions() == {0: 0}


def test_a_committed_offset_lost_to_retention_restarts_at_earliest_with_a_warning(
    log: LocalLog, sqlite_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    log.create_topic("events", TopicConfig(segment_bytes=1, retention_bytes=1))
    for n in range(5):
        log.append_batch("events", 0, [f"0:{n}".encode()])
    sqlite_store.commit_offsets("billing", {("events", 0): 1})
    log.enforce_retention()
    earliest = log.earliest_offset("events", 0)
    assert earliest > 1

    with caplog.at_level(logging.WARNING, logger="hub.consumer"):
        consumer = Consumer(log, sqlite_store, "billing", "events")

    assert consumer.position(0) == earliest
    assert "gone to retention" in caplog.text
    assert _where(consumer.poll())[0] == (0, earliest)


def test_records_deleted_while_consuming_are_skipped_with_a_warning(
    log: LocalLog, caplog: pytest.LogCaptureFixture
) -> None:
    log.create_topic("events", TopicConfig(segment_bytes=1, retention_bytes=1))
    for n in range(5):
        log.append_batch("events", 0, [f"0:{n}".encode()])
    consumer = Consumer(log, None, None, "events", from_beginning=True)
    log.enforce_retention()

    with caplog.at_level(logging.WARNING, logger="hub.consumer"):
        records = _drain(consumer)

    assert [r.offset for r in records] == [4]
    assert "gone to retention" in caplog.text


def test_explicit_start_offsets_override_the_group(log: LocalLog, sqlite_store: Store) -> None:
    _fill(log, "orders", [6, 6])
    sqlite_store.commit_offsets("billing", {("orders", 0): 1, ("orders", 1): 1})

    consumer = Consumer(log, sqlite_store, "billing", "orders", offsets={1: 5})

    assert consumer.positions() == {0: 1, 1: 5}


def test_an_explicit_offset_outside_the_partition_is_refused(log: LocalLog) -> None:
    _fill(log, "orders", [3])

    with pytest.raises(OffsetOutOfRangeError, match=r"orders-0 holds offsets 0\.\.3"):
        Consumer(log, None, None, "orders", offsets={0: 4})


def test_only_the_given_partitions_are_read(log: LocalLog) -> None:
    _fill(log, "orders", [2, 2, 2])

    records = _drain(Consumer(log, None, None, "orders", partitions=[2], from_beginning=True))

    assert _where(records) == [(2, 0), (2, 1)]


def test_a_partition_the_topic_lacks_is_refused(log: LocalLog) -> None:
    _fill(log, "orders", [1])

    with pytest.raises(ConfigError, match="no partition 1"):
        Consumer(log, None, None, "orders", partitions=[1])


def test_seek_rewinds_and_the_rewound_position_is_committed(
    log: LocalLog, sqlite_store: Store
) -> None:
    _fill(log, "orders", [4])
    consumer = Consumer(log, sqlite_store, "billing", "orders", from_beginning=True)
    _drain(consumer)

    consumer.seek(0, 1)

    assert _where(consumer.poll(max_records=1)) == [(0, 1)]
    assert consumer.commit() == {0: 2}


def test_a_sink_may_commit_less_than_it_polled(log: LocalLog, sqlite_store: Store) -> None:
    _fill(log, "orders", [4])
    consumer = Consumer(log, sqlite_store, "billing", "orders", from_beginning=True)
    _drain(consumer)

    consumer.commit({0: 2})

    assert sqlite_store.committed_offsets("billing") == {("orders", 0): 2}
    assert consumer.commit() == {0: 4}


def test_a_consumer_without_group_cannot_commit(log: LocalLog) -> None:
    _fill(log, "orders", [1])

    with pytest.raises(ValueError, match="no group"):
        Consumer(log, None, None, "orders").commit()


def test_a_group_needs_a_store(log: LocalLog) -> None:
    _fill(log, "orders", [1])

    with pytest.raises(ValueError, match="needs a store"):
        Consumer(log, None, "billing", "orders")


@pytest.mark.parametrize("partitions", [1, 3])
def test_poll_waits_for_records_appended_meanwhile(log: LocalLog, partitions: int) -> None:
    _fill(log, "orders", [0] * partitions)
    consumer = Consumer(log, None, None, "orders")
    appender = threading.Timer(0.2, _fill, args=(log, "orders", [0] * (partitions - 1) + [1]))
    appender.start()
    started = time.monotonic()
    try:
        records = consumer.poll(timeout_ms=5000)
    finally:
        appender.join()

    assert _where(records) == [(partitions - 1, 0)]
    assert 0.15 < time.monotonic() - started < 2


def test_an_idle_poll_returns_nothing_after_its_timeout(log: LocalLog) -> None:
    _fill(log, "orders", [1, 1])
    consumer = Consumer(log, None, None, "orders")
    started = time.monotonic()

    assert consumer.poll(timeout_ms=200) == []
    assert 0.15 < time.monotonic() - started < 2


@pytest.fixture
def reader(log: LocalLog, data_dir: Path) -> Iterator[LocalLog]:
    with LocalLog(data_dir, read_only=True) as opened:
        yield opened


def test_a_reader_of_a_directory_another_log_writes_consumes_and_commits(
    log: LocalLog, reader: LocalLog, sqlite_store: Store
) -> None:
    _fill(log, "orders", [3])
    consumer = Consumer(reader, sqlite_store, "cli", "orders", from_beginning=True)
    assert len(_drain(consumer)) == 3
    _fill(log, "orders", [2])

    assert _where(consumer.poll(timeout_ms=2000)) == [(0, 3), (0, 4)]
    assert consumer.commit() == {0: 5}


def test_a_committed_offset_beyond_the_log_end_starts_at_the_end_with_a_warning(
    log: LocalLog, sqlite_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    _fill(log, "orders", [3])
    sqlite_store.commit_offsets("billing", {("orders", 0): 10})

    with caplog.at_level(logging.WARNING, logger="hub.consumer"):
        consumer = Consumer(log, sqlite_store, "billing", "orders")

    assert consumer.positions() == {0: 3}
    assert "beyond the log end 3" in caplog.text
