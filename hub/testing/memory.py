"""``MemorySource`` and ``MemorySink``: connectors that live in memory, for tests and examples.

Both are registered through hooks like any plugin, so a test can run them in a real pipeline::

    registry = plugin_registry(hub.testing.memory)
    # source: {type: memory, config: {records: [...]}}; sink: {type: memory, config: {name: out}}
    MemorySink.target("out").records  # what the sink made durable

Each can be told to fail (``fail: [{call: write, at: 3, error: retriable}]``) so that runtime tests
can exercise retries, dead-letter routing and task failure without a flaky external system.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import orjson

from hub.errors import ConnectorError, FatalError, RecordError, RetriableError
from hub.hookspecs import hookimpl
from hub.sdk import Sink, SinkBatch, SinkContext, Source, SourceBatch, SourceContext

_ERRORS: dict[str, type[ConnectorError]] = {
    "retriable": RetriableError,
    "fatal": FatalError,
    "record": RecordError,
}


def _failures_schema(calls: list[str], errors: list[str]) -> dict[str, Any]:
    return {
        "type": "array",
        "description": "Injected failures: calls number at .. at+times-1 of `call` raise `error`.",
        "default": [],
        "items": {
            "type": "object",
            "properties": {
                "call": {"enum": calls},
                "at": {"type": "integer", "minimum": 1, "description": "1 = the first call"},
                "times": {"type": "integer", "minimum": 1, "default": 1},
                "error": {"enum": errors},
            },
            "required": ["call", "at", "error"],
            "additionalProperties": False,
        },
    }


def _maybe_fail(failures: Sequence[Mapping[str, Any]], call: str, number: int, where: str) -> None:
    for failure in failures:
        at = failure["at"]
        if failure["call"] == call and at <= number < at + failure.get("times", 1):
            error = failure["error"]
            raise _ERRORS[error](f"{where}: injected {error} failure on {call} #{number}")


class MemorySource(Source):
    """Emits the records listed in its config, in batches; resumes from its offset."""

    type = "memory"
    replayable = True
    PARTITION: ClassVar[str] = "memory"
    """The one source partition; its offset is ``{"position": records emitted so far}``."""
    config_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "properties": {
            "records": {
                "type": "array",
                "items": {"type": "object"},
                "description": "the records to emit, in order",
            },
            "batch_size": {"type": "integer", "minimum": 1, "default": 100},
            "format": {
                "enum": ["records", "arrow"],
                "default": "records",
                "description": "emit lists of dicts, or pyarrow tables",
            },
            "fail": _failures_schema(["poll"], ["retriable", "fatal"]),
        },
        "required": ["records"],
        "additionalProperties": False,
    }

    polls: int
    """How many times ``poll`` was called on this instance."""

    def open(self, config: Mapping[str, Any], context: SourceContext) -> None:
        super().open(config, context)
        self._records: list[Mapping[str, Any]] = list(config["records"])
        self._batch_size: int = config.get("batch_size", 100)
        self._arrow = config.get("format", "records") == "arrow"
        self._failures = config.get("fail", [])
        self.polls = 0
        if context.owns(self.PARTITION):
            self._position = int(context.offsets.get(self.PARTITION, {}).get("position", 0))
        else:  # another task reads the one partition
            self._position = len(self._records)

    def poll(self) -> SourceBatch | None:
        self.polls += 1
        _maybe_fail(self._failures, "poll", self.polls, f"memory source {self.context.connector!r}")
        if self._position >= len(self._records):
            return None
        end = min(self._position + self._batch_size, len(self._records))
        rows = self._records[self._position : end]
        self._position = end
        offsets = {self.PARTITION: {"position": end}}
        if self._arrow:
            import pyarrow as pa

            return SourceBatch(pa.Table.from_pylist(rows), offsets)
        return SourceBatch(rows, offsets)


@dataclass(eq=False)
class MemoryTarget:
    """What the ``MemorySink``s of one ``name`` made durable, shared by their instances and tasks
    and kept after they close, as a real target would be."""

    name: str
    batches: list[SinkBatch] = field(default_factory=list)
    """Flushed batches, in flush order."""
    offsets: dict[tuple[str, int], int] = field(default_factory=dict)
    """With ``exactly_once``: the next offset of each partition, stored with the batches."""
    calls: Counter[str] = field(default_factory=Counter)
    """How often ``open``, ``write``, ``flush`` and ``close`` were called, failed calls included."""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def records(self) -> list[Any]:
        """Every flushed record's value (``None`` for a tombstone), in flush order."""
        return [None if v is None else orjson.loads(v) for b in self.batches for v in b.values]

    @property
    def positions(self) -> list[tuple[str, int, int]]:
        """``(topic, partition, offset)`` of every flushed record: duplicates show up here."""
        return [(b.topic, b.partition, o) for b in self.batches for o in b.offsets]

    @property
    def writes(self) -> int:
        return self.calls["write"]

    @property
    def flushes(self) -> int:
        return self.calls["flush"]

    def count(self, call: str) -> int:
        with self.lock:
            self.calls[call] += 1
            return self.calls[call]


