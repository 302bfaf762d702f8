"""The ``generate`` source, driven through open/poll/close."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pyarrow as pa
import pytest

from connectors.generate import GenerateSource
from hub.errors import ConfigError
from tests.connectors.drive import drain, offsets_after, rows, source_context

TEMPLATE: dict[str, Any] = {
    "id": "sequence",
    "customer": "name",
    "word": "word",
    "amount": {"float": [1, 500], "decimals": 2},
    "quantity": {"int": [1, 3]},
    "currency": {"choice": ["EUR", "USD"], "weights": [3, 1]},
    "paid": {"boolean": 1},
    "ref": "uuid",
    "code": {"string": 5},
    "created": "now",
    "source": {"constant": "demo"},
}


def generate(
    offsets: dict[str, Any] | None = None, task: int = 0, tasks: int = 1, **config: Any
) -> list[Any]:
    source = GenerateSource()
    source.open({"fields": TEMPLATE, **config}, source_context(offsets, task, tasks))
    try:
        return drain(source)
    finally:
        source.close()


def test_count_records_arrive_as_arrow_tables_with_every_generator() -> None:
    batches = generate(count=25, max_records=10, seed=1)
    assert [len(b) for b in batches] == [10, 10, 5]
    assert all(isinstance(b.records, pa.Table) for b in batches)
    got = rows(batches)
    assert [r["id"] for r in got] == list(range(25))
    for row in got:
        assert 1 <= row["amount"] < 500
        assert round(row["amount"], 2) == row["amount"]
        assert row["quantity"] in (1, 2, 3)
        assert row["currency"] in ("EUR", "USD")
        assert row["paid"] is True
        assert uuid.UUID(row["ref"]).version == 4
        assert len(row["code"]) == 5
        assert row["code"].isalpha()
        assert row["source"] == "demo"
        assert isinstance(row["customer"], str)
        assert isinstance(row["word"], str)
    table = batches[0].records
    assert isinstance(table, pa.Table)
    assert table.schema.field("created").type == pa.timestamp("ms", tz="UTC")


def test_the_same_seed_gives_the_same_records() -> None:
    def without_time(batches: list[Any]) -> list[dict[str, Any]]:
        return [{k: v for k, v in r.items() if k != "created"} for r in rows(batches)]

    assert without_time(generate(count=30, seed=7)) == without_time(generate(count=30, seed=7))
    assert without_time(generate(count=30, seed=7)) != without_time(generate(count=30, seed=8))


def test_a_restart_continues_the_sequence_with_the_same_values() -> None:
    config: dict[str, Any] = {"count": 50, "max_records": 8, "seed": 3}
    everything = generate(**config)
    checkpoint = offsets_after(everything[:2])
    assert checkpoint == {"task-0": {"generated": 16}}
    rest = generate(checkpoint, **config)
    first_run = [r["ref"] for r in rows(everything)]
    assert [r["ref"] for r in rows(everything[:2]) + rows(rest)] == first_run


def test_a_checkpoint_inside_a_batch_resumes_inside_it() -> None:
    everything = rows(generate(count=20, max_records=8, seed=3))
    rest = rows(generate({"task-0": {"generated": 5}}, count=20, max_records=8, seed=3))
    assert [r["id"] for r in rest] == list(range(5, 20))
    assert [r["ref"] for r in rest] == [r["ref"] for r in everything[5:]]


def test_tasks_share_the_count_without_repeating_numbers() -> None:
    parts = [rows(generate(task=t, tasks=3, count=100, max_records=7)) for t in range(3)]
    numbers = sorted(r["id"] for part in parts for r in part)
    assert numbers == list(range(100))


def test_the_rate_is_held() -> None:
    source = GenerateSource()
    source.open({"fields": {"id": "sequence"}, "rate": 200, "count": 60}, source_context())
    started = time.monotonic()
    assert len(rows(drain(source))) == 60
    assert 0.2 <= time.monotonic() - started < 1.0
    source.close()


def test_without_a_count_there_is_no_end() -> None:
    source = GenerateSource()
    source.open({"fields": {"id": "sequence"}, "max_records": 1000}, source_context())
    assert all(source.poll() is not None for _ in range(20))
    source.close()


def test_a_sequence_can_start_and_step() -> None:
    source = GenerateSource()
    fields = {"a": {"sequence": 100}, "b": {"sequence": {"start": 0, "step": -2}}}
    source.open({"fields": fields, "count": 3}, source_context())
    assert rows(drain(source)) == [{"a": 100, "b": 0}, {"a": 101, "b": -2}, {"a": 102, "b": -4}]
    source.close()


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ({"int": [5, 1]}, "is empty"),
        ({"choice": ["a", "b"], "weights": [1]}, "one non-negative number per choice"),
    ],
)
def test_impossible_fields_are_config_errors(field: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        GenerateSource().open({"fields": {"x": field}}, source_context())
