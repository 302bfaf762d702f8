"""The command line's start: modules load without the cyclic collector walking them."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_process_is_the_command = False
"""Set by ``hub.cli.main``: this process is the ``hub`` command, and ends with it."""


def the_process_is_the_command() -> None:
    """Called by the ``hub`` command's entry point, before it loads anything: what loads from
    then on lives until the process exits, and may be frozen (a process that runs ``cli``
    itself, such as a test session, keeps its collector as it is)."""
    global _process_is_the_command
    _process_is_the_command = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while modules load; in the ``hub`` process, freeze
    what loaded.

    A command loads some 10^5 objects (SQLAlchemy, pyarrow, psycopg, the connectors) that live
    until it exits. The collector walks them again and again as they pile up, about 0.13 s of
    ``hub run``'s start, and again while the interpreter exits, about 0.1 s more. Frozen
    objects (``gc.freeze``) are left out of every later collection; what loading leaves as
    cyclic garbage is frozen with the rest, a few objects, once.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _process_is_the_command:
            gc.freeze()
        if enabled:
            gc.enable()
