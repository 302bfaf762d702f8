"""Consumer group administration over a real ``LocalLog`` and store."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta, timezone

import pytest

from hub.errors import ConfigError, TopicNotFoundError
from hub.groups import ConsumerGroups, GroupPartition
from hub.log import LocalLog, TopicConfig
from hub.record import Record
from hub.store import Store

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@pytest.fixture
def groups(log: LocalLog, sqlite_store: Store) -> ConsumerGroups:
    log.create_topic("orders", TopicConfig(partitions=3))
    for partition, count in enumerate((10, 4, 0)):
        if count:
            log.append_batch("orders", partition, [b"x"] * count)
    return ConsumerGroups(log, sqlite_store)


def test_describe_covers_every_partition_of_committed_topics_with_lag(
    groups: ConsumerGroups,
) -> None:
    groups.commit("billing", {("orders", 0): 3})

    assert groups.describe("billing") == [
        GroupPartition("orders", 0, committed=3, latest=10, lag=7),
        GroupPartition("orders", 1, committed=None, latest=4, lag=4),
        GroupPartition("orders", 2, committed=None, latest=0, lag=0),
    ]


def test_describe_of_a_group_without_offsets_is_empty(groups: ConsumerGroups) -> None:
    assert groups.describe("nobody") == []


def test_describe_leaves_out_topics_deleted_from_the_log(
    groups: ConsumerGroups, log: LocalLog
) -> None:
    log.append_batch("refunds", 0, [b"x"])
    groups.commit("billing", {("orders", 1): 4, ("refunds", 0): 1})
    log.delete_topic("refunds")

    assert [(row.topic, row.partition) for row in groups.describe("billing")] == [
        ("orders", 0),
        ("orders", 1),
        ("orders", 2),
    ]


def test_lag_counts_from_the_earliest_offset_when_retention_passed_the_commit(
    log: LocalLog, sqlite_store: Store
) -> None:
    log.create_topic("events", TopicConfig(segment_bytes=1, retention_bytes=1))
    for _ in range(5):
        log.append_batch("events", 0, [b"x"] * 2)
    log.enforce_retention()
    groups = ConsumerGroups(log, sqlite_store)
    earliest = log.earliest_offset("events", 0)
    assert earliest > 1
    groups.commit("billing", {("events", 0): 1})

    assert groups.describe("billing") == [GroupPartition("events", 0, 1, 10, 10 - earliest)]


def test_list_shows_groups_that_committed(groups: ConsumerGroups) -> None:
    groups.commit("shipping", {("orders", 0): 1})
    groups.commit("billing", {("orders", 1): 1})

    assert groups.list() == ["billing", "shipping"]


def test_delete_forgets_the_group(groups: ConsumerGroups) -> None:
    groups.commit("billing", {("orders", 0): 1, ("orders", 1): 1})

    assert groups.delete("billing") == 2
    assert groups.list() == []


def test_reset_to_earliest_moves_every_partition_to_its_first_offset(
    groups: ConsumerGroups,
) -> None:
    groups.commit("billing", {("orders", 0): 9, ("orders", 1): 4})

    assert groups.reset("billing", "orders", to_earliest=True) == {0: 0, 1: 0, 2: 0}
    assert groups.committed("billing") == {("orders", 0): 0, ("orders", 1): 0, ("orders", 2): 0}


def test_reset_to_latest_skips_everything_not_yet_consumed(groups: ConsumerGroups) -> None:
    assert groups.reset("billing", "orders", to_latest=True) == {0: 10, 1: 4, 2: 0}
    assert all(row.lag == 0 for row in groups.describe("billing"))


def test_reset_to_offset_sets_it_where_it_exists(groups: ConsumerGroups) -> None:
    assert groups.reset("billing", "orders", to_offset=3, partitions=[0, 1]) == {0: 3, 1: 3}


def test_reset_to_offset_clamps_into_the_partitions_range_with_a_warning(
    groups: ConsumerGroups, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="hub.groups"):
        new = groups.reset("billing", "orders", to_offset=7)

    assert new == {0: 7, 1: 4, 2: 0}
    assert "offset 7 is outside orders-1, which holds offsets 0..4; using 4" in caplog.text


def test_reset_to_offset_below_earliest_goes_to_earliest(
    log: LocalLog, sqlite_store: Store
) -> None:
    log.create_topic("events", TopicConfig(segment_bytes=1, retention_bytes=1))
    for _ in range(3):
        log.append_batch("events", 0, [b"x"])
    log.enforce_retention()

    new = ConsumerGroups(log, sqlite_store).reset("billing", "events", to_offset=0)

    assert new == {0: log.earliest_offset("events", 0)}
    assert new[0] > 0


def test_reset_to_datetime_finds_the_first_record_at_or_after_it(
    log: LocalLog, sqlite_store: Store
) -> None:
    times = [T0 + timedelta(minutes=n) for n in range(5)]
    log.append("events", [Record(b"x", timestamp=_ms(t), partition=0) for t in times])
    groups = ConsumerGroups(log, sqlite_store)

    assert groups.reset("billing", "events", to_datetime=times[2]) == {0: 2}
    assert groups.reset("billing", "events", to_datetime=times[2] - timedelta(seconds=1)) == {0: 2}
    later_zone = timezone(timedelta(hours=2))
    assert groups.reset("billing", "events", to_datetime=times[3].astimezone(later_zone)) == {0: 3}


def test_reset_to_datetime_after_the_last_record_goes_to_the_log_end(
    log: LocalLog, sqlite_store: Store
) -> None:
    log.append("events", [Record(b"x", timestamp=_ms(T0), partition=0)] * 3)

    new = ConsumerGroups(log, sqlite_store).reset(
        "billing", "events", to_datetime=T0 + timedelta(days=1)
    )

    assert new == {0: 3}


def test_reset_to_a_datetime_without_time_zone_is_refused(groups: ConsumerGroups) -> None:
    with pytest.raises(ConfigError, match="no time zone"):
        groups.reset("billing", "orders", to_datetime=datetime(2024, 5, 1, 12, 0))


@pytest.mark.parametrize(
    "modes",
    [{}, {"to_earliest": True, "to_latest": True}, {"to_latest": True, "to_offset": 0}],
)
def test_reset_needs_exactly_one_target(groups: ConsumerGroups, modes: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match="exactly one"):
        groups.reset("billing", "orders", **modes)  # type: ignore[arg-type]


def test_reset_of_some_partitions_leaves_the_others_alone(groups: ConsumerGroups) -> None:
    groups.commit("billing", {("orders", 0): 5, ("orders", 1): 2})

    groups.reset("billing", "orders", to_latest=True, partitions=[1])

    assert groups.committed("billing") == {("orders", 0): 5, ("orders", 1): 4}


def test_reset_of_a_partition_the_topic_lacks_is_refused(groups: ConsumerGroups) -> None:
    with pytest.raises(ConfigError, match=r"partitions 0\.\.2; there is no partition 3"):
        groups.reset("billing", "orders", to_earliest=True, partitions=[1, 3])


def test_reset_of_an_unknown_topic_raises_topic_not_found(groups: ConsumerGroups) -> None:
    with pytest.raises(TopicNotFoundError):
        groups.reset("billing", "nope", to_earliest=True)


def test_dry_run_reset_commits_nothing(groups: ConsumerGroups) -> None:
    groups.commit("billing", {("orders", 0): 5})

    assert groups.reset("billing", "orders", to_earliest=True, dry_run=True) == {0: 0, 1: 0, 2: 0}
    assert groups.committed("billing") == {("orders", 0): 5}
