"""The sql source streams: a 300,000-row table is read holding about one batch in memory."""

from __future__ import annotations

import tracemalloc

import pyarrow as pa
import pytest

from tests.connectors.sql.conftest import Database
from tests.connectors.sql.test_source import dialect_of, execute, open_source

ROWS = 300_000
BATCH = 10_000

FILL = {
    "postgresql": "INSERT INTO big SELECT g, timestamptz '2024-01-01 00:00:00+00', 'name ' || g, "
    "g / 100.0 FROM generate_series(1, {rows}) g",
    "mysql": "INSERT INTO big SELECT seq, '2024-01-01 00:00:00', CONCAT('name ', seq), seq / 100 "
    "FROM seq_1_to_{rows}",
    "sqlite": "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {rows}) "
    "INSERT INTO big SELECT x, '2024-01-01 00:00:00.000000', 'name ' || x, x / 100.0 FROM n",
}
TIMESTAMP = {"postgresql": "TIMESTAMPTZ", "mysql": "DATETIME(6)", "sqlite": "TIMESTAMP"}


@pytest.mark.slow
def test_a_large_table_is_streamed_one_batch_at_a_time(database: Database) -> None:
    url = database.url
    dialect = dialect_of(url)
    execute(
        url,
        f"CREATE TABLE big (id BIGINT PRIMARY KEY, updated_at {TIMESTAMP[dialect]} NOT NULL, "
        "name VARCHAR(40), amount NUMERIC(12, 2))",
        FILL[dialect].format(rows=ROWS),
    )
    source = open_source(
        {"url": url, "tables": ["big"], "cursor": "updated_at", "batch_size": BATCH}
    )
    sizes: list[int] = []
    last_id = 0
    arrow_peak = 0
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        while (batch := source.poll()) is not None:
            table = batch.records
            assert isinstance(table, pa.Table)
            sizes.append(table.num_rows)
            first, last = table.column("id")[0].as_py(), table.column("id")[-1].as_py()
            assert first == last_id + 1  # every row once, in order, ties broken by the key
            last_id = last
            arrow_peak = max(arrow_peak, pa.total_allocated_bytes())
            del batch, table
        python_peak = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()
        source.close()
    assert sum(sizes) == ROWS
    assert max(sizes) == BATCH
    # The whole table is ~30 MB as Arrow and several times that as Python rows: a source that
    # buffered the result would blow both bounds.
    assert python_peak < 24 << 20, f"Python peak {python_peak / 2**20:.1f} MiB"
    assert arrow_peak < 24 << 20, f"Arrow peak {arrow_peak / 2**20:.1f} MiB"
