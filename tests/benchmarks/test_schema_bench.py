"""``hub bench schema`` finds exactly the planted bad rows both ways; speed is not asserted."""

from __future__ import annotations

import orjson
import pytest
from click.testing import CliRunner

from hub.bench.schema import SCHEMA, make_table, run_schema_bench
from hub.cli import cli
from hub.errors import HubError
from hub.registry.validation import BatchValidator


def test_bench_schema_reports_both_paths_as_json() -> None:
    result = CliRunner().invoke(
        cli, ["bench", "schema", "--rows", "3000", "--bad-rows", "25", "--rounds", "1", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.stdout)
    assert report["rows"] == 3000
    assert report["fields"] == 10
    assert report["bad_rows"] == 25
    assert report["per_record_rows"] == 3000
    assert report["columnar_records_per_s"] > 0
    assert report["per_record_records_per_s"] > 0
    ratio = report["columnar_records_per_s"] / report["per_record_records_per_s"]
    assert report["speedup"] == pytest.approx(ratio)


def test_bench_schema_prints_a_table() -> None:
    result = CliRunner().invoke(cli, ["bench", "schema", "-n", "500", "--rounds", "1"])
    assert result.exit_code == 0, result.output
    assert "records/s" in result.output
    assert "per record" in result.output


def test_the_planted_rows_are_the_only_violations_and_every_field_is_hit() -> None:
    table, bad = make_table(2000, 30)
    violations = BatchValidator(SCHEMA).validate_table(table)
    assert sorted({v.row for v in violations}) == bad
    assert {v.pointer.lstrip("/") for v in violations} == set(SCHEMA["properties"])


def test_a_clean_table_passes() -> None:
    table, bad = make_table(2000, 0)
    assert bad == []
    assert BatchValidator(SCHEMA).validate_table(table) == []


def test_the_per_record_path_can_run_on_a_sample() -> None:
    result = run_schema_bench(rows=2000, bad_rows=40, per_record_rows=500, rounds=1)
    assert result.per_record_rows == 500
    assert result.bad_rows == 40


def test_a_path_that_misses_a_planted_row_fails_the_bench(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(BatchValidator, "validate_table", lambda self, table: [])
    with pytest.raises(HubError, match="columnar validation found the wrong rows"):
        run_schema_bench(rows=500, bad_rows=5, rounds=1)
