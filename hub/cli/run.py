"""``hub run FILE... [--once]``: run pipelines on the embedded log until done or stopped."""

from __future__ import annotations

import os
from pathlib import Path

import click

from hub.cli.context import HubContext, pass_hub
from hub.cli.output import console
from hub.cli.signals import stop_on_signals
from hub.cli.startup import collector_paused
from hub.errors import HubError


def release_arrow_memory_promptly() -> None:
    """Arrow buffers from the system allocator, unless ``ARROW_DEFAULT_MEMORY_POOL`` chooses.

    Batches come and go all day: mimalloc and jemalloc keep what a batch freed for the next, so
    a long run's RSS settles far above what it holds (356 MB against 276 MB for the PostgreSQL
    benchmark), for no measurable speed.
    """
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--once",
    is_flag=True,
    help="Run every source until caught up, let the sinks drain and commit, then exit.",
)
@pass_hub
def run(hub: HubContext, files: tuple[Path, ...], once: bool) -> None:
    """Run the pipelines in FILES (Ctrl-C stops them gracefully: flush, commit, exit).

    Exit status: 0 when every task succeeded, 1 when any failed.
    """
    with collector_paused():  # the runtime, and the connectors the pipelines name
        from hub.pipeline import load_pipelines
        from hub.pipeline.progress import progress, status_table
        from hub.pipeline.runtime import Runtime

        pipelines = load_pipelines(files)
    release_arrow_memory_promptly()
    err = console(err=True)
    with hub.writer() as log, hub.store() as store:
        runtime = Runtime(pipelines, log, store)
        with stop_on_signals(runtime.stop), progress(lambda: runtime.statuses, err):
            result = runtime.run(once=once)
    if not err.is_terminal:  # a log file or a pipe: no terminal width to fit, keep names whole
        err.width = max(err.width, 160)
    err.print(status_table(result.statuses, title="hub run: summary"))
    if result.failed:
        names = ", ".join(f"{s.kind} {s.name}" for s in result.failed)
        raise HubError(f"{len(result.failed)} task(s) failed: {names}; see the errors above")
