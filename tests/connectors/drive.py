"""Helpers that drive connectors through the SDK lifecycle, as the runtime does, on real files."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from hub.sdk import SinkBatch, SinkContext, Source, SourceBatch, SourceContext


def source_context(
    offsets: Mapping[str, Any] | None = None, task: int = 0, tasks: int = 1
) -> SourceContext:
    return SourceContext(
        "test", "source", task, tasks, dict(offsets or {}), logging.getLogger("hub.connector.t")
    )


def sink_context(task: int = 0, tasks: int = 1) -> SinkContext:
    return SinkContext("test", "sink", task, tasks, "test.sink")


def drain(source: Source, limit: int = 10_000) -> list[SourceBatch]:
    """Poll until the source is caught up."""
    batches: list[SourceBatch] = []
    for _ in range(limit):
        batch = source.poll()
        if batch is None:
            return batches
        batches.append(batch)
    raise AssertionError(f"the source was not caught up after {limit} polls")


def rows(batches: list[SourceBatch]) -> list[dict[str, Any]]:
    """Every record of ``batches`` as a dict, in order."""
    out: list[dict[str, Any]] = []
    for batch in batches:
        records = batch.records
        if isinstance(records, pa.Table | pa.RecordBatch):
            out.extend(records.to_pylist())
        else:
            out.extend(dict(r) for r in records if isinstance(r, Mapping))
    return out


def offsets_after(batches: list[SourceBatch], start: Mapping[str, Any] | None = None) -> dict:
    """What the runtime would checkpoint after ``batches``."""
    merged: dict[str, Any] = dict(start or {})
    for batch in batches:
        merged.update(batch.offsets)
    return merged


def sink_batch(
    offsets: list[int], values: list[bytes | None], topic: str = "orders", partition: int = 0
) -> SinkBatch:
    n = len(offsets)
    return SinkBatch(topic, partition, offsets, [0] * n, [None] * n, values, [()] * n)
