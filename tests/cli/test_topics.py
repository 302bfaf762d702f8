from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from hub.cli.topics import parse_config
from hub.errors import ConfigError
from hub.store import Store
from tests.cli.conftest import Hub, ok, produce


def test_create_then_describe_as_json(hub: Hub) -> None:
    created = ok(hub("topics", "create", "orders", "--partitions", "3", "-c", "retention.ms=2d"))
    assert "created topic 'orders' with 3 partition(s)" in created.stderr
    produce(hub, "orders", [{"id": str(i)} for i in range(9)], "--key-field", "id")
    described = orjson.loads(ok(hub("topics", "describe", "orders", "--json")).stdout)
    assert described["name"] == "orders"
    assert described["config"]["partitions"] == 3
    assert described["config"]["retention.ms"] == 2 * 86_400_000
    assert [p["partition"] for p in described["partitions"]] == [0, 1, 2]
    assert sum(p["latest"] for p in described["partitions"]) == 9
    assert all(p["earliest"] == 0 and p["segments"] == 1 for p in described["partitions"])
    assert all(p["size_bytes"] > 0 for p in described["partitions"] if p["records"])


def test_describe_prints_config_and_partition_tables(hub: Hub) -> None:
    ok(hub("topics", "create", "orders", "-p", "2", "-c", "flush=batch"))
    out = ok(hub("topics", "describe", "orders")).stdout
    assert "retention.ms" in out
    assert "flush.ms" in out
    for heading in ("partition", "earliest", "latest", "size", "segments"):
        assert heading in out


def test_list_shows_every_topic(hub: Hub) -> None:
    assert ok(hub("topics", "list", "--json")).stdout.strip() == "[]"
    assert "no topics" in ok(hub("topics", "list")).stderr
    ok(hub("topics", "create", "b"))
    produce(hub, "a", [{"x": 1}, {"x": 2}])
    listed = orjson.loads(ok(hub("topics", "list", "--json")).stdout)
    assert [t["name"] for t in listed] == ["a", "b"]
    assert listed[0]["records"] == 2
    table = ok(hub("topics", "list")).stdout
    assert "a" in table
    assert "b" in table


def test_config_errors_list_every_problem(hub: Hub) -> None:
    result = ok(
        hub(
            "topics",
            "create",
            "t",
            "-c",
            "retention.ms=soon",
            "-c",
            "flush=sometimes",
            "-c",
            "colour=blue",
            "-c",
            "novalue",
        ),
        2,
    )
    err = result.stderr
    assert err.startswith("error: invalid config for topic 't'")
    assert "retention.ms" in err
    assert "flush" in err
    assert "'colour' was unexpected" in err
    assert "'novalue': expected key=value" in err
    assert "Traceback" not in err
    assert ok(hub("topics", "list", "--json")).stdout.strip() == "[]"


def test_integer_values_and_unlimited_retention_parse() -> None:
    config = parse_config("t", ["retention.ms=-1", "segment.bytes=1MiB", "flush.ms=250"], 4)
    assert config.retention_ms is None
    assert config.segment_bytes == 1 << 20
    assert config.flush_ms == 250
    assert config.partitions == 4


def test_partitions_option_and_config_must_agree() -> None:
    with pytest.raises(ConfigError, match="disagree"):
        parse_config("t", ["partitions=2"], 3)


def test_creating_an_existing_topic_fails_unless_asked_not_to(hub: Hub) -> None:
    ok(hub("topics", "create", "t"))
    assert "already exists" in ok(hub("topics", "create", "t"), 1).stderr
    assert "already exists" in ok(hub("topics", "create", "t", "--if-not-exists")).stderr


def test_invalid_topic_name_is_a_config_error(hub: Hub) -> None:
    assert "invalid topic name" in ok(hub("topics", "create", "no/slashes"), 2).stderr


def test_delete_removes_the_topic_and_its_group_offsets(hub: Hub, data_dir: Path) -> None:
    produce(hub, "gone", [{"n": 1}])
    produce(hub, "kept", [{"n": 1}])
    ok(hub("consume", "gone", "--group", "g", "--from-beginning"))
    ok(hub("consume", "kept", "--group", "g", "--from-beginning"))
    result = ok(hub("topics", "delete", "gone"))
    assert "deleted topic 'gone'" in result.stderr
    assert "forgot 1 committed group offset" in result.stderr
    assert [t["name"] for t in orjson.loads(hub("topics", "list", "--json").stdout)] == ["kept"]
    with Store.open(None, data_dir) as store:
        assert store.committed_offsets("g") == {("kept", 0): 1}
    assert ok(hub("topics", "delete", "gone"), 1).stderr.startswith("error: topic 'gone'")
