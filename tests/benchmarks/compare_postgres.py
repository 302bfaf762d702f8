"""CSV -> PostgreSQL, side by side in one run: raw COPY, dlt (Arrow + parquet, and dicts), hub.

    python -m tests.benchmarks.compare_postgres --rows 1000000 [--dict-rows 100000] [--rounds 3]

Every contender loads the same generated CSV (``hub.bench.pipeline.write_csv``: integer, string,
float, boolean, ISO timestamp) into a fresh table of the PostgreSQL server, and the table is
counted afterwards. The hub goes the long way: ``hub run --once``, CSV -> durable log -> ``sql``
sink, exactly-once. dlt with Python dicts is slow enough to be measured on ``--dict-rows`` rows
only. Contenders take turns for ``--rounds`` rounds, each run starting from a checkpointed
server with the page cache written back, and each reports its median run.

Each run is a fresh Python process, as a user runs each tool (``hub run``, ``python load.py``),
and is measured two ways:

- **process**: from starting the process to its exit, as a user waits for it: the interpreter,
  every import, the load, and the exit.
- **in process**: from the tool's entry point, its module already imported (``hub.cli.app``,
  the ``hub`` command's; ``dlt``; ``psycopg``), to rows committed: what a timer inside a warm
  process sees. What the tool imports on the way (dlt's destination and loaders, the hub's
  runtime and connectors) is inside.

Needs the ``bench`` extra (dlt, adbc-driver-postgresql) and a PostgreSQL server.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
COLUMNS = "id BIGINT, name TEXT, amount DOUBLE PRECISION, active BOOLEAN, created_at TIMESTAMPTZ"


@dataclass(frozen=True, slots=True)
class Run:
    process_s: float
    in_process_s: float
    peak_rss_mb: float


@dataclass(frozen=True, slots=True)
class Contender:
    name: str
    rows: int
    runs: tuple[Run, ...]

    @property
    def process_s(self) -> float:
        return statistics.median(r.process_s for r in self.runs)

    @property
    def in_process_s(self) -> float:
        return statistics.median(r.in_process_s for r in self.runs)

    @property
    def peak_rss_mb(self) -> float:
        return max(r.peak_rss_mb for r in self.runs)


# -- the contenders, each run in a child process ------------------------------------------------


def raw_copy(csv_path: Path, url: str, schema: str, workdir: Path, rows: int) -> float:
    """psycopg's COPY FROM STDIN of the CSV as it is: the limit for any loader."""
    import psycopg
    from psycopg import sql

    started = time.perf_counter()
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        table = sql.Identifier(schema, "rows")
        cursor.execute(sql.SQL("CREATE TABLE {} ({})").format(table, sql.SQL(COLUMNS)))
        copy = sql.SQL("COPY {} FROM STDIN (FORMAT csv, HEADER true)").format(table)
        with cursor.copy(copy) as writer, csv_path.open("rb") as source:
            while chunk := source.read(1 << 20):
                writer.write(chunk)
    return time.perf_counter() - started


def dlt_arrow(csv_path: Path, url: str, schema: str, workdir: Path, rows: int) -> float:
    """dlt at its best: the CSV read by pyarrow, loaded as parquet (through ADBC)."""
    import dlt  # noqa: F401  (imported before the clock, as the hub's entry point is)
    import pyarrow.csv as pacsv

    started = time.perf_counter()
    pipeline = _dlt_pipeline("bench_arrow", url, schema, workdir)
    table = pacsv.read_csv(csv_path)
    pipeline.run(table, table_name="rows", loader_file_format="parquet")
    return time.perf_counter() - started


def dlt_dicts(csv_path: Path, url: str, schema: str, workdir: Path, rows: int) -> float:
    """dlt with a Python dict per row, the way most dlt sources yield data."""
    import csv

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


def _dlt_pipeline(name: str, url: str, schema: str, workdir: Path) -> Any:
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
    )


def hub_run(csv_path: Path, url: str, schema: str, workdir: Path, rows: int) -> float:
    """``hub run --once``: CSV -> log -> ``sql`` sink, exactly-once, in a fresh data directory.

    The command's own entry point, called in this process, so the clock can start after its
    module is imported as it starts after ``import dlt``; the process is the ``hub`` command's.
    """
    from hub.bench.pipeline import write_pipeline
    from hub.cli import main
    from hub.cli.startup import collector_paused

    with collector_paused():  # as ``hub`` loads it
        import hub.cli.app  # noqa: F401

    here = Path(tempfile.mkdtemp(prefix="hub-", dir=workdir))
    assert csv_path.name == "input.csv"
    pipeline = write_pipeline(here, "compare", csv_path.parent, sink="sql")
    os.environ["HUB_BENCH_SQL_URL"] = _with_search_path(url, schema)  # never in the file
    started = time.perf_counter()
    try:
        main(["--data-dir", str(here / "data"), "run", str(pipeline), "--once"])
    except SystemExit as exit_:
        if exit_.code:
            raise
    return time.perf_counter() - started


