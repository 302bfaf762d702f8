"""What ``hub run`` shows while it works: a live table on a terminal, log lines elsewhere."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console
from rich.live import Live
from rich.table import Table

from hub.pipeline.status import TaskStatus

log = logging.getLogger("hub.run")

LOG_EVERY_S = 10.0
REFRESH_PER_S = 4


def status_table(statuses: Sequence[TaskStatus], *, title: str | None = None) -> Table:
    """One row per task: state, records, rate, lag (sinks), dead-lettered, error."""
    table = Table(title=title, show_edge=False, pad_edge=False)
    for column, justify in (
        ("task", "left"),
        ("kind", "left"),
        ("state", "left"),
        ("records", "right"),
        ("records/s", "right"),
        ("lag", "right"),
        ("dead-lettered", "right"),
        ("error", "left"),
    ):
        table.add_column(column, justify=justify, no_wrap=column != "error")  # type: ignore[arg-type]
    for s in statuses:
        table.add_row(
            f"{s.pipeline}/{s.name}",
            s.kind,
            s.state.value,
            f"{s.records:,}",
            f"{s.rate:,.0f}",
            "-" if s.lag is None else f"{s.lag:,}",
            f"{s.dead_lettered:,}",
            s.error or "",
        )
    return table


@contextmanager
def progress(statuses: Callable[[], Sequence[TaskStatus]], console: Console) -> Iterator[None]:
    """Show progress until the block ends: live on a terminal, a log line now and then if not."""
    if console.is_terminal:
        with (
            Live(console=console, refresh_per_second=REFRESH_PER_S, transient=True) as live,
            _every_so_often(_refresh_live, live, statuses),
        ):
            yield
        return
    with _every_so_often(_log_lines, statuses):
        yield


@contextmanager
def _every_so_often(target: Callable[..., None], *args: object) -> Iterator[None]:
    """Run ``target(*args, done)`` on a thread for the life of the block."""
    done = threading.Event()
    thread = threading.Thread(target=target, args=(*args, done), daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def _refresh_live(
    live: Live, statuses: Callable[[], Sequence[TaskStatus]], done: threading.Event
) -> None:
    while not done.wait(1 / REFRESH_PER_S):
        live.update(status_table(statuses()))


def _log_lines(statuses: Callable[[], Sequence[TaskStatus]], done: threading.Event) -> None:
    while not done.wait(LOG_EVERY_S):
        for s in statuses():
            lag = "" if s.lag is None else f", lag {s.lag:,}"
            log.info(
                "%s %s %s: %s, %s records (%s/s)%s, %s dead-lettered",
                s.pipeline,
                s.kind,
                s.name,
                s.state.value,
                f"{s.records:,}",
                f"{s.rate:,.0f}",
                lag,
                f"{s.dead_lettered:,}",
            )
