from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson

from hub.log import LocalLog
from hub.record import Record
from tests.cli.conftest import Hub, ok, parse_lines, produce


def _describe(hub: Hub, group: str) -> dict[tuple[str, int], dict[str, int | None]]:
    document = orjson.loads(ok(hub("groups", "describe", group, "--json")).stdout)
    assert document["group"] == group
    return {(p["topic"], p["partition"]): p for p in document["partitions"]}


def test_list_and_describe_with_lag(hub: Hub) -> None:
    ok(hub("topics", "create", "t", "-p", "2"))
    produce(hub, "t", [{"n": i} for i in range(6)], "--partition", "0")
    produce(hub, "t", [{"n": i} for i in range(3)], "--partition", "1")
    ok(hub("consume", "t", "-g", "g", "-p", "0", "-o", "0", "-n", "4"))
    rows = _describe(hub, "g")
    assert rows[("t", 0)] == {"topic": "t", "partition": 0, "committed": 4, "latest": 6, "lag": 2}
    assert rows[("t", 1)] == {
        "topic": "t",
        "partition": 1,
        "committed": None,
        "latest": 3,
        "lag": 3,
    }
    table = ok(hub("groups", "describe", "g")).stdout
    for heading in ("topic", "partition", "committed", "latest", "lag"):
        assert heading in table
    listed = orjson.loads(ok(hub("groups", "list", "--json")).stdout)
    assert listed == [{"group": "g", "topics": ["t"], "lag": 5}]
    assert "g" in ok(hub("groups", "list")).stdout


def test_unknown_group(hub: Hub) -> None:
    assert "no consumer groups" in ok(hub("groups", "list")).stderr
    assert ok(hub("groups", "list", "--json")).stdout.strip() == "[]"
    assert "has no committed offsets" in ok(hub("groups", "describe", "nobody"), 1).stderr


def _prepared(hub: Hub) -> None:
    ok(hub("topics", "create", "t", "-p", "2"))
    produce(hub, "t", [{"n": i} for i in range(5)], "-p", "0")
    produce(hub, "t", [{"n": i} for i in range(3)], "-p", "1")
    ok(hub("consume", "t", "-g", "g", "--from-beginning"))


def _committed(hub: Hub) -> dict[int, int | None]:
    return {p: row["committed"] for (_, p), row in _describe(hub, "g").items()}


def test_reset_to_earliest_and_latest(hub: Hub) -> None:
    _prepared(hub)
    assert _committed(hub) == {0: 5, 1: 3}
    result = ok(hub("groups", "reset", "g", "--topic", "t", "--to-earliest"))
    assert _committed(hub) == {0: 0, 1: 0}
    assert "→" in result.stdout
    row = next(line for line in result.stdout.splitlines() if line.split()[:1] == ["0"])
    assert row.split() == ["0", "│", "5", "│", "→", "│", "0"]
    assert len(parse_lines(ok(hub("consume", "t", "-g", "g")).stdout)) == 8
    ok(hub("groups", "reset", "g", "--topic", "t", "--to-earliest"))
    ok(hub("groups", "reset", "g", "--topic", "t", "--to-latest"))
    assert _committed(hub) == {0: 5, 1: 3}


def test_reset_to_offset_clamps_with_a_warning(hub: Hub) -> None:
    _prepared(hub)
    ok(hub("groups", "reset", "g", "-t", "t", "--to-offset", "2"))
    assert _committed(hub) == {0: 2, 1: 2}
    result = ok(hub("groups", "reset", "g", "-t", "t", "--to-offset", "4", "-p", "1"))
    assert "warning: offset 4 is outside t-1" in result.stderr
    assert _committed(hub) == {0: 2, 1: 3}


def test_reset_to_datetime(hub: Hub, data_dir: Path) -> None:
    ok(hub("topics", "create", "t"))
    with LocalLog(data_dir) as log:
        log.append("t", [Record(b"%d" % i, timestamp=1_000_000 + i * 1000) for i in range(5)])
    ok(hub("consume", "t", "-g", "g", "--from-beginning"))
    moment = datetime.fromtimestamp(1_002_500 / 1000, UTC).isoformat()
    ok(hub("groups", "reset", "g", "-t", "t", "--to-datetime", moment))
    assert _committed(hub) == {0: 3}
    ok(hub("groups", "reset", "g", "-t", "t", "--to-datetime", "1970-01-01T00:16:40Z"))
    assert _committed(hub) == {0: 0}
    ok(hub("groups", "reset", "g", "-t", "t", "--to-datetime", "2100-01-01T00:00:00+00:00"))
    assert _committed(hub) == {0: 5}


def test_reset_dry_run_commits_nothing(hub: Hub) -> None:
    _prepared(hub)
    result = ok(hub("groups", "reset", "g", "-t", "t", "--to-earliest", "--dry-run"))
    assert "dry run" in result.stdout
    assert _committed(hub) == {0: 5, 1: 3}


def test_reset_needs_exactly_one_target(hub: Hub) -> None:
    _prepared(hub)
    for args in ([], ["--to-earliest", "--to-latest"], ["--to-offset", "1", "--to-latest"]):
        result = ok(hub("groups", "reset", "g", "-t", "t", *args), 2)
        assert "exactly one of --to-earliest" in result.stderr
    assert "ISO 8601" in ok(hub("groups", "reset", "g", "-t", "t", "--to-datetime", "x"), 2).stderr
    naive = ok(hub("groups", "reset", "g", "-t", "t", "--to-datetime", "2024-01-01T00:00"), 2)
    assert "no time zone" in naive.stderr
    assert "does not exist" in ok(hub("groups", "reset", "g", "-t", "x", "--to-latest"), 1).stderr


def test_delete_group(hub: Hub) -> None:
    _prepared(hub)
    assert "deleted group 'g' (2 committed offset(s))" in ok(hub("groups", "delete", "g")).stderr
    assert ok(hub("groups", "list", "--json")).stdout.strip() == "[]"
    assert ok(hub("groups", "delete", "g"), 1).stderr.startswith("error:")
