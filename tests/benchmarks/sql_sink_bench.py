"""How fast the ``sql`` sink's ``write`` + ``flush`` load rows, without the rest of the pipeline.

The batches are what the runtime hands the sink: JSON values of 5 fields (integer, string,
float, boolean, ISO timestamp), made before the clock starts; parsing them into Arrow (the
sink's ``batch.table``), writing and committing are timed. Run it by hand::

    .venv/bin/python -m tests.benchmarks.sql_sink_bench \\
        postgresql+psycopg://postgres@127.0.0.1/test 1000000
"""

from __future__ import annotations

import sys
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any

import orjson

from connectors.sql.sink import SqlSink
from hub.sdk import SinkBatch, SinkContext
from hub.testing import validate_config

NAMES = ("ada", "grace", "alan", "edsger", "barbara")
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "amount": {"type": "number"},
        "active": {"type": "boolean"},
        "at": {"type": "string", "format": "date-time"},
    },
    "required": ["id"],
}


@dataclass(frozen=True, slots=True)
class SinkBenchResult:
    rows: int
    seconds: float
    rows_per_s: float
    batch_rows: int
    flush_rows: int


def make_batches(rows: int, batch_rows: int, topic: str) -> list[SinkBatch]:
    batches = []
    for start in range(0, rows, batch_rows):
        offsets = list(range(start, min(start + batch_rows, rows)))
        values: list[bytes | None] = [
            orjson.dumps(
                {
                    "id": i,
                    "name": f"{NAMES[i % 5]} {i}",
                    "amount": i % 10007 / 100,
                    "active": i % 3 == 0,
                    "at": f"2024-01-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
                }
            )
            for i in offsets
        ]
        count = len(offsets)
        batches.append(
            SinkBatch(topic, 0, offsets, [0] * count, [None] * count, values, [()] * count, SCHEMA)
        )
    return batches


def bench_sql_sink(
    url: str,
    rows: int = 1_000_000,
    *,
    batch_rows: int = 10_000,
    flush_rows: int = 100_000,
    config: dict[str, Any] | None = None,
) -> SinkBenchResult:
    """Load ``rows`` rows into a new table at ``url`` (dropped afterwards, with its offsets
    table), flushing every ``flush_rows``; return rows/s of ``write`` + ``flush``."""
    import sqlalchemy as sa

    table = f"bench_{uuid.uuid4().hex[:8]}"
    batches = make_batches(rows, batch_rows, table)
    offsets = f"{table}_offsets"
    settings = validate_config(
        SqlSink, {"url": url, "table": table, "offsets_table": offsets, **(config or {})}
    )
    sink = SqlSink()
    sink.open(settings, SinkContext("bench", "sql", 0, 1, f"bench.{table}"))
    try:
        started = time.perf_counter()
        pending = 0
        for batch in batches:
            sink.write(batch)
            pending += len(batch)
            if pending >= flush_rows:
                sink.flush()
                pending = 0
        sink.flush()
        seconds = time.perf_counter() - started
    finally:
        sink.close()
        engine = sa.create_engine(url)
        loaded_table = sa.Table(table, sa.MetaData())
        with engine.begin() as connection:
            count = sa.select(sa.func.count()).select_from(loaded_table)
            loaded = connection.execute(count).scalar()
            loaded_table.drop(connection)
            sa.Table(offsets, sa.MetaData()).drop(connection)
        engine.dispose()
    if loaded != rows:
        raise AssertionError(f"the sink loaded {loaded} rows of {rows}")
    return SinkBenchResult(rows, seconds, rows / seconds, batch_rows, flush_rows)


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else "postgresql+psycopg://postgres@127.0.0.1/test"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    print(orjson.dumps(asdict(bench_sql_sink(target, count))).decode())
