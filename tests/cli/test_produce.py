from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from hub.cli import produce as produce_module
from hub.log import LocalLog, murmur2, partition_for_key
from tests.cli.conftest import Hub, ok, produce


def _records(data_dir: Path, topic: str) -> dict[int, list[tuple[bytes | None, bytes | None]]]:
    """``{partition: [(key, value), ...]}`` straight from the log."""
    with LocalLog(data_dir, read_only=True) as log:
        return {
            p: [(r.key, r.value) for r in log.read(topic, p, 0, max_records=100_000)]
            for p in range(log.partitions(topic))
        }


def test_key_21_lands_where_kafka_puts_it(hub: Hub, data_dir: Path) -> None:
    assert murmur2(b"21") == -973932308  # Kafka's Utils.murmur2("21".getBytes(UTF_8))
    expected = (-973932308 & 0x7FFFFFFF) % 4
    assert partition_for_key(b"21", 4) == expected
    ok(hub("topics", "create", "t", "--partitions", "4"))
    produce(hub, "t", [{"id": "21", "n": 1}, {"id": 21, "n": 2}], "--key-field", "id")
    records = _records(data_dir, "t")
    # a string and a number with the same text are the same key, as with a string serializer
    assert [key for key, _ in records[expected]] == [b"21", b"21"]
    assert sum(len(r) for r in records.values()) == 2


def test_keys_are_the_field_text(hub: Hub, data_dir: Path) -> None:
    documents = [
        {"k": "text", "n": 1},
        {"k": 7, "n": 2},
        {"k": 1.5, "n": 3},
        {"k": True, "n": 4},
        {"k": None, "n": 5},
        {"n": 6},
        {"k": {"nested": 1}, "n": 7},
    ]
    produce(hub, "t", documents, "-k", "k")
    (records,) = _records(data_dir, "t").values()
    assert [key for key, _ in records] == [
        b"text",
        b"7",
        b"1.5",
        b"true",
        None,
        None,
        b'{"nested":1}',
    ]


def test_keys_spread_over_partitions_like_kafka(hub: Hub, data_dir: Path) -> None:
    ok(hub("topics", "create", "t", "-p", "3"))
    produce(hub, "t", [{"id": str(i)} for i in range(50)], "--key-field", "id")
    for partition, records in _records(data_dir, "t").items():
        for key, _ in records:
            assert key is not None
            assert partition_for_key(key, 3) == partition


def test_values_are_the_stripped_line_bytes(hub: Hub, data_dir: Path) -> None:
    lines = b'  {"b": 1,   "a": [1, 2]}  \r\n\n   \n{"x":"\\u00e9"}\n42\n"s"'
    result = ok(hub("produce", "t", input=lines))
    assert "appended 4 record(s) to 't'" in result.stderr
    assert result.stdout == ""
    (records,) = _records(data_dir, "t").values()
    assert [value for _, value in records] == [
        b'{"b": 1,   "a": [1, 2]}',
        b'{"x":"\\u00e9"}',
        b"42",
        b'"s"',
    ]


def test_missing_topic_is_created_with_defaults_and_said_so(hub: Hub) -> None:
    result = produce(hub, "fresh", [{"n": 1}])
    assert "topic 'fresh' did not exist: created it" in result.stderr
    assert "did not exist" not in produce(hub, "fresh", [{"n": 2}]).stderr


def test_summary_says_which_partitions_got_how_many(hub: Hub) -> None:
    ok(hub("topics", "create", "t", "-p", "4"))
    result = produce(hub, "t", [{"id": "21"}] * 3, "-k", "id")
    expected = partition_for_key(b"21", 4)
    assert "appended 3 record(s)" in result.stderr
    row = next(line for line in result.stderr.splitlines() if "0..2" in line)
    assert row.split()[0] == str(expected)


def test_invalid_line_stops_the_run_after_appending_the_lines_before_it(
    hub: Hub, data_dir: Path
) -> None:
    lines = b'{"n": 1}\n\n{"n": 2}\n{"n": 3,}\n{"n": 4}\n'
    result = ok(hub("produce", "t", input=lines), 1)
    assert "error: stdin line 4, column 8: not valid JSON (trailing comma is not allowed)" in (
        result.stderr
    )
    assert "appended the 2 record(s) before it and nothing after it" in result.stderr
    (records,) = _records(data_dir, "t").values()
    assert [value for _, value in records] == [b'{"n": 1}', b'{"n": 2}']


def test_invalid_line_in_a_later_chunk(
    hub: Hub, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(produce_module, "CHUNK_LINES", 3)
    lines = b"".join(b'{"n": %d}\n' % i for i in range(7)) + b"oops\n" + b'{"n": 99}\n'
    result = ok(hub("produce", "t", input=lines), 1)
    assert "stdin line 8, column 1" in result.stderr
    assert "appended the 7 record(s)" in result.stderr
    (records,) = _records(data_dir, "t").values()
    assert [orjson.loads(value or b"")["n"] for _, value in records] == list(range(7))


def test_invalid_utf8_is_reported_as_invalid_json(hub: Hub) -> None:
    result = ok(hub("produce", "t", input=b'"\xff"\n'), 1)
    assert "stdin line 1" in result.stderr
    assert "UTF-8" in result.stderr


def test_partition_option_pins_every_record(hub: Hub, data_dir: Path) -> None:
    ok(hub("topics", "create", "t", "-p", "3"))
    produce(hub, "t", [{"id": str(i)} for i in range(10)], "-k", "id", "--partition", "2")
    records = _records(data_dir, "t")
    assert len(records[2]) == 10
    assert not records[0]
    assert not records[1]
    assert records[2][0][0] == b"0"  # keys are kept


def test_partition_out_of_range_is_refused_before_reading(hub: Hub) -> None:
    ok(hub("topics", "create", "t", "-p", "2"))
    result = ok(hub("produce", "t", "--partition", "2", input=b'{"n": 1}\n'), 1)
    assert "has no partition 2" in result.stderr


def test_empty_input_appends_nothing(hub: Hub) -> None:
    assert "appended no records" in ok(hub("produce", "t", input=b"\n\n")).stderr


def test_keyless_chunk_goes_to_one_partition(hub: Hub, data_dir: Path) -> None:
    ok(hub("topics", "create", "t", "-p", "4"))
    produce(hub, "t", [{"n": i} for i in range(20)])
    assert sorted(len(r) for r in _records(data_dir, "t").values()) == [0, 0, 0, 20]
