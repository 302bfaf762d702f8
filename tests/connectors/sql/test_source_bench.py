"""Table -> log through the Runtime, timed: run with ``-s`` to see rows/s; speed is not asserted.

.venv/bin/pytest -s -m slow tests/connectors/sql/test_source_bench.py -p no:cacheprovider
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hub.log import LocalLog, TopicConfig
from hub.pipeline.runtime import Runtime
from hub.pipeline.spec import PipelineSpec, SourceSpec
from hub.store import Store
from hub.testing import plugin_registry
from tests.connectors.sql.conftest import Database
from tests.connectors.sql.test_source import execute
from tests.connectors.sql.test_source_runtime import sql_plugin

ROWS = int(__import__("os").environ.get("HUB_BENCH_ROWS", 1_000_000))


@pytest.mark.slow
@pytest.mark.parametrize("record_key", [True, False], ids=["keyed", "unkeyed"])
def test_an_incremental_read_from_postgresql_into_the_log(
    database: Database, tmp_path: Path, record_key: bool
) -> None:
    if database.backend != "postgresql":
        pytest.skip("the COPY path is PostgreSQL's")
    execute(
        database.url,
        "CREATE TABLE bench (id BIGINT PRIMARY KEY, updated_at TIMESTAMPTZ NOT NULL, name TEXT, "
        "amount NUMERIC(12, 2), active BOOLEAN, qty INTEGER, created DATE)",
        "INSERT INTO bench SELECT g, timestamptz '2024-01-01' + g * interval '1 second', "
        "'name ' || g, mod(g, 100000) / 100.0, mod(g, 2) = 0, mod(g, 1000), "
        f"date '2024-01-01' + mod(g, 300) FROM generate_series(1, {ROWS}) g",
        "ANALYZE bench",
    )
    config = {
        "url": database.url,
        "tables": ["bench"],
        "cursor": "updated_at",
        "record_key": record_key,
    }
    spec = PipelineSpec(
        name="bench",
        path=Path("bench.yaml"),
        topics={"t": TopicConfig(partitions=1)},
        sources=(SourceSpec(name="db", type="sql", topic="t", config=config),),
    )
    with LocalLog(tmp_path / "data") as log, Store.open(None, tmp_path / "data") as store:
        start = time.perf_counter()
        result = Runtime([spec], log, store, plugins=plugin_registry(sql_plugin)).run(once=True)
        seconds = time.perf_counter() - start
        assert not result.failed, [s.error for s in result.failed]
        assert log.latest_offset("t", 0) == ROWS
    print(
        f"\nsql source -> log: {ROWS:,} rows in {seconds:.2f}s = {ROWS / seconds:,.0f} rows/s "
        f"({'keyed by id' if record_key else 'no keys'})"
    )