class MemorySink(Sink):
    """Keeps flushed batches in memory under a name that a test looks up afterwards.

    Written batches become durable (visible in ``MemorySink.target(name)``) only on ``flush``; a
    sink dropped or closed without flushing loses them, as a crashed process would. With
    ``exactly_once: true`` the flush stores each partition's next offset with the batches and
    ``committed_offsets`` returns them.
    """

    type = "memory"
    config_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1, "description": "the target to write to"},
            "exactly_once": {"type": "boolean", "default": False},
            "reject_field": {
                "type": "string",
                "description": "a write holding a record with this field set raises RecordError",
            },
            "fail": _failures_schema(["write", "flush"], ["retriable", "fatal", "record"]),
        },
        "required": ["name"],
        "additionalProperties": False,
    }

    _targets: ClassVar[dict[str, MemoryTarget]] = {}
    _targets_lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def target(cls, name: str) -> MemoryTarget:
        """The target called ``name`` (created empty on first use)."""
        with cls._targets_lock:
            return cls._targets.setdefault(name, MemoryTarget(name))

    @classmethod
    def reset(cls) -> None:
        """Forget every target."""
        with cls._targets_lock:
            cls._targets.clear()

    def open(self, config: Mapping[str, Any], context: SinkContext) -> None:
        super().open(config, context)
        # An instance attribute: whether this sink owns its offsets depends on its config.
        self.exactly_once = bool(config.get("exactly_once", False))  # type: ignore[misc]
        self._target = self.target(config["name"])
        self._failures = config.get("fail", [])
        self._reject = config.get("reject_field")
        self._pending: list[SinkBatch] = []
        self._target.count("open")

    @property
    def _where(self) -> str:
        return f"memory sink {self._target.name!r}"

    def write(self, batch: SinkBatch) -> None:
        _maybe_fail(self._failures, "write", self._target.count("write"), self._where)
        if not len(batch):
            return
        if self._reject:
            values = (None if v is None else orjson.loads(v) for v in batch.values)
            bad = [
                offset
                for offset, value in zip(batch.offsets, values, strict=True)
                if isinstance(value, dict) and value.get(self._reject)
            ]
            if bad:
                raise RecordError(
                    f"{self._where}: record(s) at offset(s) {bad} of {batch.topic}-"
                    f"{batch.partition} have {self._reject!r} set"
                )
        self._pending.append(batch)

    def flush(self) -> None:
        _maybe_fail(self._failures, "flush", self._target.count("flush"), self._where)
        with self._target.lock:
            self._target.batches.extend(self._pending)
            if self.exactly_once:
                for batch in self._pending:
                    self._target.offsets[batch.topic, batch.partition] = batch.next_offset
        self._pending.clear()

    def committed_offsets(self) -> dict[tuple[str, int], int] | None:
        if not self.exactly_once:
            return None
        with self._target.lock:
            return dict(self._target.offsets)

    def close(self) -> None:
        self._target.count("close")
        self._pending.clear()


@hookimpl
def hub_sources() -> list[type[Source]]:
    return [MemorySource]


@hookimpl
def hub_sinks() -> list[type[Sink]]:
    return [MemorySink]
