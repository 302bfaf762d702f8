"""``hub bench pipeline``: a CSV file through the log into JSON-lines files, end to end.

Runs ``hub run --once`` in a child process on a generated CSV (5 columns: integer, string,
float, boolean, ISO timestamp) and reports rows/s over the whole run — reading, the log,
writing, checkpoints and commits included — and the child's peak RSS. Every output line is
counted, so the figure is only reported for a run that delivered every row exactly once.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, cast

from hub.errors import HubError

_PIPELINE = """\
pipeline: {name}
topics:
  rows: {{partitions: {partitions}}}
sources:
  - name: csv
    type: file
    topic: rows
    config: {{path: input.csv, format: csv, root: {root}}}
sinks:
{sink}
"""

_JSONL_SINK = """\
  - name: jsonl
    type: file
    topics: [rows]
    config: {{path: {root}/out, format: jsonl}}
    batch: {{max_records: 100000, max_bytes: 64MiB, linger: 1s}}
"""

# The URL goes through the environment: a password never lands in the pipeline file.
_SQL_SINK = """\
  - name: sql
    type: sql
    topics: [rows]
    config: {{url: "${{env:HUB_BENCH_SQL_URL}}", table: {table}, mode: insert, auto_create: true}}
    batch: {{max_records: 100000, max_bytes: 64MiB, linger: 1s}}
"""


@dataclass(frozen=True, slots=True)
class PipelineBenchResult:
    rows: int
    partitions: int
    seconds: float
    rows_per_s: float
    peak_rss_mb: float
    input_mb: float
    rounds: tuple[float, ...] = ()
    """rows/s of each round, in order (``rows_per_s`` is their median's)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def write_csv(path: Path, rows: int, *, chunk: int = 1_000_000) -> None:
    """A CSV of ``rows`` rows and 5 typed columns, written in bulk by Arrow."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(42)
    names = np.array(["ada", "grace", "alan", "edsger", "barbara", "donald", "ken", "frances"])
    with pacsv.CSVWriter(
        path,
        pa.schema(
            [
                ("id", pa.int64()),
                ("name", pa.string()),
                ("amount", pa.float64()),
                ("active", pa.bool_()),
                ("created_at", pa.string()),
            ]
        ),
    ) as writer:
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            seconds = 1_790_000_000 + rng.integers(0, 10_000_000, n)
            created = pa.array(seconds * 1_000_000, pa.timestamp("us", tz="UTC"))
            writer.write_table(
                pa.table(
                    {
                        "id": np.arange(start, start + n),
                        "name": names[rng.integers(0, len(names), n)],
                        "amount": np.round(rng.uniform(1, 1000, n), 2),
                        "active": rng.integers(0, 2, n).astype(bool),
                        "created_at": created.cast(pa.string()),
                    }
                )
            )


def run_pipeline_bench(
    directory: Path,
    *,
    rows: int = 1_000_000,
    partitions: int = 1,
    sink: Literal["jsonl", "sql"] = "jsonl",
    sink_url: str | None = None,
    rounds: int = 1,
) -> PipelineBenchResult:
    """Run the pipeline ``rounds`` times on one generated CSV, into JSON-lines files or into a
    table at ``sink_url`` (``rows``, or ``rows_1``... with several rounds; none may exist yet);
    raise unless every round delivered every row exactly once. Report the median round."""
    if sink == "sql" and not sink_url:
        raise HubError("the sql sink needs a database URL (--url)")
    directory.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="hub-bench-pipeline-", dir=directory)).resolve()
    try:
        write_csv(workdir / "input.csv", rows)
        timings = [
            _round(workdir, rows, partitions, sink, sink_url, None if rounds == 1 else n)
            for n in range(1, rounds + 1)
        ]
        seconds = statistics.median(timings)
        return PipelineBenchResult(
            rows=rows,
            partitions=partitions,
            seconds=seconds,
            rows_per_s=rows / seconds,
            peak_rss_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            input_mb=os.path.getsize(workdir / "input.csv") / 1e6,
            rounds=tuple(rows / t for t in timings),
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _round(
    workdir: Path,
    rows: int,
    partitions: int,
    sink: Literal["jsonl", "sql"],
    sink_url: str | None,
    number: int | None,
) -> float:
    """One ``hub run --once`` in a fresh data directory; its seconds."""
    here = workdir / f"round-{number or 1}"
    here.mkdir()
    table = "rows" if number is None else f"rows_{number}"
    pipeline = write_pipeline(
        here, f"bench{number or ''}", workdir, sink=sink, table=table, partitions=partitions
    )
    command = [sys.executable, "-m", "hub", "--data-dir", str(here / "data")]
    command += ["run", str(pipeline), "--once"]
    env = {**os.environ, "HUB_BENCH_SQL_URL": sink_url or ""}
    os.sync()  # the input (and the last round) on disk before the clock starts: not ours to time
    started = time.perf_counter()
    child = subprocess.run(command, cwd=here, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        raise HubError(f"the benchmark pipeline failed:\n{child.stderr[-4000:]}")
    if sink == "sql":
        written, distinct = count_table(cast(str, sink_url), table)
    else:
        written = distinct = _count_lines(here / "out")
    if (written, distinct) != (rows, rows):
        raise HubError(
            f"the benchmark pipeline wrote {written} rows ({distinct} distinct) of {rows}"
        )
    shutil.rmtree(here, ignore_errors=True)
    return seconds


def write_pipeline(
    here: Path,
    name: str,
    input_dir: Path,
    *,
    sink: Literal["jsonl", "sql"],
    table: str = "rows",
    partitions: int = 1,
) -> Path:
    """The benchmark's pipeline file, in ``here``: ``input_dir/input.csv`` into JSON-lines files
    (in ``here/out``) or into ``table`` at the URL in ``$HUB_BENCH_SQL_URL``."""
    template = _SQL_SINK if sink == "sql" else _JSONL_SINK
    pipeline = here / "bench.yaml"
    pipeline.write_text(
        _PIPELINE.format(
            name=name,
            partitions=partitions,
            root=input_dir,
            sink=template.format(root=here, table=table),
        )
    )
    return pipeline


def count_table(url: str, name: str) -> tuple[int, int]:
    """Rows in table ``name`` and distinct ids among them."""
    from sqlalchemy import column, create_engine, distinct, func, select, table

    engine = create_engine(url)
    query = select(func.count(), func.count(distinct(column("id")))).select_from(table(name))
    try:
        with engine.connect() as connection:
            total, unique = connection.execute(query).one()
    finally:
        engine.dispose()
    return int(total), int(unique)


def _count_lines(directory: Path) -> int:
    total = 0
    for path in directory.iterdir():
        with path.open("rb") as f:
            while block := f.read(1 << 24):
                total += block.count(b"\n")
    return total
