"""The command line's start: modules load without the cyclic collector walking them."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while modules load, then freeze what loaded.

    A command loads some 10^5 objects (SQLAlchemy, pyarrow, psycopg, the connectors) that live
    until it exits. The collector walks them again and again as they pile up, about 0.13 s of
    ``hub run``'s start, and again while the interpreter exits, about 0.1 s more. Frozen
    objects (``gc.freeze``) are left out of every later collection. What loading leaves as
    cyclic garbage is frozen with the rest: a few objects, once.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
