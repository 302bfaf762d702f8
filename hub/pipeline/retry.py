"""Retrying ``RetriableError`` with exponential back-off, up to a deadline."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from hub.errors import FatalError, RetriableError

log = logging.getLogger(__name__)
T = TypeVar("T")

_FIRST_DELAY_S = 0.1


def retrying(
    action: Callable[[], T],
    *,
    what: str,
    timeout_ms: int,
    max_backoff_ms: int,
    stop: threading.Event,
) -> T:
    """Run ``action``; on ``RetriableError`` wait (doubling, with jitter) and run it again.

    Gives up with ``FatalError`` once ``timeout_ms`` have passed since the first failure, or when
    ``stop`` is set while waiting.
    """
    delay = _FIRST_DELAY_S
    deadline: float | None = None
    while True:
        try:
            return action()
        except RetriableError as exc:
            now = time.monotonic()
            deadline = deadline or now + timeout_ms / 1000
            if now >= deadline:
                raise FatalError(
                    f"{what} kept failing for {timeout_ms / 1000:g}s: {exc}; raise "
                    "errors.retry_timeout in the pipeline file to wait longer"
                ) from exc
            pause = min(delay, max_backoff_ms / 1000, deadline - now) * random.uniform(0.8, 1.2)
            log.warning("%s failed (%s); retrying in %.1fs", what, exc, pause)
            if stop.wait(pause):
                raise FatalError(
                    f"{what} was still failing when the pipeline stopped: {exc}"
                ) from exc
            delay *= 2
