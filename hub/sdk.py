"""What a connector author sees: ``Source``, ``Sink``, ``Transform`` and the batches they exchange.

Data moves in batches. A source's ``poll`` returns a ``SourceBatch`` (a list of dicts, a list of
``Record``s, or a columnar ``pyarrow`` table) with the source offsets reached; a sink's ``write``
receives a ``SinkBatch`` and takes it in the form it wants (raw JSON values, dicts, or an Arrow
table), converted in bulk. Connectors import this module (and ``hub.errors``) only: never the
log, the store or the runtime.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from hub.record import Headers, Record
from hub.units import parse_duration_ms, parse_size  # for configs' "30s" and "4MiB" strings

__all__ = [
    "KEY_COLUMN",
    "TOPIC_COLUMN",
    "BatchFormat",
    "FailedRecord",
    "Sink",
    "SinkBatch",
    "SinkContext",
    "Source",
    "SourceBatch",
    "SourceContext",
    "SourceOffset",
    "Transform",
    "parse_duration_ms",
    "parse_size",
]

if TYPE_CHECKING:
    import pyarrow as pa

SourceOffset = Mapping[str, Any]
"""Where a source is in one of its source partitions: JSON-serializable, the source's own shape
(e.g. ``{"file": "a.csv", "inode": 42, "position": 1024}``)."""

BatchFormat = Literal["records", "json", "arrow"]

KEY_COLUMN = "__key"
"""A transform that sets record keys (``value_to_key``) writes them to this column; the runtime
moves it out of the value into the key (as UTF-8 text) when appending to the log."""
TOPIC_COLUMN = "__topic"
"""A transform that routes records (``route``) writes each record's topic to this column."""


@dataclass(frozen=True, slots=True)
class FailedRecord:
    """Input a source could not turn into a record (a malformed CSV row, a bad JSON line).

    The runtime routes it by the errors policy: to the dead-letter topic with ``error`` and
    ``position`` in its headers, or it stops the task. It never takes its batch down with it.
    """

    raw: bytes
    error: str
    position: Mapping[str, Any]


@dataclass(slots=True)
class SourceBatch:
    """One poll's worth of records and the source offsets reached after them.

    ``records`` is a list of dicts (simplest), a list of ``Record`` (values dicts or JSON bytes,
    with keys and headers), or a ``pyarrow.Table``/``RecordBatch`` (fastest: no object per row).
    ``offsets`` maps each source partition touched by this batch to the offset *after* it; the
    runtime checkpoints them only once the records are durable in the log, and hands them back
    through ``SourceContext.offsets`` after a restart. A replayable source must return the same
    batch again when polled from the same offsets with the same config.

    ``schema`` is the JSON Schema of the records when the source knows it better than their
    values can tell (a table's column types, nullability and primary key): a topic in ``infer``
    mode registers it instead of a schema guessed from the values.
    """

    records: Sequence[Mapping[str, Any]] | Sequence[Record] | pa.Table | pa.RecordBatch
    offsets: Mapping[str, SourceOffset]
    failed: Sequence[FailedRecord] = ()
    schema: Mapping[str, Any] | None = None

    def __len__(self) -> int:
        return self.records.num_rows if hasattr(self.records, "num_rows") else len(self.records)


@dataclass(slots=True)
class SourceContext:
    """What the runtime hands a source task when it opens."""

    pipeline: str
    connector: str
    task: int
    tasks: int
    offsets: dict[str, SourceOffset] = field(default_factory=dict)
    """The last checkpointed offset of each source partition (empty on a first run)."""
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("hub.connector"))

    def owns(self, source_partition: str) -> bool:
        """Whether this task reads ``source_partition``: work is split by a stable hash."""
        from zlib import crc32

        return crc32(source_partition.encode()) % self.tasks == self.task


@dataclass(slots=True)
class SinkContext:
    """What the runtime hands a sink task when it opens."""

    pipeline: str
    connector: str
    task: int
    tasks: int
    group: str
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("hub.connector"))
    before_commit: Callable[[], None] = field(default=lambda: None)
    """An exactly-once sink that commits its offsets outside ``flush`` (MariaDB's DDL commits
    the open transaction) calls this first: the runtime makes the records it dead-lettered
    durable, so that no committed offset passes a record that is neither written nor
    dead-lettered."""


