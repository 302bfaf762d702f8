"""``hub bench schema``: how fast batches are validated against a JSON Schema.

A 10-field object schema (bounded integers, strings with ``maxLength``, ``pattern`` and
``enum``, numbers, a boolean, an RFC 3339 ``date-time``, nullable fields, ``required``) checks a
generated table twice: columnar (``BatchValidator.validate_table``, what pipelines moving Arrow
batches use) and per record (``validate_values`` on each row's JSON, as the log holds it). Known
bad rows are planted; a run only reports numbers if both paths found exactly those rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from hub.errors import HubError

SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "order",
    "type": "object",
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "quantity": {"type": ["integer", "null"], "minimum": 0, "maximum": 1000},
        "customer": {"type": "string", "maxLength": 40},
        "email": {"type": ["string", "null"], "pattern": "^[^@ ]+@[^@ ]+\\.[a-z]+$"},
        "country": {"type": "string", "enum": ["DE", "FR", "GB", "JP", "US"]},
        "sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$", "maxLength": 8},
        "price": {"type": "number", "exclusiveMinimum": 0},
        "discount": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
        "paid": {"type": "boolean"},
        "created_at": {"type": "string", "format": "date-time"},
    },
    "required": ["id", "customer", "country", "sku", "price", "paid", "created_at"],
}
_FAULTS: list[tuple[str, Any]] = [
    ("id", 0),
    ("quantity", 5000),
    ("customer", "x" * 41),
    ("email", "not an address"),
    ("country", "XX"),
    ("sku", "abc-12"),
    ("price", -1.0),
    ("discount", 1.5),
    ("paid", None),
    ("created_at", "2024-02-30T10:00:00Z"),
]
"""One bad value per field; the bad rows take them in turn."""


@dataclass(frozen=True, slots=True)
class SchemaBenchResult:
    rows: int
    fields: int
    bad_rows: int
    rounds: int
    columnar_seconds: float
    columnar_records_per_s: float
    per_record_rows: int
    per_record_seconds: float
    per_record_records_per_s: float

    @property
    def speedup(self) -> float:
        return self.columnar_records_per_s / self.per_record_records_per_s

    def as_dict(self) -> dict[str, float]:
        return {**asdict(self), "speedup": self.speedup}


def make_table(rows: int, bad_rows: int, *, seed: int = 42) -> tuple[Any, list[int]]:
    """A table of ``rows`` orders for ``SCHEMA`` and the (sorted) rows planted to break it."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = np.random.default_rng(seed)
    names = np.array(["ada", "grace", "alan", "edsger", "barbara", "donald", "ken", "frances"])
    countries = np.array(["DE", "FR", "GB", "JP", "US"])
    seconds = 1_700_000_000 + rng.integers(0, 100_000_000, rows)
    created = pa.array(seconds, pa.timestamp("s", tz="UTC"))
    columns: dict[str, Any] = {
        "id": np.arange(1, rows + 1),
        "quantity": pa.array(rng.integers(0, 1001, rows), mask=rng.random(rows) < 0.1),
        "customer": names[rng.integers(0, len(names), rows)],
        "email": pa.array(
            np.char.add(names[rng.integers(0, len(names), rows)], "@example.com"),
            mask=rng.random(rows) < 0.2,
        ),
        "country": countries[rng.integers(0, len(countries), rows)],
        "sku": np.char.add("ABC-", rng.integers(1000, 10000, rows).astype(str)),
        "price": np.round(rng.uniform(0.5, 500, rows), 2),
        "discount": pa.array(np.round(rng.uniform(0, 1, rows), 2), mask=rng.random(rows) < 0.5),
        "paid": rng.integers(0, 2, rows).astype(bool),
        "created_at": pc.strftime(created, "%Y-%m-%dT%H:%M:%SZ"),
    }
    table = pa.table(columns)
    bad = np.sort(rng.choice(rows, size=min(bad_rows, rows), replace=False))
    for number, (name, value) in enumerate(_FAULTS):
        planted = np.zeros(rows, dtype=bool)
        planted[bad[number :: len(_FAULTS)]] = True
        index = table.schema.get_field_index(name)
        column = table.column(index)
        replaced = pc.if_else(pa.array(planted), pa.scalar(value, column.type), column)
        table = table.set_column(index, name, replaced)
    return table, bad.tolist()


def run_schema_bench(
    *,
    rows: int = 1_000_000,
    bad_rows: int = 1000,
    per_record_rows: int | None = None,
    rounds: int = 3,
) -> SchemaBenchResult:
    """Validate ``rows`` generated orders both ways; the best of ``rounds`` for each.

    The per-record path checks the first ``per_record_rows`` rows' JSON (all by default), encoded
    before the clock starts. Raises ``HubError`` unless each path finds exactly the planted rows.
    """
    from hub.arrow import table_to_json_values
    from hub.registry.validation import BatchValidator

    table, bad = make_table(rows, bad_rows)
    validator = BatchValidator(SCHEMA)
    columnar_s = _best(rounds, lambda: _check(validator.validate_table(table), bad, "columnar"))
    sample = rows if per_record_rows is None else min(per_record_rows, rows)
    values = table_to_json_values(table.slice(0, sample))
    expected = [row for row in bad if row < sample]
    per_record_s = _best(
        rounds, lambda: _check(validator.validate_values(values), expected, "per-record")
    )
    return SchemaBenchResult(
        rows=rows,
        fields=len(SCHEMA["properties"]),
        bad_rows=len(bad),
        rounds=rounds,
        columnar_seconds=columnar_s,
        columnar_records_per_s=rows / columnar_s,
        per_record_rows=sample,
        per_record_seconds=per_record_s,
        per_record_records_per_s=sample / per_record_s,
    )


def _best(rounds: int, run: Callable[[], None]) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def _check(violations: list[Any], bad: list[int], path: str) -> None:
    found = sorted({v.row for v in violations})
    if found != bad:
        missed, extra = sorted(set(bad) - set(found)), sorted(set(found) - set(bad))
        raise HubError(
            f"the {path} validation found the wrong rows: missed {missed[:10]}, "
            f"extra {extra[:10]} (of {len(bad)} planted)"
        )
