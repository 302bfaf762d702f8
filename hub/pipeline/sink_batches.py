"""Consecutive sink batches joined into fewer, larger ones before they are written.

The log hands a sink its records in the batches sources appended (10,000 records by default);
a sink pays a fixed cost per write (a savepoint and a COPY on a database, a system call on a
file), so the runtime joins the batches of one read up to the sink's ``batch.max_records``.
Only batches that follow each other in the partition and carry the same schema are joined.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, cast

import pyarrow as pa

from hub.arrow.value_array import ValueArray
from hub.sdk import SinkBatch


def coalesce(batches: Sequence[SinkBatch], max_records: int) -> Iterator[SinkBatch]:
    """``batches`` in order, each run of joinable ones as one batch of at most ``max_records``
    records (a batch already larger stays as it is)."""
    group: list[SinkBatch] = []
    size = 0
    for batch in batches:
        if group and (size + len(batch) > max_records or not _joinable(group[-1], batch)):
            yield join(group)
            group, size = [], 0
        group.append(batch)
        size += len(batch)
    if group:
        yield join(group)


def join(batches: Sequence[SinkBatch]) -> SinkBatch:
    """One batch holding the records of ``batches`` (of one partition and schema), in order."""
    if len(batches) == 1:
        return batches[0]
    first = batches[0]
    return SinkBatch(
        first.topic,
        first.partition,
        _concat([b.offsets for b in batches]),
        _concat([b.timestamps for b in batches]),
        _concat([b.keys for b in batches]),
        _join_values([b.values for b in batches]),
        _concat([b.headers for b in batches]),
        first.schema,
    )


def _joinable(before: SinkBatch, after: SinkBatch) -> bool:
    return (
        before.topic == after.topic
        and before.partition == after.partition
        and before.next_offset <= after.first_offset
        and (before.schema is after.schema or before.schema == after.schema)
    )


def _concat(columns: Sequence[Sequence[Any]]) -> list[Any]:
    joined: list[Any] = []
    for column in columns:
        joined += column
    return joined


def _join_values(columns: Sequence[Sequence[bytes | None]]) -> Sequence[bytes | None]:
    if all(isinstance(column, ValueArray) for column in columns):
        return ValueArray(pa.concat_arrays([cast(ValueArray, c).array for c in columns]))
    return _concat([list(column) for column in columns])
