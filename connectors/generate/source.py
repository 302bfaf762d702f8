"""The ``generate`` source: synthetic records from a field template, for demos and benchmarks.

Rows are numbered 0, 1, 2, ... and made in batches of ``max_records`` aligned on those numbers;
batch ``k`` draws its random values from a generator seeded with ``(seed, k)``, so with a
``seed`` a restart reproduces the very same rows, and without one it still continues the
sequence. The source offset (partition ``task-<n>``) is ``{"generated": <next row number>}``.
With ``tasks: N``, task ``t`` makes the batches ``k`` with ``k % N == t``: row numbers stay
unique and ``count`` is the total of all tasks.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa

from connectors.generate.fields import Generator, build
from hub.sdk import Source, SourceBatch, SourceContext

_MAX_SLEEP_S = 1.0


class GenerateSource(Source):
    """Makes synthetic records from a field template, for demos and benchmarks."""

    type = "generate"
    config_schema = "generate-source.schema.json"
    replayable = True

    def open(self, config: Mapping[str, Any], context: SourceContext) -> None:
        super().open(config, context)
        self._fields: list[tuple[str, Generator]] = [
            (name, build(name, spec)) for name, spec in config["fields"].items()
        ]
        self._count: int | None = config.get("count")
        seed = config.get("seed")
        self._seed = int.from_bytes(os.urandom(8), "little") if seed is None else int(seed)
        rate = config.get("rate")
        self._rate: float | None = None if rate is None else rate / context.tasks
        batch = int(config.get("max_records", 10_000))
        if self._rate is not None:  # about ten batches a second
            batch = max(1, min(batch, int(self._rate / 10)))
        self._batch = batch
        self._partition = f"task-{context.task}"
        offset = context.offsets.get(self._partition) or {}
        self._next = int(offset.get("generated", 0))
        self._clock = time.monotonic()
        self._made = 0  # rows made since open, for the rate

    def poll(self) -> SourceBatch | None:
        span = self._next_span()
        if span is None:
            return None
        first, end, k = span
        if self._rate is not None and not self._wait(end - first):
            return None
        rng = np.random.default_rng([self._seed, k])
        start = k * self._batch  # draw the whole batch, so a resumed one has the same values
        now = time.time_ns() // 1_000_000
        columns = {name: make(rng, start, self._batch, now) for name, make in self._fields}
        table = pa.table(columns)
        if first > start or end < start + self._batch:
            table = table.slice(first - start, end - first)
        self._next = end
        self._made += end - first
        return SourceBatch(table, {self._partition: {"generated": end}})

    def _next_span(self) -> tuple[int, int, int] | None:
        """``(first row, end row, batch number)`` of this task's next batch, or ``None``."""
        tasks, task = self.context.tasks, self.context.task
        k = self._next // self._batch
        first = self._next
        if k % tasks != task:
            k += (task - k) % tasks
            first = k * self._batch
        end = (k + 1) * self._batch
        if self._count is not None:
            end = min(end, self._count)
            if first >= end:
                return None
        return first, end, k

    def _wait(self, rows: int) -> bool:
        """Hold the rate: sleep until ``rows`` more are due (at most a second at a time)."""
        assert self._rate is not None
        due = self._clock + (self._made + rows) / self._rate
        now = time.monotonic()
        if now - due > _MAX_SLEEP_S:  # fell far behind (a slow sink): no burst to catch up
            self._clock = now - self._made / self._rate
            return True
        if due > now:
            time.sleep(min(due - now, _MAX_SLEEP_S))
        return time.monotonic() >= due
