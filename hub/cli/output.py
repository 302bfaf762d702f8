"""Output helpers: rich tables for people, orjson documents for scripts.

Tables and summaries that accompany data go to stderr (``err=True``) so that stdout stays clean
for pipes; ``--json`` documents go to stdout.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from typing import Any, BinaryIO

import click
import orjson
from rich.console import Console
from rich.table import Table

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document instead of a table."
)


def console(*, err: bool = False) -> Console:
    """A console on the current stdout/stderr; no markup, so names print exactly as they are."""
    return Console(stderr=err, markup=False, highlight=False, emoji=False)


def print_table(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str | None = None,
    err: bool = False,
) -> None:
    """A table; columns whose name starts with ``#`` hold numbers and are right-aligned."""
    table = Table(show_edge=False, pad_edge=False)
    for column in columns:
        numeric = column.startswith("#")
        table.add_column(column.lstrip("#"), justify="right" if numeric else "left", no_wrap=True)
    for row in rows:
        table.add_row(*("-" if cell is None else str(cell) for cell in row))
    out = console(err=err)
    if title:
        out.print(title, soft_wrap=True)  # a title never wraps to the table's width
    out.print(table)


def binary_stdout() -> BinaryIO:
    """The bytes under ``sys.stdout`` (whatever it is now), text written so far flushed first."""
    sys.stdout.flush()
    return sys.stdout.buffer


def binary_stdin() -> BinaryIO:
    return sys.stdin.buffer


def print_json(document: Any) -> None:
    """One indented JSON document on stdout."""
    stdout = binary_stdout()
    stdout.write(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    stdout.flush()


def info(message: str) -> None:
    """A line for people on stderr, out of the way of piped stdout."""
    click.echo(message, err=True)


def human_bytes(size: int) -> str:
    """``1536`` → ``1.5 KiB``: sizes in tables."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the exit-time flush cannot fail."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (tests): nothing to flush
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
