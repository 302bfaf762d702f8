"""``hub bench``: measure this machine; the README's performance table comes from here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from hub.cli.context import HubContext, pass_hub
from hub.cli.output import json_option, print_json, print_table

F = TypeVar("F", bound=Callable[..., Any])

directory_option = click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to work (default: a temporary folder inside the data directory, removed after).",
)


def repeat_option(text: str = "Repeat and report the best round.") -> Callable[[F], F]:
    """``--rounds``: how often a benchmark runs (what it reports of them is in ``text``)."""
    return click.option(
        "--rounds", "-r", type=click.IntRange(min=1), default=3, show_default=True, help=text
    )


rounds_option = repeat_option()


@click.group()
def bench() -> None:
    """Benchmarks: throughput and latency measured on this machine."""


@bench.command("log")
@click.option("--records", "-n", type=click.IntRange(min=1), default=1_000_000, show_default=True)
@click.option(
    "--record-size",
    "-s",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Bytes per value.",
)
@click.option("--partitions", "-p", type=click.IntRange(min=1), default=1, show_default=True)
@click.option(
    "--batch-size",
    "-b",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Records per append.",
)
@rounds_option
@directory_option
@json_option
@pass_hub
def bench_log(
    hub: HubContext,
    records: int,
    record_size: int,
    partitions: int,
    batch_size: int,
    rounds: int,
    directory: Path | None,
    as_json: bool,
) -> None:
    """Append and read throughput of the log, like Kafka's producer and consumer perf tools.

    Also writes the same bytes raw to a file in the same directory and prints the ratio.
    """
    from hub.bench.log import run_log_bench

    result = run_log_bench(
        directory or hub.data_dir,
        records=records,
        record_size=record_size,
        partitions=partitions,
        batch_size=batch_size,
        rounds=rounds,
    )
    if as_json:
        print_json(result.as_dict())
        return
    print_table(
        ["measure", "#value"],
        [
            ("append", f"{result.append_records_per_s:,.0f} records/s"),
            ("append", f"{result.append_mb_per_s:,.1f} MB/s"),
            (
                "append latency p50 / p99 (per batch)",
                f"{result.append_p50_ms:.2f} / {result.append_p99_ms:.2f} ms",
            ),
            ("read as bytes (whole batches)", f"{result.read_records_per_s:,.0f} records/s"),
            ("read as bytes (whole batches)", f"{result.read_mb_per_s:,.1f} MB/s"),
            ("read and decode every value", f"{result.decode_records_per_s:,.0f} records/s"),
            ("raw sequential write, same bytes", f"{result.raw_write_mb_per_s:,.1f} MB/s"),
            ("append / raw write", f"{result.append_vs_raw:.2f} x"),
        ],
        title=(
            f"hub bench log: {records:,} records of {record_size} B, {partitions} partition(s), "
            f"batches of {batch_size:,}, best of {rounds} round(s)"
        ),
    )


@bench.command("pipeline")
@click.option("--rows", "-n", type=click.IntRange(min=1), default=1_000_000, show_default=True)
@click.option("--partitions", "-p", type=click.IntRange(min=1), default=1, show_default=True)
@click.option(
    "--sink",
    type=click.Choice(["jsonl", "sql"]),
    default="jsonl",
    show_default=True,
    help="JSON-lines files, or a table `rows` through the sql sink (exactly-once).",
)
@click.option(
    "--url",
    envvar="HUB_BENCH_SQL_URL",
    metavar="URL",
    help="With --sink sql: the SQLAlchemy URL of a database without a table `rows` "
    "(`rows_1`, `rows_2`... with several rounds).",
)
@repeat_option("Run the pipeline this many times on the same input and report the median run.")
@directory_option
@json_option
@pass_hub
def bench_pipeline(
    hub: HubContext,
    rows: int,
    partitions: int,
    sink: str,
    url: str | None,
    rounds: int,
    directory: Path | None,
    as_json: bool,
) -> None:
    """A generated CSV (5 columns) -> log -> JSON-lines files (or a SQL table) with
    `hub run --once`.

    Reports rows/s end to end (the median run) and the runs' peak RSS; fails unless every row
    was delivered exactly once in every run.
    """
    from hub.bench.pipeline import run_pipeline_bench

    result = run_pipeline_bench(
        directory or hub.data_dir,
        rows=rows,
        partitions=partitions,
        sink="sql" if sink == "sql" else "jsonl",
        sink_url=url,
        rounds=rounds,
    )
    if as_json:
        print_json(result.as_dict())
        return
    print_table(
        ["measure", "#value"],
        [
            ("rows", f"{result.rows:,} ({result.input_mb:,.0f} MB of CSV)"),
            ("hub run --once (median)", f"{result.seconds:,.2f} s"),
            ("end to end (median)", f"{result.rows_per_s:,.0f} rows/s"),
            ("each run", " / ".join(f"{r:,.0f}" for r in result.rounds) + " rows/s"),
            ("peak RSS", f"{result.peak_rss_mb:,.0f} MB"),
        ],
        title=f"hub bench pipeline: CSV -> log ({partitions} partition(s)) -> "
        + ("sql table" if sink == "sql" else "JSON lines")
        + f", median of {rounds} run(s)",
    )


@bench.command("schema")
@click.option("--rows", "-n", type=click.IntRange(min=1), default=1_000_000, show_default=True)
@click.option(
    "--bad-rows",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="Rows planted to break the schema; both paths must find exactly these.",
)
@click.option(
    "--per-record-rows",
    type=click.IntRange(min=1),
    help="Rows for the per-record path (default: all of them).",
)
@rounds_option
@json_option
def bench_schema(
    rows: int, bad_rows: int, per_record_rows: int | None, rounds: int, as_json: bool
) -> None:
    """Validation against a 10-field JSON Schema: columnar (Arrow tables) and per record (JSON).

    Fails unless both paths find exactly the rows planted to break the schema.
    """
    from hub.bench.schema import run_schema_bench

    result = run_schema_bench(
        rows=rows, bad_rows=bad_rows, per_record_rows=per_record_rows, rounds=rounds
    )
    if as_json:
        print_json(result.as_dict())
        return
    print_table(
        ["measure", "#value"],
        [
            ("columnar (validate_table)", f"{result.columnar_records_per_s:,.0f} records/s"),
            ("columnar, whole table", f"{result.columnar_seconds:,.3f} s"),
            ("per record (validate_values)", f"{result.per_record_records_per_s:,.0f} records/s"),
            (
                f"per record, {result.per_record_rows:,} JSON values",
                f"{result.per_record_seconds:,.3f} s",
            ),
            ("columnar / per record", f"{result.speedup:.1f} x"),
            ("violating rows found", f"{result.bad_rows:,} of {result.bad_rows:,} planted"),
        ],
        title=f"hub bench schema: {rows:,} rows, {result.fields} fields, best of {rounds} round(s)",
    )


@bench.command("registry")
@click.option(
    "--requests",
    "-n",
    type=click.IntRange(min=1),
    default=5_000,
    show_default=True,
    help="Lookups of each kind.",
)
@click.option("--subjects", type=click.IntRange(min=1), default=10, show_default=True)
@directory_option
@json_option
@pass_hub
def bench_registry(
    hub: HubContext, requests: int, subjects: int, directory: Path | None, as_json: bool
) -> None:
    """Schema registry lookups/s from one HTTP client against a `hub serve` child process."""
    from hub.bench.registry import run_registry_bench

    result = run_registry_bench(
        directory or hub.data_dir, requests=requests, subjects=subjects, store_url=hub.store_url
    )
    if as_json:
        print_json(result.as_dict())
        return
    print_table(
        ["lookup", "#per second", "#p50 ms", "#p99 ms"],
        [(r.name, f"{r.per_s:,.0f}", f"{r.p50_ms:.3f}", f"{r.p99_ms:.3f}") for r in result.lookups]
        + [("all lookups", f"{result.lookups_per_s:,.0f}", "", "")],
        title=f"hub bench registry: {requests:,} lookups of each kind, {subjects} subjects, "
        "one keep-alive client",
    )
