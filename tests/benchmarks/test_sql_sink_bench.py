"""The sql sink benchmark runs end to end on a small load; speed itself is not asserted."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.benchmarks.sql_sink_bench import bench_sql_sink
from tests.conftest import POSTGRES_URL, _scratch


def test_bench_loads_every_row_into_sqlite(tmp_path: Path) -> None:
    result = bench_sql_sink(f"sqlite:///{tmp_path / 'bench.db'}", 1000, batch_rows=300)
    assert result.rows == 1000
    assert result.rows_per_s > 0


@pytest.mark.postgres
def test_bench_loads_every_row_into_postgresql() -> None:
    with _scratch(POSTGRES_URL) as url:
        result = bench_sql_sink(url, 1000, batch_rows=300, flush_rows=600)
    assert result.rows == 1000
    assert result.rows_per_s > 0
