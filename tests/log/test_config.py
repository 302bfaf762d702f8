"""``TopicConfig``: Kafka-style keys and pipeline aliases, parsed and validated once."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.errors import ConfigError
from hub.log.config import DAY_MS, TopicConfig


def test_defaults_are_kafka_like() -> None:
    config = TopicConfig()

    assert config.partitions == 1
    assert config.retention_ms == 7 * DAY_MS
    assert config.retention_bytes is None
    assert config.segment_bytes == 1 << 30
    assert config.segment_ms == 7 * DAY_MS
    assert config.cleanup_policy == "delete"
    assert config.flush_ms == 100
    assert config.index_interval_bytes == 4096


def test_an_empty_mapping_gives_the_defaults() -> None:
    assert TopicConfig.from_mapping({}) == TopicConfig()


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"partitions": 6}, {"partitions": 6}),
        ({"retention.ms": 3_600_000}, {"retention_ms": 3_600_000}),
        ({"retention": "7d"}, {"retention_ms": 7 * DAY_MS}),
        ({"retention": "12h"}, {"retention_ms": 12 * 3_600_000}),
        ({"retention.ms": "forever"}, {"retention_ms": None}),
        ({"retention": "unlimited"}, {"retention_ms": None}),
        ({"retention.ms": -1}, {"retention_ms": None}),
        ({"retention.ms": "-1"}, {"retention_ms": None}),
        ({"retention.ms": 0}, {"retention_ms": 0}),
        ({"retention.bytes": "10GiB"}, {"retention_bytes": 10 << 30}),
        ({"retention.bytes": "1GB"}, {"retention_bytes": 10**9}),
        ({"retention.bytes": -1}, {"retention_bytes": None}),
        ({"segment.bytes": "64MiB"}, {"segment_bytes": 64 << 20}),
        ({"segment.bytes": 1_000_000}, {"segment_bytes": 1_000_000}),
        ({"segment.ms": "1h"}, {"segment_ms": 3_600_000}),
        ({"cleanup.policy": "delete"}, {"cleanup_policy": "delete"}),
        ({"flush": "batch"}, {"flush_ms": 0}),
        ({"flush": "never"}, {"flush_ms": None}),
        ({"flush": "os"}, {"flush_ms": None}),
        ({"flush": "250ms"}, {"flush_ms": 250}),
        ({"flush": "1s"}, {"flush_ms": 1000}),
        ({"flush.ms": 0}, {"flush_ms": 0}),
        ({"flush.ms": 50}, {"flush_ms": 50}),
        ({"flush.ms": -1}, {"flush_ms": None}),
        ({"index.interval.bytes": "8KiB"}, {"index_interval_bytes": 8192}),
        ({"index.interval.bytes": 0}, {"index_interval_bytes": 0}),
    ],
)
def test_kafka_keys_and_aliases_are_parsed(values: dict[str, object], expected: dict) -> None:
    config = TopicConfig.from_mapping(values)

    assert {field: getattr(config, field) for field in expected} == expected


def test_several_keys_combine() -> None:
    config = TopicConfig.from_mapping(
        {"partitions": 3, "retention": "2d", "segment.bytes": "1MiB", "flush": "batch"}
    )

    assert config == TopicConfig(
        partitions=3, retention_ms=2 * DAY_MS, segment_bytes=1 << 20, flush_ms=0
    )


def test_a_yaml_float_that_is_a_whole_number_is_accepted() -> None:
    config = TopicConfig.from_mapping({"partitions": 4.0, "segment.bytes": 1e6})

    assert (config.partitions, config.segment_bytes) == (4, 1_000_000)
    assert isinstance(config.partitions, int)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        TopicConfig.from_mapping(
            {
                "partitions": 0,
                "retention": "7 fortnights",
                "segment.bytes": "1 parsec",
                "flush": "sometimes",
                "segmnet.ms": "1d",
                "cleanup.policy": "compact",
                "segment.ms": 0,
            },
            where="topics.orders",
        )

    problems = caught.value.problems
    assert len(problems) == 7
    text = str(caught.value)
    for fragment in (
        "topics.orders.partitions",
        "topics.orders.retention: '7 fortnights'",
        "topics.orders.segment.bytes: '1 parsec'",
        "topics.orders.flush: 'sometimes'",
        "'segmnet.ms' was unexpected",
        "topics.orders.cleanup.policy: 'compact' is not supported",
        "topics.orders.segment.ms: 0 is below the minimum of 1",
    ):
        assert fragment in text
    assert all(problem in text for problem in problems)


def test_a_rejected_value_says_what_is_expected() -> None:
    with pytest.raises(ConfigError, match=r"expected a duration such as 7d"):
        TopicConfig.from_mapping({"retention": "soon"})


def test_an_unknown_key_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"known keys: cleanup.policy, flush, flush.ms"):
        TopicConfig.from_mapping({"retention.hours": 5})


def test_compaction_is_rejected_clearly() -> None:
    with pytest.raises(ConfigError) as caught:
        TopicConfig.from_mapping({"cleanup.policy": "compact"})

    assert caught.value.problems == [
        "topic config.cleanup.policy: 'compact' is not supported yet; use 'delete' "
        "(retention drops whole segments by age or size)"
    ]


@pytest.mark.parametrize(
    "values",
    [
        {"partitions": True},
        {"partitions": "3"},
        {"partitions": 10_001},
        {"retention.ms": -2},
        {"retention.bytes": "-5"},
        {"retention": 1.5},
        {"segment.bytes": 0},
        {"segment.bytes": -1},
        {"segment.ms": -1},
        {"flush.ms": "batch"},
        {"flush": "-2"},
        {"index.interval.bytes": "lots"},
        {"cleanup.policy": "compact,delete"},
        {"cleanup.policy": 7},
    ],
)
def test_bad_values_are_rejected(values: dict[str, object]) -> None:
    with pytest.raises(ConfigError) as caught:
        TopicConfig.from_mapping(values)

    assert len(caught.value.problems) == 1
    assert next(iter(values)) in caught.value.problems[0]


@pytest.mark.parametrize(
    "values",
    [{"retention": "1d", "retention.ms": 5}, {"flush": "batch", "flush.ms": 100}],
)
def test_an_alias_and_its_key_together_are_rejected(values: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match="set the same thing"):
        TopicConfig.from_mapping(values)


def test_to_mapping_uses_kafka_keys_and_minus_one_for_unlimited() -> None:
    config = TopicConfig(retention_ms=None, retention_bytes=None, flush_ms=None)

    assert config.to_mapping() == {
        "partitions": 1,
        "retention.ms": -1,
        "retention.bytes": -1,
        "segment.bytes": 1 << 30,
        "segment.ms": 7 * DAY_MS,
        "cleanup.policy": "delete",
        "flush.ms": -1,
        "index.interval.bytes": 4096,
    }


configs = st.builds(
    TopicConfig,
    partitions=st.integers(1, 10_000),
    retention_ms=st.none() | st.integers(0, 2**62),
    retention_bytes=st.none() | st.integers(0, 2**62),
    segment_bytes=st.integers(1, 2**62),
    segment_ms=st.integers(1, 2**62),
    flush_ms=st.none() | st.integers(0, 2**40),
    index_interval_bytes=st.integers(0, 2**40),
)


@given(configs)
def test_from_mapping_reads_back_what_to_mapping_wrote(config: TopicConfig) -> None:
    assert TopicConfig.from_mapping(config.to_mapping()) == config
