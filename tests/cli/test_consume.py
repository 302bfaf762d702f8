from __future__ import annotations

from pathlib import Path

from hub.log import LocalLog
from hub.record import Record
from hub.registry import wire
from hub.store import Store
from tests.cli.conftest import Hub, ok, parse_lines, produce


def _committed(data_dir: Path, group: str) -> dict[tuple[str, int], int]:
    with Store.open(None, data_dir) as store:
        return store.committed_offsets(group)


def test_value_format_prints_values_as_they_are(hub: Hub) -> None:
    ok(hub("produce", "t", input=b'{"b": 2,  "a": 1}\n[1, 2]\n"text"\n'))
    result = ok(hub("consume", "t", "--from-beginning"))
    assert result.stdout == '{"b": 2,  "a": 1}\n[1, 2]\n"text"\n'
    assert "consumed 3 record(s)" in result.stderr


def test_full_format_has_position_key_headers_and_embedded_value(hub: Hub, data_dir: Path) -> None:
    ok(hub("topics", "create", "t", "-p", "2"))
    with LocalLog(data_dir) as log:
        log.append(
            "t",
            [
                Record(
                    b'{"n": 1}',
                    b"k1",
                    (("trace", b"abc"), ("empty", None)),
                    1_700_000_000_000,
                    partition=0,
                ),
                Record(b"not json", None, (), 1_700_000_000_001, partition=1),
                Record(None, b"gone", (), 1_700_000_000_002, partition=1),
                Record(b'{\n  "pretty": true\n}', None, (), 1_700_000_000_003, partition=1),
            ],
        )
    result = ok(hub("consume", "t", "--from-beginning", "--format", "full"))
    rows = sorted(parse_lines(result.stdout), key=lambda r: (r["partition"], r["offset"]))
    first = next(r for r in rows if r["key"] == "k1")
    assert first == {
        "topic": "t",
        "partition": 0,
        "offset": 0,
        "timestamp": 1_700_000_000_000,
        "key": "k1",
        "headers": {"trace": "abc", "empty": None},
        "schema_id": None,
        "value": {"n": 1},
    }
    assert '"value":{"n": 1}' in result.stdout  # embedded as it is, not re-encoded
    others = [r for r in rows if r["partition"] == 1]
    assert [(r["offset"], r["key"], r["value"]) for r in others] == [
        (0, None, "not json"),
        (1, "gone", None),
        (2, None, {"pretty": True}),
    ]
    assert len(result.stdout.splitlines()) == 4  # one line per record, even pretty JSON


def test_without_from_beginning_it_starts_at_the_end(hub: Hub) -> None:
    produce(hub, "t", [{"n": 1}])
    assert ok(hub("consume", "t")).stdout == ""


def test_max_stops_after_n_records(hub: Hub) -> None:
    produce(hub, "t", [{"n": i} for i in range(10)])
    result = ok(hub("consume", "t", "--from-beginning", "--max", "3"))
    assert parse_lines(result.stdout) == [{"n": 0}, {"n": 1}, {"n": 2}]


def test_partition_and_offset(hub: Hub) -> None:
    ok(hub("topics", "create", "t", "-p", "2"))
    produce(hub, "t", [{"n": i} for i in range(5)], "--partition", "1")
    produce(hub, "t", [{"n": 9}], "--partition", "0")
    result = ok(hub("consume", "t", "-p", "1", "-o", "3"))
    assert parse_lines(result.stdout) == [{"n": 3}, {"n": 4}]
    assert parse_lines(ok(hub("consume", "t", "-p", "1", "-o", "earliest", "-n", "1")).stdout) == [
        {"n": 0}
    ]
    assert ok(hub("consume", "t", "-p", "1", "-o", "latest")).stdout == ""
    assert parse_lines(ok(hub("consume", "t", "-p", "0", "--from-beginning")).stdout) == [{"n": 9}]


def test_bad_offsets_and_partitions(hub: Hub) -> None:
    produce(hub, "t", [{"n": 1}])
    assert "--offset needs --partition" in ok(hub("consume", "t", "-o", "1"), 2).stderr
    assert "is not an offset" in ok(hub("consume", "t", "-p", "0", "-o", "soon"), 2).stderr
    assert "holds offsets 0..1" in ok(hub("consume", "t", "-p", "0", "-o", "5"), 1).stderr
    assert "no partition 3" in ok(hub("consume", "t", "-p", "3"), 2).stderr
    assert "does not exist" in ok(hub("consume", "nope"), 1).stderr


def test_group_commits_what_it_printed_and_resumes(hub: Hub, data_dir: Path) -> None:
    ok(hub("topics", "create", "t", "-p", "2"))
    produce(hub, "t", [{"id": str(i)} for i in range(10)], "-k", "id")
    first = parse_lines(ok(hub("consume", "t", "-g", "g", "--from-beginning", "-n", "4")).stdout)
    assert len(first) == 4
    committed = _committed(data_dir, "g")
    assert sum(committed.values()) == 4  # committed = the next offset to read
    rest = parse_lines(ok(hub("consume", "t", "-g", "g", "--from-beginning")).stdout)
    assert sorted(d["id"] for d in first + rest) == sorted(str(i) for i in range(10))
    assert ok(hub("consume", "t", "-g", "g")).stdout == ""
    produce(hub, "t", [{"id": "late"}], "-k", "id")
    assert parse_lines(ok(hub("consume", "t", "-g", "g")).stdout) == [{"id": "late"}]


def test_new_group_without_from_beginning_reads_only_new_records(hub: Hub) -> None:
    produce(hub, "t", [{"n": 1}])
    assert ok(hub("consume", "t", "-g", "g")).stdout == ""
    produce(hub, "t", [{"n": 2}])
    # nothing was committed by the empty run: the new group starts at the end again
    assert ok(hub("consume", "t", "-g", "g")).stdout == ""


def test_explicit_offset_beats_the_committed_offset(hub: Hub, data_dir: Path) -> None:
    produce(hub, "t", [{"n": i} for i in range(5)])
    ok(hub("consume", "t", "-g", "g", "--from-beginning"))
    again = ok(hub("consume", "t", "-g", "g", "-p", "0", "-o", "1", "-n", "2"))
    assert parse_lines(again.stdout) == [{"n": 1}, {"n": 2}]
    assert _committed(data_dir, "g") == {("t", 0): 3}


def test_values_with_a_schema_id_print_as_json_with_the_id_alongside(
    hub: Hub, data_dir: Path
) -> None:
    ok(hub("topics", "create", "t"))
    with LocalLog(data_dir) as log:
        log.append_batch("t", 0, [wire.header(42) + b'{"n":1}', b'{"n":2}'])

    values = ok(hub("consume", "t", "--from-beginning"))
    full = parse_lines(ok(hub("consume", "t", "--from-beginning", "--format", "full")).stdout)

    assert values.stdout == '{"n":1}\n{"n":2}\n'
    assert [(r["schema_id"], r["value"]) for r in full] == [(42, {"n": 1}), (None, {"n": 2})]
