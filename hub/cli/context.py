"""What every command gets from the global options: where the data is, and how to open it.

Only commands that change the log take the writer lock (``writer``); every other command opens
the data directory read-only (``reader``), so it works alongside a running hub and sees its
appends as they land.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hub.log import LocalLog

if TYPE_CHECKING:
    from hub.store import Store


@dataclass(frozen=True, slots=True)
class HubContext:
    """The global options, resolved once by the root group."""

    data_dir: Path
    store_url: str | None = None
    debug: bool = False

    @contextmanager
    def writer(self) -> Iterator[LocalLog]:
        """The log with the data directory's write lock (``LogLockedError`` names the holder)."""
        with LocalLog(self.data_dir) as log:
            yield log

    @contextmanager
    def reader(self) -> Iterator[LocalLog]:
        """A read-only view: no lock, no recovery; sees another process's appends."""
        with LocalLog(self.data_dir, read_only=True) as log:
            yield log

    @contextmanager
    def store(self) -> Iterator[Store]:
        """The metadata store: ``--store`` if given, else SQLite in the data directory."""
        from hub.store import Store  # SQLAlchemy loads only for commands that need the store

        with Store.open(self.store_url, self.data_dir) as store:
            yield store


pass_hub = click.make_pass_decorator(HubContext)
