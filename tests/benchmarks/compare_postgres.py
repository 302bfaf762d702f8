"""CSV -> PostgreSQL, side by side in one run: raw COPY, dlt (Arrow + parquet, and dicts), hub.

    python -m tests.benchmarks.compare_postgres --rows 1000000 [--dict-rows 100000] [--rounds 3]

Every contender loads the same generated CSV (``hub.bench.pipeline.write_csv``: integer, string,
float, boolean, ISO timestamp) into a fresh table of the PostgreSQL server, timed from the
CSV on disk to rows committed, and the table is counted afterwards. The hub goes the long way:
``hub run --once`` in a child process, CSV -> durable log -> ``sql`` sink, exactly-once. dlt
with Python dicts is slow enough to be measured on ``--dict-rows`` rows only. Contenders take
turns for ``--rounds`` rounds, each run starting from a checkpointed server with the page cache
written back, and each reports its median run.

Needs the ``bench`` extra (dlt, adbc-driver-postgresql) and a PostgreSQL server.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from hub.bench.pipeline import run_pipeline_bench, write_csv

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
COLUMNS = "id BIGINT, name TEXT, amount DOUBLE PRECISION, active BOOLEAN, created_at TIMESTAMPTZ"


@dataclass(frozen=True, slots=True)
class Contender:
    name: str
    rows: int
    seconds: float

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds


@contextmanager
def scratch_schema(url: str) -> Iterator[str]:
    """A fresh schema, dropped afterwards: every contender starts from an empty database."""
    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def count_rows(url: str, schema: str, table: str) -> tuple[int, int]:
    """``count(*)`` and ``count(DISTINCT id)``: a load must hold every row exactly once."""
    with psycopg.connect(url) as connection:
        query = sql.SQL("SELECT count(*), count(DISTINCT id) FROM {}.{}").format(
            sql.Identifier(schema), sql.Identifier(table)
        )
        row = connection.execute(query).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def raw_copy(csv_path: Path, url: str, schema: str) -> float:
    """psycopg's COPY FROM STDIN of the CSV as it is: the limit for any loader."""
    started = time.perf_counter()
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        table = sql.Identifier(schema, "rows")
        cursor.execute(sql.SQL("CREATE TABLE {} ({})").format(table, sql.SQL(COLUMNS)))
        copy = sql.SQL("COPY {} FROM STDIN (FORMAT csv, HEADER true)").format(table)
        with cursor.copy(copy) as writer, csv_path.open("rb") as source:
            while chunk := source.read(1 << 20):
                writer.write(chunk)
    return time.perf_counter() - started


def dlt_arrow(csv_path: Path, url: str, schema: str, workdir: Path) -> float:
    """dlt at its best: the CSV read by pyarrow, loaded as parquet (through ADBC)."""
    import pyarrow.csv as pacsv

    started = time.perf_counter()
    pipeline = _dlt_pipeline("bench_arrow", url, schema, workdir)
    table = pacsv.read_csv(csv_path)
    pipeline.run(table, table_name="rows", loader_file_format="parquet")
    return time.perf_counter() - started


def dlt_dicts(csv_path: Path, url: str, schema: str, workdir: Path, rows: int) -> float:
    """dlt with a Python dict per row, the way most dlt sources yield data."""
    import dlt

    def records() -> Iterator[dict[str, str]]:
        with csv_path.open(newline="") as source:
            for index, row in enumerate(csv.DictReader(source)):
                if index == rows:
                    return
                yield row

    started = time.perf_counter()
    pipeline = _dlt_pipeline("bench_dicts", url, schema, workdir)
    pipeline.run(dlt.resource(records, name="rows"), table_name="rows")
    return time.perf_counter() - started


def _dlt_pipeline(name: str, url: str, schema: str, workdir: Path) -> object:
    import dlt
    from sqlalchemy.engine import make_url

    # dlt insists on a password; a server with trust authentication ignores this one.
    parsed = make_url(url)
    credentials = parsed.set(password=parsed.password or "unused").render_as_string(False)
    return dlt.pipeline(
        pipeline_name=name,
        pipelines_dir=str(workdir / "dlt"),
        destination=dlt.destinations.postgres(credentials=credentials),
        dataset_name=schema,
        progress=None,
    )


def hub_pipeline(rows: int, url: str, schema: str, workdir: Path) -> float:
    """``hub run --once``: CSV -> log -> ``sql`` sink, exactly-once (its own CSV, same shape)."""
    result = run_pipeline_bench(
        workdir, rows=rows, sink="sql", sink_url=_with_search_path(url, schema)
    )
    return result.seconds


def _with_search_path(url: str, schema: str) -> str:
    """The SQLAlchemy URL of ``url`` with ``schema`` first on the search path."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url).set(drivername="postgresql+psycopg")
    parsed = parsed.update_query_dict({"options": f"-csearch_path={schema}"})
    return parsed.render_as_string(hide_password=False)


def compare(rows: int, dict_rows: int, url: str, workdir: Path, rounds: int = 3) -> list[Contender]:
    """Run every contender ``rounds`` times, in turn, each run into a schema of its own from a
    checkpointed server; check every table's count; report each contender's median run."""
    csv_path = workdir / "input.csv"
    write_csv(csv_path, rows)
    runs: list[tuple[str, int, Callable[[str], float]]] = [
        ("psycopg COPY FROM STDIN (raw CSV)", rows, lambda s: raw_copy(csv_path, url, s)),
        ("dlt, Arrow + parquet (ADBC)", rows, lambda s: dlt_arrow(csv_path, url, s, workdir)),
        (
            "dlt, Python dicts",
            dict_rows,
            lambda s: dlt_dicts(csv_path, url, s, workdir, dict_rows),
        ),
        (
            "hub run --once: CSV -> log -> sql, exactly-once",
            rows,
            lambda s: hub_pipeline(rows, url, s, workdir),
        ),
    ]
    timings: dict[str, list[float]] = {name: [] for name, _, _ in runs}
    for _ in range(rounds):
        for name, expected, run in runs:
            settle(url)
            with scratch_schema(url) as schema:
                timings[name].append(run(schema))
                counted = count_rows(url, schema, "rows")
            if counted != (expected, expected):
                raise AssertionError(f"{name}: loaded {counted} (rows, distinct ids) of {expected}")
    return [Contender(name, rows, statistics.median(timings[name])) for name, rows, _ in runs]


def settle(url: str) -> None:
    """Start every contender alike: the last one's writes on disk, the server checkpointed."""
    os.sync()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("CHECKPOINT")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dict-rows", type=int, default=100_000)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each; the median counts")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="hub-compare-postgres-"))
    try:
        results = compare(args.rows, args.dict_rows, args.url, workdir, args.rounds)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    copy_rate = results[0].rows_per_s
    print(f"{'contender':<52} {'rows':>10} {'seconds':>8} {'rows/s':>10} {'x COPY':>7}")
    for r in results:
        print(
            f"{r.name:<52} {r.rows:>10,} {r.seconds:>8.2f} {r.rows_per_s:>10,.0f} "
            f"{r.rows_per_s / copy_rate:>7.2f}"
        )


if __name__ == "__main__":
    main()
