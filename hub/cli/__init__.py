"""The ``hub`` command line: ``run``, ``serve``, ``topics``, ``produce``, ``consume``..."""

from __future__ import annotations

from typing import Any

from hub.cli.startup import collector_paused, the_process_is_the_command

__all__ = ["COMMANDS", "cli", "main"]


def main(argv: list[str] | None = None) -> None:
    """The console script ``hub``."""
    the_process_is_the_command()
    with collector_paused():
        from hub.cli.app import main as run_command_line
    run_command_line(argv)


def __getattr__(name: str) -> Any:
    """``cli`` and ``COMMANDS``, from ``hub.cli.app`` when first asked for: ``main`` loads it
    with the collector paused."""
    if name in ("cli", "COMMANDS"):
        from hub.cli import app

        return getattr(app, name)
    raise AttributeError(f"module 'hub.cli' has no attribute {name!r}")