def _with_search_path(url: str, schema: str) -> str:
    """The SQLAlchemy URL of ``url`` with ``schema`` first on the search path."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url).set(drivername="postgresql+psycopg")
    parsed = parsed.update_query_dict({"options": f"-csearch_path={schema}"})
    return parsed.render_as_string(hide_password=False)


CONTENDERS: dict[str, tuple[str, Callable[[Path, str, str, Path, int], float]]] = {
    "copy": ("psycopg COPY FROM STDIN (raw CSV)", raw_copy),
    "dlt-arrow": ("dlt, Arrow + parquet (ADBC)", dlt_arrow),
    "dlt-dicts": ("dlt, Python dicts", dlt_dicts),
    "hub": ("hub run --once: CSV -> log -> sql, exactly-once", hub_run),
}


# -- the parent: turns, checks, medians --------------------------------------------------------


def run_child(key: str, csv_path: Path, url: str, schema: str, workdir: Path, rows: int) -> Run:
    """One contender's load in a fresh process; its wall time, its own timing, its peak RSS."""
    command = [sys.executable, "-m", "tests.benchmarks.compare_postgres", "--child", key]
    command += ["--csv", str(csv_path), "--url", url, "--schema", schema]
    command += ["--workdir", str(workdir), "--rows", str(rows)]
    started = time.perf_counter()
    child = subprocess.run(command, capture_output=True, text=True)
    process_s = time.perf_counter() - started
    if child.returncode != 0:
        raise AssertionError(f"{key} failed:\n{child.stderr[-4000:]}")
    measured = json.loads(child.stdout.strip().splitlines()[-1])
    return Run(process_s, measured["seconds"], measured["peak_rss_mb"])


def peak_rss_mb() -> float:
    """This process's peak RSS since it started its program (``VmHWM``; ``ru_maxrss`` would
    count the parent's pages at the fork too)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


@contextmanager
def scratch_schema(url: str) -> Iterator[str]:
    """A fresh schema, dropped afterwards: every contender starts from an empty database."""
    import psycopg
    from psycopg import sql

    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def settle(url: str) -> None:
    """Start every contender alike: the last one's writes on disk, the server checkpointed."""
    import psycopg

    os.sync()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("CHECKPOINT")


def compare(rows: int, dict_rows: int, url: str, workdir: Path, rounds: int = 3) -> list[Contender]:
    """Run every contender ``rounds`` times, in turn, each into a schema of its own from a
    checkpointed server; check every table's count; report each contender's runs."""
    from hub.bench.pipeline import count_table, write_csv

    csv_path = workdir / "input.csv"
    write_csv(csv_path, rows)
    sizes = {key: dict_rows if key == "dlt-dicts" else rows for key in CONTENDERS}
    runs: dict[str, list[Run]] = {key: [] for key in CONTENDERS}
    for _ in range(rounds):
        for key in CONTENDERS:
            settle(url)
            with scratch_schema(url) as schema:
                runs[key].append(run_child(key, csv_path, url, schema, workdir, sizes[key]))
                counted = count_table(_with_search_path(url, schema), "rows")
            expected = sizes[key]
            if counted != (expected, expected):
                raise AssertionError(f"{key}: loaded {counted} (rows, distinct ids) of {expected}")
    return [Contender(CONTENDERS[k][0], sizes[k], tuple(runs[k])) for k in CONTENDERS]


def report(results: list[Contender]) -> str:
    copy = results[0]
    lines = [
        f"{'contender':<50} {'rows':>9} | {'process':>7} {'rows/s':>9} {'x COPY':>6} |"
        f" {'in proc':>7} {'rows/s':>9} {'x COPY':>6} | {'RSS MB':>6}"
    ]
    for r in results:
        process = r.rows / r.process_s
        inside = r.rows / r.in_process_s
        lines.append(
            f"{r.name:<50} {r.rows:>9,} | {r.process_s:>7.2f} {process:>9,.0f} "
            f"{process / (copy.rows / copy.process_s):>6.2f} | {r.in_process_s:>7.2f} "
            f"{inside:>9,.0f} {inside / (copy.rows / copy.in_process_s):>6.2f} | "
            f"{r.peak_rss_mb:>6.0f}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dict-rows", type=int, default=100_000)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each; the median counts")
    parser.add_argument("--child", choices=sorted(CONTENDERS), help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--schema", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:  # one load, in this fresh process
        load = CONTENDERS[args.child][1]
        seconds = load(args.csv, args.url, args.schema, args.workdir, args.rows)
        print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_rss_mb()}))
        return
    workdir = Path(tempfile.mkdtemp(prefix="hub-compare-postgres-"))
    try:
        results = compare(args.rows, args.dict_rows, args.url, workdir, args.rounds)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(report(results))


if __name__ == "__main__":
    main()
