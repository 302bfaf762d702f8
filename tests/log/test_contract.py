"""The ``Log`` contract (``hub/log/base.py``), run against every backend through ``log_factory``.

Tests here use only the public ``Log`` interface and fresh topic names, so that a backend over a
shared cluster can run them too.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import defaultdict

import pytest

from hub.errors import (
    ConfigError,
    LogError,
    OffsetOutOfRangeError,
    TopicExistsError,
    TopicNotFoundError,
)
from hub.log import Log, TopicConfig
from hub.record import Record
from tests.log.conftest import LogFactory, read_all

# Kafka's own test vector (``UtilsTest.testMurmur2``): murmur2("21") == -973932308.
KEY_21_PARTITION_OF_7 = ((-973932308) & 0x7FFFFFFF) % 7


def values_of(records: list[Record]) -> list[bytes | None]:
    return [r.value for r in records]


# -- topics ----------------------------------------------------------------------------------------
def test_created_topic_is_listed_and_described(log: Log, topic: str) -> None:
    config = TopicConfig(partitions=3)

    assert log.create_topic(topic, config) == config

    assert topic in log.list_topics()
    assert log.topic_config(topic).partitions == 3
    assert log.partitions(topic) == 3
    description = log.describe_topic(topic)
    assert description.name == topic
    assert [(p.partition, p.earliest, p.latest) for p in description.partitions] == [
        (0, 0, 0),
        (1, 0, 0),
        (2, 0, 0),
    ]


def test_list_topics_is_sorted(log: Log, topic: str) -> None:
    for suffix in ("b", "a", "c"):
        log.create_topic(f"{topic}-{suffix}")

    names = [name for name in log.list_topics() if name.startswith(topic)]

    assert names == [f"{topic}-a", f"{topic}-b", f"{topic}-c"]
    assert log.list_topics() == sorted(log.list_topics())


def test_creating_an_existing_topic_raises_topic_exists(log: Log, topic: str) -> None:
    log.create_topic(topic, TopicConfig(partitions=2))

    with pytest.raises(TopicExistsError, match=topic):
        log.create_topic(topic)


def test_exist_ok_returns_the_existing_config(log: Log, topic: str) -> None:
    log.create_topic(topic, TopicConfig(partitions=2))

    config = log.create_topic(topic, TopicConfig(partitions=5), exist_ok=True)

    assert config.partitions == 2
    assert log.partitions(topic) == 2


def test_deleted_topic_is_gone_with_its_data(log: Log, topic: str) -> None:
    log.create_topic(topic)
    log.append(topic, [Record(b"doomed")])

    log.delete_topic(topic)

    assert topic not in log.list_topics()
    with pytest.raises(TopicNotFoundError):
        log.describe_topic(topic)
    with pytest.raises(TopicNotFoundError):
        log.read(topic, 0, 0)


def test_a_topic_created_again_after_deletion_starts_empty(log: Log, topic: str) -> None:
    log.append(topic, [Record(b"old"), Record(b"old")])
    log.delete_topic(topic)

    log.create_topic(topic)

    assert log.latest_offset(topic, 0) == 0
    assert log.append(topic, [Record(b"new")]) == [(0, 0)]
    assert values_of(log.read(topic, 0, 0)) == [b"new"]


def test_deleting_an_unknown_topic_raises_topic_not_found(log: Log, topic: str) -> None:
    with pytest.raises(TopicNotFoundError, match=topic):
        log.delete_topic(topic)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda log, t: log.topic_config(t), id="topic_config"),
        pytest.param(lambda log, t: log.describe_topic(t), id="describe_topic"),
        pytest.param(lambda log, t: log.read(t, 0, 0), id="read"),
        pytest.param(lambda log, t: log.fetch(t, 0, 0), id="fetch"),
        pytest.param(lambda log, t: log.earliest_offset(t, 0), id="earliest_offset"),
        pytest.param(lambda log, t: log.latest_offset(t, 0), id="latest_offset"),
        pytest.param(lambda log, t: log.offset_for_time(t, 0, 0), id="offset_for_time"),
    ],
)
def test_unknown_topic_raises_topic_not_found(log: Log, topic: str, call: object) -> None:
    with pytest.raises(TopicNotFoundError, match=topic):
        call(log, topic)  # type: ignore[operator]


@pytest.mark.parametrize(
    "name", ["", "has space", "slash/ed", ".", "..", "x" * 250, "ünïcode", "tab\t", "colon:"]
)
def test_invalid_topic_names_are_rejected(log: Log, name: str) -> None:
    with pytest.raises(ConfigError, match="invalid topic name"):
        log.create_topic(name)
    assert name not in log.list_topics()


def test_append_rejects_an_invalid_topic_name(log: Log) -> None:
    with pytest.raises(ConfigError, match="invalid topic name"):
        log.append("no/slashes", [Record(b"v")])


@pytest.mark.parametrize("name", ["a", "A-z_0.9", "x" * 249, "..."])
def test_kafka_legal_topic_names_are_accepted(log: Log, name: str) -> None:
    log.create_topic(name)

    assert name in log.list_topics()


# -- appending -------------------------------------------------------------------------------------
def test_append_creates_a_missing_topic_with_the_default_config(
    log_factory: LogFactory, topic: str
) -> None:
    log = log_factory(default_config=TopicConfig(partitions=4))

    log.append(topic, [Record(b"v")])

    assert topic in log.list_topics()
    assert log.partitions(topic) == 4


def test_append_without_auto_create_raises_topic_not_found(
    log_factory: LogFactory, topic: str
) -> None:
    log = log_factory(auto_create_topics=False)

    with pytest.raises(TopicNotFoundError, match=topic):
        log.append(topic, [Record(b"v")])
    assert topic not in log.list_topics()


def test_append_of_nothing_returns_nothing(log: Log, topic: str) -> None:
    log.create_topic(topic)

    assert log.append(topic, []) == []
    assert log.latest_offset(topic, 0) == 0


def test_append_returns_partition_and_offset_of_each_record_in_input_order(
    log: Log, topic: str
) -> None:
    log.create_topic(topic, TopicConfig(partitions=3))
    records = [
        Record(b"a", partition=2),
        Record(b"b", partition=0),
        Record(b"c", partition=2),
        Record(b"d", partition=1),
        Record(b"e", partition=0),
    ]

    positions = log.append(topic, records)

    assert positions == [(2, 0), (0, 0), (2, 1), (1, 0), (0, 1)]
    for record, (partition, offset) in zip(records, positions, strict=True):
        assert values_of(log.read(topic, partition, offset, max_records=1)) == [record.value]


def test_offsets_are_dense_from_zero_in_each_partition(log: Log, topic: str) -> None:
    log.create_topic(topic, TopicConfig(partitions=2))
    seen: dict[int, list[int]] = defaultdict(list)

    for n in range(1, 12):
        for partition, offset in log.append(
            topic, [Record(b"v", partition=(n + i) % 2) for i in range(n)]
        ):
            seen[partition].append(offset)

    for partition, offsets in seen.items():
        assert offsets == list(range(len(offsets)))
        assert log.latest_offset(topic, partition) == len(offsets)
        assert log.earliest_offset(topic, partition) == 0


def test_explicit_partition_wins_over_the_key(log: Log, topic: str) -> None:
    log.create_topic(topic, TopicConfig(partitions=7))
    target = (KEY_21_PARTITION_OF_7 + 1) % 7

    assert log.append(topic, [Record(b"v", key=b"21", partition=target)]) == [(target, 0)]


def test_append_to_a_missing_partition_fails_and_appends_nothing(log: Log, topic: str) -> None:
    log.create_topic(topic, TopicConfig(partitions=2))

    with pytest.raises(LogError, match="partition 5"):
        log.append(topic, [Record(b"ok", partition=0), Record(b"bad", partition=5)])

    assert [log.latest_offset(topic, p) for p in (0, 1)] == [0, 0]


def test_append_with_an_unencodable_value_fails_and_appends_nothing(log: Log, topic: str) -> None:
    log.create_topic(topic, TopicConfig(partitions=2))

    with pytest.raises(TypeError, match="bytes"):
        log.append(topic, [Record(b"ok", partition=0), Record(42, partition=1)])

    assert [log.latest_offset(topic, p) for p in (0, 1)] == [0, 0]


def test_key_chooses_the_partition_kafka_would(log: Log, topic: str) -> None:
    log.create_topic(topic, TopicConfig(partitions=7))

    positions = log.append(topic, [Record(b"v", key=b"21") for _ in range(3)])

    assert KEY_21_PARTITION_OF_7 == 3
    assert positions == [(3, 0), (3, 1), (3, 2)]


def test_a_key_always_lands_in_the_same_partition(log: Log, topic: str) -> None:
    log.create_topic(topic, TopicConfig(partitions=5))
    keys = [f"customer-{i}".encode() for i in range(20)]

    first = log.append(topic, [Record(b"v", key=k) for k in keys])
    second = log.append(topic, [Record(b"v", key=k) for k in reversed(keys)])

    assert [p for p, _ in first] == [p for p, _ in reversed(second)]
    assert len({p for p, _ in first}) > 1


def test_str_keys_hash_like_their_utf8_bytes(log: Log, topic: str) -> None:
    log.create_topic(topic, TopicConfig(partitions=7))

    assert log.append(topic, [Record(b"v", key="21")]) == [(KEY_21_PARTITION_OF_7, 0)]


def test_keyless_records_of_one_append_share_a_partition(log: Log, topic: str) -> None:
    log.create_topic(topic, TopicConfig(partitions=4))

    for _ in range(6):
        positions = log.append(topic, [Record(b"v") for _ in range(5)])
        assert len({p for p, _ in positions}) == 1


def test_successive_keyless_appends_move_round_robin(log: Log, topic: str) -> None:
    log.create_topic(topic, TopicConfig(partitions=3))

    chosen = [log.append(topic, [Record(b"v"), Record(b"w")])[0][0] for _ in range(7)]

    assert all(b == (a + 1) % 3 for a, b in itertools.pairwise(chosen))
    assert set(chosen) == {0, 1, 2}


def test_keyless_records_stick_together_beside_keyed_ones(log: Log, topic: str) -> None:
    log.create_topic(topic, TopicConfig(partitions=7))

    positions = log.append(
        topic,
        [
            Record(b"v"),
            Record(b"k", key=b"21"),
            Record(b"v"),
            Record(b"v"),
            Record(b"k", key=b"21"),
        ],
    )

    assert positions[1][0] == positions[4][0] == KEY_21_PARTITION_OF_7
    assert len({positions[i][0] for i in (0, 2, 3)}) == 1


def test_append_batch_returns_the_base_offset(log: Log, topic: str) -> None:
    log.create_topic(topic, TopicConfig(partitions=2))
    log.append(topic, [Record(b"first", partition=1)])

    base = log.append_batch(
        topic,
        1,
        [b"a", None, b"c"],
        keys=[b"k1", None, b"k3"],
        headers=[(("h", b"1"),), (), (("x", None), ("y", b""))],
        timestamp=1_700_000_000_000,
    )

    assert base == 1
    records = log.read(topic, 1, 1)
    assert [r.offset for r in records] == [1, 2, 3]
    assert values_of(records) == [b"a", None, b"c"]
    assert [r.key for r in records] == [b"k1", None, b"k3"]
    assert [r.headers for r in records] == [(("h", b"1"),), (), (("x", None), ("y", b""))]
    assert {r.timestamp for r in records} == {1_700_000_000_000}
    assert {(r.topic, r.partition) for r in records} == {(topic, 1)}


def test_append_batch_creates_a_missing_topic(log: Log, topic: str) -> None:
    assert log.append_batch(topic, 0, [b"a", b"b"]) == 0
    assert log.append_batch(topic, 0, [b"c"]) == 2

    assert read_all(log, topic, 0) == [b"a", b"b", b"c"]


def test_append_batch_of_nothing_returns_the_log_end(log: Log, topic: str) -> None:
    log.append_batch(topic, 0, [b"a", b"b"])

    assert log.append_batch(topic, 0, []) == 2
    assert log.latest_offset(topic, 0) == 2


def test_append_batch_to_a_missing_partition_raises(log: Log, topic: str) -> None:
    log.create_topic(topic, TopicConfig(partitions=2))

    with pytest.raises(LogError, match="partition 2"):
        log.append_batch(topic, 2, [b"a"])


def test_append_without_a_timestamp_stamps_the_current_time(log: Log, topic: str) -> None:
    before = time.time_ns() // 1_000_000
    log.append(topic, [Record(b"v")])
    log.append_batch(topic, 0, [b"w"])
    after = time.time_ns() // 1_000_000

    assert all(before <= r.timestamp <= after for r in log.read(topic, 0, 0))  # type: ignore[operator]


def test_headers_null_keys_tombstones_and_timestamps_round_trip(log: Log, topic: str) -> None:
    records = [
        Record(b"v1", key=b"k", headers=(("trace", b"abc"), ("empty", b""), ("null", None))),
        Record(None, key=b"deleted"),
        Record(b"", key=None, timestamp=5),
        Record(b"\x00\xff" * 5000, key=b"\x00", headers=(("ünï", b"\x01"),), timestamp=1),
        Record(b"last", timestamp=1_700_000_000_123),
    ]
    for record in records:
        record.partition = 0
        if record.timestamp is None:
            record.timestamp = 1_600_000_000_000

    log.append(topic, records)
    back = log.read(topic, 0, 0)

    assert [(r.value, r.key, r.headers, r.timestamp) for r in back] == [
        (r.value, r.key, r.headers, r.timestamp) for r in records
    ]
    assert [(r.topic, r.partition, r.offset) for r in back] == [(topic, 0, i) for i in range(5)]


# -- reading ---------------------------------------------------------------------------------------
def test_read_returns_records_from_the_requested_offset(log: Log, topic: str) -> None:
    log.append(topic, [Record(f"v{i}".encode()) for i in range(10)])

    records = log.read(topic, 0, 4)

    assert [r.offset for r in records] == list(range(4, 10))
    assert values_of(records) == [f"v{i}".encode() for i in range(4, 10)]


def test_read_returns_at_most_max_records(log: Log, topic: str) -> None:
    for start in range(0, 30, 10):
        log.append(topic, [Record(f"v{i}".encode()) for i in range(start, start + 10)])

    records = log.read(topic, 0, 5, max_records=12)

    assert [r.offset for r in records] == list(range(5, 17))


def test_read_stops_near_max_bytes(log: Log, topic: str) -> None:
    for i in range(10):
        log.append(topic, [Record(bytes([i]) * 10_000)])

    records = log.read(topic, 0, 0, max_bytes=35_000)

    assert 1 <= len(records) < 10
    assert [r.offset for r in records] == list(range(len(records)))


def test_read_returns_one_record_larger_than_max_bytes(log: Log, topic: str) -> None:
    big = b"x" * 100_000
    log.append(topic, [Record(big)])
    log.append(topic, [Record(big)])

    records = log.read(topic, 0, 0, max_bytes=1)

    assert values_of(records) == [big]


def test_fetch_returns_whole_batches_covering_the_offset(log: Log, topic: str) -> None:
    log.append(topic, [Record(f"v{i}".encode()) for i in range(5)])
    log.append(topic, [Record(f"w{i}".encode()) for i in range(5)])

    batches = log.fetch(topic, 0, 3)

    assert batches[0].base_offset <= 3 <= batches[0].last_offset
    assert batches[-1].last_offset == 9
    offsets = [o for b in batches for o in b.columns().offsets]
    assert offsets == list(range(batches[0].base_offset, 10))


def test_reading_at_the_log_end_returns_nothing(log: Log, topic: str) -> None:
    log.append(topic, [Record(b"v")])

    assert log.read(topic, 0, 1) == []
    assert log.fetch(topic, 0, 1) == []


def test_reading_an_empty_partition_returns_nothing(log: Log, topic: str) -> None:
    log.create_topic(topic, TopicConfig(partitions=2))

    assert log.read(topic, 1, 0) == []


@pytest.mark.parametrize("offset", [-1, 3, 100])
def test_reading_outside_the_log_raises_offset_out_of_range(
    log: Log, topic: str, offset: int
) -> None:
    log.append(topic, [Record(b"a"), Record(b"b")])

    with pytest.raises(OffsetOutOfRangeError, match=f"offset {offset}"):
        log.read(topic, 0, offset)
    with pytest.raises(OffsetOutOfRangeError):
        log.fetch(topic, 0, offset)


def test_reading_a_missing_partition_raises(log: Log, topic: str) -> None:
    log.create_topic(topic, TopicConfig(partitions=2))

    with pytest.raises(LogError, match="no partition 2"):
        log.read(topic, 2, 0)


def test_long_poll_wakes_when_another_thread_appends(log: Log, topic: str) -> None:
    log.create_topic(topic)
    result: list[list[Record]] = []
    reader = threading.Thread(
        target=lambda: result.append(log.read(topic, 0, 0, timeout_ms=10_000))
    )

    started = time.monotonic()
    reader.start()
    time.sleep(0.2)
    log.append(topic, [Record(b"wake up")])
    reader.join(timeout=10)

    assert values_of(result[0]) == [b"wake up"]
    assert time.monotonic() - started < 5


def test_long_poll_returns_nothing_when_the_timeout_passes(log: Log, topic: str) -> None:
    log.append(topic, [Record(b"v")])

    started = time.monotonic()
    records = log.read(topic, 0, 1, timeout_ms=300)
    waited = time.monotonic() - started

    assert records == []
    assert 0.25 <= waited < 3


def test_long_poll_returns_at_once_when_data_is_there(log: Log, topic: str) -> None:
    log.append(topic, [Record(b"v")])

    started = time.monotonic()
    assert values_of(log.read(topic, 0, 0, timeout_ms=10_000)) == [b"v"]
    assert time.monotonic() - started < 2


def test_wait_wakes_when_the_offset_arrives_and_says_so(log: Log, topic: str) -> None:
    log.create_topic(topic)
    result: list[bool] = []
    waiter = threading.Thread(target=lambda: result.append(log.wait(topic, 0, 0, 10_000)))

    started = time.monotonic()
    waiter.start()
    time.sleep(0.2)
    log.append(topic, [Record(b"wake up")])
    waiter.join(timeout=10)

    assert result == [True]
    assert time.monotonic() - started < 5
    assert log.wait(topic, 0, 0, 10_000)  # at once: the offset is there
    assert not log.wait(topic, 0, 1, 50)  # not there when the time is up


def test_wait_past_the_end_lasts_until_the_log_has_grown_to_the_offset(
    log: Log, topic: str
) -> None:
    log.create_topic(topic)
    assert not log.wait(topic, 0, 3, 50)  # three records short
    result: list[bool] = []
    waiter = threading.Thread(target=lambda: result.append(log.wait(topic, 0, 3, 10_000)))
    waiter.start()
    log.append(topic, [Record(b"1"), Record(b"2"), Record(b"3")])
    time.sleep(0.2)
    assert waiter.is_alive()  # offsets 0..2 are there, 3 is not yet
    log.append(topic, [Record(b"4")])
    waiter.join(timeout=10)
    assert result == [True]


def test_earliest_and_latest_offsets_bound_the_partition(log: Log, topic: str) -> None:
    log.create_topic(topic, TopicConfig(partitions=2))
    log.append(topic, [Record(b"v", partition=1) for _ in range(4)])

    assert (log.earliest_offset(topic, 1), log.latest_offset(topic, 1)) == (0, 4)
    assert (log.earliest_offset(topic, 0), log.latest_offset(topic, 0)) == (0, 0)


def test_offset_for_time_finds_the_first_record_at_or_after_a_time(log: Log, topic: str) -> None:
    log.append(topic, [Record(b"v", timestamp=t) for t in (1000, 2000, 2000, 3000)])
    log.append(topic, [Record(b"v", timestamp=t) for t in (4000, 5000)])

    assert log.offset_for_time(topic, 0, 0) == 0
    assert log.offset_for_time(topic, 0, 1000) == 0
    assert log.offset_for_time(topic, 0, 1001) == 1
    assert log.offset_for_time(topic, 0, 2000) == 1
    assert log.offset_for_time(topic, 0, 3500) == 4
    assert log.offset_for_time(topic, 0, 5000) == 5
    assert log.offset_for_time(topic, 0, 5001) is None


def test_offset_for_time_copes_with_timestamps_out_of_order(log: Log, topic: str) -> None:
    log.append(topic, [Record(b"v", timestamp=t) for t in (5000, 1000, 3000)])
    log.append(topic, [Record(b"v", timestamp=t) for t in (2000, 6000)])

    assert log.offset_for_time(topic, 0, 4000) == 0
    assert log.offset_for_time(topic, 0, 5500) == 4


def test_offset_for_time_in_an_empty_partition_is_none(log: Log, topic: str) -> None:
    log.create_topic(topic)

    assert log.offset_for_time(topic, 0, 0) is None


# -- lifecycle -------------------------------------------------------------------------------------
def test_reopened_log_keeps_everything_and_offsets_continue_densely(
    log_factory: LogFactory, topic: str
) -> None:
    log = log_factory()
    log.create_topic(topic, TopicConfig(partitions=2, retention_ms=None))
    log.append(topic, [Record(f"a{i}".encode(), key=b"k", partition=i % 2) for i in range(6)])
    log.append_batch(topic, 1, [b"b0", b"b1"], headers=[(("h", b"1"),), ()], timestamp=42)
    log.close()

    log = log_factory()

    assert topic in log.list_topics()
    assert log.topic_config(topic).partitions == 2
    assert log.topic_config(topic).retention_ms is None
    assert read_all(log, topic, 0) == [b"a0", b"a2", b"a4"]
    assert read_all(log, topic, 1) == [b"a1", b"a3", b"a5", b"b0", b"b1"]
    assert log.read(topic, 1, 3)[0].headers == (("h", b"1"),)
    assert log.append(topic, [Record(b"c", partition=0)]) == [(0, 3)]
    assert log.append_batch(topic, 1, [b"d"]) == 5


def test_flush_then_reopen_keeps_everything(log_factory: LogFactory, topic: str) -> None:
    log = log_factory()
    log.append(topic, [Record(b"v")])
    log.flush()
    log.close()

    assert read_all(log_factory(), topic, 0) == [b"v"]


def test_a_closed_log_refuses_appends(log: Log, topic: str) -> None:
    log.append(topic, [Record(b"v")])
    log.close()

    with pytest.raises(LogError, match="closed"):
        log.append(topic, [Record(b"w")])


def test_closing_twice_is_harmless(log: Log) -> None:
    log.close()
    log.close()


def test_log_is_a_context_manager(log_factory: LogFactory, topic: str) -> None:
    with log_factory() as log:
        log.append(topic, [Record(b"v")])

    with pytest.raises(LogError):
        log.append(topic, [Record(b"w")])


def test_concurrent_appends_lose_and_duplicate_nothing(log: Log, topic: str) -> None:
    log.create_topic(topic, TopicConfig(partitions=2))
    threads, rounds = 4, 60
    acknowledged: dict[int, list[tuple[bytes, tuple[int, int]]]] = defaultdict(list)
    errors: list[BaseException] = []
    go = threading.Barrier(threads)

    def writer(number: int) -> None:
        try:
            go.wait()
            for i in range(rounds):
                records = [
                    Record(f"{number}:{i}:{j}".encode(), partition=(number + j) % 2)
                    for j in range(1 + i % 4)
                ]
                if i % 3 == 0:
                    values = [r.value for r in records]
                    base = log.append_batch(topic, number % 2, values)
                    positions = [(number % 2, base + j) for j in range(len(values))]
                else:
                    positions = log.append(topic, records)
                for record, position in zip(records, positions, strict=True):
                    acknowledged[number].append((record.value, position))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    stored = {p: read_all(log, topic, p) for p in (0, 1)}
    positions = [pos for acks in acknowledged.values() for _, pos in acks]
    assert len(positions) == len(set(positions)) == sum(len(v) for v in stored.values())
    for acks in acknowledged.values():
        for value, (partition, offset) in acks:
            assert stored[partition][offset] == value
        for partition in (0, 1):
            offsets = [o for _, (p, o) in acks if p == partition]
            assert offsets == sorted(offsets)


def test_concurrent_first_appends_create_the_topic_once(log: Log, topic: str) -> None:
    go = threading.Barrier(4)
    errors: list[BaseException] = []

    def first_append() -> None:
        try:
            go.wait()
            log.append(topic, [Record(b"v", partition=0)])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=first_append) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    assert log.list_topics().count(topic) == 1
    assert log.latest_offset(topic, 0) == 4


def test_flushes_from_several_threads_alongside_appends_all_succeed(log: Log, topic: str) -> None:
    log.create_topic(topic, TopicConfig(flush_ms=1))
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(150):
                log.append(topic, [Record(b"v")])
                log.flush()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    assert log.latest_offset(topic, 0) == 600