@dataclass
class SinkBatch:
    """Records read from one log partition, with each form computed once, in bulk, on demand.

    ``values`` are the records' JSON bytes (``None`` for a tombstone), without the schema-id
    prefix they carry in the log. Large batches hold them in a ``hub.arrow.ValueArray``: it
    indexes and iterates like a list, and its ``.array`` (one Arrow binary array) serves bulk
    work without a Python object per value (``hub.arrow.join_values`` joins either form).
    ``schema`` is the JSON Schema they were written with, when their topic has one in the
    registry (a SQL sink creates and evolves tables from it).
    """

    topic: str
    partition: int
    offsets: Sequence[int]
    timestamps: Sequence[int]
    keys: Sequence[bytes | None]
    values: Sequence[bytes | None]
    headers: Sequence[Headers]
    schema: Mapping[str, Any] | None = None

    def __len__(self) -> int:
        return len(self.values)

    @property
    def first_offset(self) -> int:
        return self.offsets[0]

    @property
    def next_offset(self) -> int:
        """The offset after the last record: what a group commits once this batch is flushed."""
        return self.offsets[-1] + 1

    def slice(self, start: int, end: int) -> SinkBatch:
        """Records ``start`` to ``end`` (exclusive) as a batch of their own."""
        return SinkBatch(
            self.topic,
            self.partition,
            self.offsets[start:end],
            self.timestamps[start:end],
            self.keys[start:end],
            self.values[start:end],
            self.headers[start:end],
            self.schema,
        )

    @cached_property
    def records(self) -> list[dict[str, Any] | None]:
        """Each value as a dict (``None`` for a tombstone)."""
        import orjson

        loads = orjson.loads
        return [None if v is None else loads(v) for v in self.values]

    @cached_property
    def table(self) -> pa.Table:
        """The values as one Arrow table, parsed in bulk by Arrow's JSON reader."""
        from hub.arrow import json_values_to_table, present_values

        return json_values_to_table(present_values(self.values))


class _Connector:
    """What sources, sinks and transforms share: a type name and a config schema."""

    type: ClassVar[str]
    """The name used in pipeline files (``type: file``)."""
    config_schema: ClassVar[Mapping[str, Any] | str] = {"type": "object"}
    """A JSON Schema for ``config``: a dict, or the name of a file in the ``schemas`` package."""


class Source(_Connector):
    """A connector that reads an external system.

    Lifecycle, all on one thread: ``open`` once, ``poll`` until closed, ``close`` once.

    - ``open(config, context)``: ``config`` was validated against ``config_schema``;
      ``context.offsets`` holds the last checkpointed offset per source partition: resume there.
    - ``poll()``: the next batch, or ``None`` when there is nothing new right now (the source is
      caught up; the runtime backs off and polls again, or stops under ``hub run --once``).
      Raise ``RetriableError`` for transient failures (retried with back-off), any other
      exception to fail the task. Keep batches bounded (``max_records`` in the config, say).
    - ``close()``: release resources; called even after a failure.

    ``replayable = True`` promises that polling again from the same offsets returns the same
    batches: the runtime then makes source -> log exactly-once.
    """

    replayable: ClassVar[bool] = False

    def open(self, config: Mapping[str, Any], context: SourceContext) -> None:
        self.config = config
        self.context = context

    def poll(self) -> SourceBatch | None:
        raise NotImplementedError

    def close(self) -> None:
        """Release resources."""


class Sink(_Connector):
    """A connector that writes to an external system.

    Lifecycle, all on one thread: ``open`` once, then ``write`` batches and ``flush``, ``close``.

    - ``write(batch)``: take the batch's records (in ``batch_format``, its cheapest form for you).
      Raise ``RecordError`` naming a bad record's offset to dead-letter it, ``RetriableError`` to
      have the same batch written again after a back-off.
    - ``flush()``: everything written so far must be durable in the target when it returns; the
      runtime commits the group's offsets only afterwards (at-least-once).
    - ``committed_offsets()``: a sink that stores its offsets in the target itself, atomically
      with the data (``exactly_once = True``), returns ``{(topic, partition): next offset}``; the
      runtime resumes from there instead of the group's offsets.
    """

    batch_format: ClassVar[BatchFormat] = "records"
    exactly_once: ClassVar[bool] = False

    def open(self, config: Mapping[str, Any], context: SinkContext) -> None:
        self.config = config
        self.context = context

    def write(self, batch: SinkBatch) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """Make everything written durable."""

    def committed_offsets(self) -> dict[tuple[str, int], int] | None:
        return None

    def close(self) -> None:
        """Release resources."""


class Transform(_Connector):
    """Changes records between a source and the log, or between the log and a sink.

    Built-in transforms work on whole Arrow tables (``apply``), where the reserved columns
    ``KEY_COLUMN`` and ``TOPIC_COLUMN`` carry keys and destinations; a simple third-party transform
    overrides ``apply_record`` instead and the base class loops. Returning ``None`` from
    ``apply_record`` drops the record. Raise ``RecordError`` for a record that cannot be
    transformed: the runtime isolates it and applies the errors policy to it alone.
    """

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config

    def apply(self, table: pa.Table) -> pa.Table:
        """Record by record through ``apply_record``; reserved columns (``__*``) ride along."""
        import pyarrow as pa

        from hub.arrow import dicts_to_table

        reserved = [name for name in table.column_names if name.startswith("__")]
        rows = table.drop_columns(reserved).to_pylist()
        results = [self.apply_record(row) for row in rows]
        kept = [i for i, row in enumerate(results) if row is not None]
        if not kept:
            return table.slice(0, 0)
        out = dicts_to_table([row for row in results if row is not None])
        carried = table.select(reserved).take(pa.array(kept, pa.int64()))
        for name in reserved:
            out = out.append_column(name, carried.column(name))
        return out

    def apply_record(self, record: dict[str, Any]) -> dict[str, Any] | None:
        raise NotImplementedError(
            f"{type(self).__name__} implements neither apply nor apply_record"
        )
