"""The checks behind the contract kit, as plain functions that raise ``AssertionError``.

``SourceContract``, ``SinkContract`` and ``TransformContract`` call them; they are public so that a
connector can be checked from anywhere (a parametrized test of your own, a notebook). Records are
compared as multisets of canonical JSON, so messages can say exactly which records were lost and
which were repeated. ``comparable`` maps each record before comparing: drop a volatile field, or
turn a sink's read-back strings into numbers.
"""

from __future__ import annotations

import gc
import json
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import orjson

from hub.connector_config import config_validator, validate_config
from hub.errors import ConfigError, PluginError
from hub.plugins import Kind, load_config_schema
from hub.record import Record
from hub.sdk import Sink, SinkBatch, SinkContext, Source, SourceBatch, SourceContext, Transform

Comparable = Callable[[Any], Any]
ReadBack = Callable[[Mapping[str, Any]], Sequence[Any]]

MAX_POLLS = 10_000
CONTRACT_TOPIC = "contract"
_BASE_TIMESTAMP = 1_700_000_000_000
_BASES: dict[Kind, type] = {"source": Source, "sink": Sink, "transform": Transform}


def _same(row: Any) -> Any:
    return row


def _fail(message: str) -> NoReturn:
    raise AssertionError(message)


# -- every connector -------------------------------------------------------------------------------
def check_declaration(cls: type, kind: Kind) -> None:
    """A subclass of the right base with a ``type`` name, a docstring (``hub plugins list``
    shows its first line) and a config schema that is valid Draft 2020-12 for an object."""
    base = _BASES[kind]
    if not (isinstance(cls, type) and issubclass(cls, base)):
        _fail(f"{cls!r} is not a subclass of hub.{base.__name__}")
    name = getattr(cls, "type", None)
    if not isinstance(name, str) or not name or any(c.isspace() for c in name):
        _fail(f"{cls.__qualname__}.type must be a non-empty name without spaces, not {name!r}")
    doc = cls.__dict__.get("__doc__")
    if not isinstance(doc, str) or not doc.strip():
        _fail(f"{cls.__qualname__} has no docstring: `hub plugins list` shows its first line")
    try:
        config_validator(cls)
    except PluginError as exc:
        _fail(str(exc))
    schema = load_config_schema(cls)
    if schema.get("type") != "object":
        _fail(f'{cls.__qualname__}.config_schema must declare "type": "object" at its root')


def check_rejects(
    cls: type, kind: Kind, bad_config: Mapping[str, Any], fields: Sequence[str]
) -> None:
    """``bad_config`` is refused with a ``ConfigError`` naming every one of ``fields``: by the
    schema (``validate_config``) or, for what a schema cannot say, by ``open`` (``__init__``
    for a transform)."""
    try:
        config = validate_config(cls, bad_config)
    except ConfigError as exc:
        error = exc
    else:
        error = _open_expecting_config_error(cls, kind, config)
    unnamed = [f for f in fields if f not in str(error)]
    if unnamed:
        _fail(f"the ConfigError for a bad config does not name {unnamed}: {error}")


def _open_expecting_config_error(cls: type, kind: Kind, config: dict[str, Any]) -> ConfigError:
    try:
        if kind == "transform":
            cls(config)
        else:
            connector = cls()
            context = source_context(cls) if kind == "source" else sink_context(cls)
            connector.open(config, context)
            connector.close()
    except ConfigError as exc:
        return exc
    _fail(
        f"{cls.__qualname__} accepted the bad config {config!r}: neither its config_schema nor "
        f"its {'__init__' if kind == 'transform' else 'open'} raised ConfigError"
    )


# -- sources ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Polled:
    """One polled batch: its records (``batch_rows``) and every source partition's offset after
    it, merged with the earlier ones and passed through JSON, as the runtime checkpoints them."""

    rows: list[Any]
    offsets: dict[str, Any]


def source_context(
    cls: type, offsets: Mapping[str, Any] | None = None, *, task: int = 0, tasks: int = 1
) -> SourceContext:
    name = getattr(cls, "type", "connector")
    return SourceContext("contract", name, task, tasks, dict(offsets or {}))


def poll_all(
    cls: type[Source],
    config: Mapping[str, Any],
    offsets: Mapping[str, Any] | None = None,
    *,
    task: int = 0,
    tasks: int = 1,
    max_polls: int = MAX_POLLS,
) -> list[Polled]:
    """Open a fresh source at ``offsets``, poll until it is caught up (``None``), close it."""
    source = cls()
    source.open(validate_config(cls, config), source_context(cls, offsets, task=task, tasks=tasks))
    try:
        polled: list[Polled] = []
        checkpoint = dict(offsets or {})
        for _ in range(max_polls):
            batch = source.poll()
            if batch is None:
                return polled
            if (len(batch) or batch.failed) and not batch.offsets:
                _fail(f"{cls.__qualname__}.poll returned records without offsets to resume from")
            checkpoint = _through_json({**checkpoint, **batch.offsets}, cls)
            polled.append(Polled(batch_rows(batch), checkpoint))
        _fail(f"{cls.__qualname__} was not caught up after {max_polls} polls (never returned None)")
    finally:
        source.close()


def batch_rows(batch: SourceBatch) -> list[Any]:
    """A batch's records as plain values, whatever their form, then its failed records."""
    records: Any = batch.records
    rows = records.to_pylist() if hasattr(records, "to_pylist") else [_row(r) for r in records]
    rows.extend(
        {"failed": f.raw.decode("utf-8", "replace"), "error": f.error, "position": dict(f.position)}
        for f in batch.failed
    )
    return rows


def check_source_resumes(
    cls: type[Source],
    config: Mapping[str, Any],
    *,
    comparable: Comparable = _same,
    max_polls: int = MAX_POLLS,
) -> None:
    """For a replayable source: a fresh instance opened at the offsets checkpointed after batch
    k reads exactly the records after batch k (k = 0, 1, the middle and the last)."""
    full = poll_all(cls, config, max_polls=max_polls)
    if not any(p.rows for p in full):
        _fail("the source read no records: give the contract a config with records to read")
    n = len(full)
    for k in sorted({0, 1, n // 2, n}):
        offsets = full[k - 1].offsets if k else {}
        resumed = poll_all(cls, config, offsets, max_polls=max_polls)
        compare(
            [row for p in full for row in p.rows],
            [row for p in full[:k] + resumed for row in p.rows],
            what=f"read up to batch {k} of {n}, then resumed from offsets {offsets}",
            comparable=comparable,
        )


def check_source_tasks(
    cls: type[Source],
    config: Mapping[str, Any],
    *,
    tasks: int = 2,
    comparable: Comparable = _same,
    max_polls: int = MAX_POLLS,
) -> None:
    """``tasks`` instances with the same config, told they are tasks 0..n-1 of n, together read
    each record exactly once (``SourceContext.owns`` splits source partitions among them)."""
    alone = [row for p in poll_all(cls, config, max_polls=max_polls) for row in p.rows]
    together = [
        row
        for task in range(tasks)
        for p in poll_all(cls, config, task=task, tasks=tasks, max_polls=max_polls)
        for row in p.rows
    ]
    compare(alone, together, what=f"{tasks} tasks together", comparable=comparable)


# -- sinks -----------------------------------------------------------------------------------------
def sink_context(cls: type) -> SinkContext:
    name = getattr(cls, "type", "connector")
    return SinkContext("contract", name, 0, 1, f"contract.{name}")


def sink_batches(
    records: Sequence[Any], *, partitions: int = 2, batch_size: int = 7, topic: str = CONTRACT_TOPIC
) -> list[SinkBatch]:
    """``records`` as a log would hand them to a sink: record i in partition i % ``partitions``
    at dense offsets from 0, keyed by i, in batches taking turns between partitions."""
    chunks: list[list[SinkBatch]] = []
    for partition in range(partitions):
        mine = list(enumerate(records))[partition::partitions]
        batches = []
        for start in range(0, len(mine), batch_size):
            part = mine[start : start + batch_size]
            batches.append(
                SinkBatch(
                    topic,
                    partition,
                    offsets=list(range(start, start + len(part))),
                    timestamps=[_BASE_TIMESTAMP + i for i, _ in part],
                    keys=[str(i).encode() for i, _ in part],
                    values=[None if r is None else orjson.dumps(r) for _, r in part],
                    headers=[() for _ in part],
                )
            )
        chunks.append(batches)
    longest = max((len(c) for c in chunks), default=0)
    return [c[i] for i in range(longest) for c in chunks if i < len(c)]


def check_sink_writes_everything(
    cls: type[Sink],
    config: Mapping[str, Any],
    records: Sequence[Any],
    read_back: ReadBack,
    *,
    comparable: Comparable = _same,
    partitions: int = 2,
    batch_size: int = 7,
) -> None:
    """Every batch written and flushed once: ``read_back`` returns each record exactly once."""
    sink = cls()
    sink.open(validate_config(cls, config), sink_context(cls))
    try:
        for batch in sink_batches(records, partitions=partitions, batch_size=batch_size):
            sink.write(batch)
        sink.flush()
    finally:
        sink.close()
    compare(records, read_back(config), what="written and flushed once", comparable=comparable)


def check_sink_survives_crash(
    cls: type[Sink],
    config: Mapping[str, Any],
    records: Sequence[Any],
    read_back: ReadBack,
    *,
    flushed_batches: int,
    comparable: Comparable = _same,
    partitions: int = 2,
    batch_size: int = 7,
) -> None:
    """Write ``flushed_batches`` batches and flush, write one more and half of the next, then
    drop the sink without ``flush`` or ``close``, as a killed process would. A fresh sink resumes
    where the runtime would (its ``committed_offsets()`` if it is exactly-once, else what was
    flushed) and is sent the rest: nothing is lost; if exactly-once, nothing is repeated."""
    batches = sink_batches(records, partitions=partitions, batch_size=batch_size)
    if len(batches) < flushed_batches + 2:
        _fail(f"give the contract more records: {len(batches)} batches, need {flushed_batches + 2}")
    valid = validate_config(cls, config)
    with warnings.catch_warnings():  # the dropped sink's files were never closed: that's the point
        warnings.simplefilter("ignore", ResourceWarning)
        flushed = _write_then_crash(cls, valid, batches, flushed_batches)
        gc.collect()
    sink = cls()
    sink.open(valid, sink_context(cls))
    try:
        exactly_once = bool(getattr(sink, "exactly_once", False))
        start = flushed
        if exactly_once:
            committed = sink.committed_offsets()
            if committed is None:
                _fail(f"{cls.__qualname__} is exactly_once but committed_offsets() returned None")
            behind = {tp: o for tp, o in flushed.items() if committed.get(tp, 0) < o}
            if behind:
                _fail(
                    f"after a crash, committed_offsets() {committed} are behind what flush made "
                    f"durable {behind}: flushed records would be written twice"
                )
            start = committed
        for batch in batches:
            rest = _from(batch, start.get((batch.topic, batch.partition), 0))
            if rest is not None:
                sink.write(rest)
        sink.flush()
    finally:
        sink.close()
    redelivered = (
        []
        if exactly_once
        else [
            orjson.loads(v) if v is not None else None
            for batch in batches
            for o, v in zip(batch.offsets, batch.values, strict=True)
            if o >= flushed.get((batch.topic, batch.partition), 0)
        ]
    )
    compare(
        records,
        read_back(config),
        what=(
            f"killed after {flushed_batches} flushed batch(es) and one and a half unflushed, then "
            f"resumed ({'exactly-once' if exactly_once else 'at-least-once'})"
        ),
        comparable=comparable,
        may_repeat=redelivered,
    )


def _write_then_crash(
    cls: type[Sink], config: Mapping[str, Any], batches: list[SinkBatch], flushed_batches: int
) -> dict[tuple[str, int], int]:
    sink = cls()
    sink.open(config, sink_context(cls))
    for batch in batches[:flushed_batches]:
        sink.write(batch)
    flushed = {}
    if flushed_batches:
        sink.flush()
        flushed = {(b.topic, b.partition): b.next_offset for b in batches[:flushed_batches]}
    sink.write(batches[flushed_batches])
    half = batches[flushed_batches + 1]
    sink.write(half.slice(0, max(1, len(half) // 2)))
    return flushed  # the only reference to the sink goes here: no flush, no close


def _from(batch: SinkBatch, offset: int) -> SinkBatch | None:
    start = next((i for i, o in enumerate(batch.offsets) if o >= offset), len(batch))
    return batch.slice(start, len(batch)) if start < len(batch) else None


# -- transforms ------------------------------------------------------------------------------------
def check_transform(
    cls: type[Transform],
    config: Mapping[str, Any],
    records: Sequence[Mapping[str, Any]],
    expected: Sequence[Mapping[str, Any]],
) -> None:
    """``apply`` turns a table of ``records`` into a table of ``expected``, and an empty table
    into an empty table."""
    import pyarrow as pa

    transform = cls(validate_config(cls, config))
    table = pa.Table.from_pylist(list(records))
    for given, want in ((table, list(expected)), (table.slice(0, 0), [])):
        result = transform.apply(given)
        if not isinstance(result, pa.Table):
            _fail(f"{cls.__qualname__}.apply returned {type(result).__name__}, not a pyarrow.Table")
        if result.to_pylist() != want:
            _fail(
                f"{cls.__qualname__}.apply on {given.num_rows} row(s) returned "
                f"{result.to_pylist()!r}, expected {want!r}"
            )


# -- comparing -------------------------------------------------------------------------------------
def compare(
    expected: Iterable[Any],
    actual: Iterable[Any],
    *,
    what: str,
    comparable: Comparable = _same,
    may_repeat: Iterable[Any] = (),
) -> None:
    """``actual`` holds each of ``expected`` once (those in ``may_repeat`` at least once) and
    nothing else; the message lists what was lost, repeated or unexpected."""

    def key(row: Any) -> bytes:
        return _canonical(comparable(row))

    want, got = Counter(map(key, expected)), Counter(map(key, actual))
    repeatable = set(map(key, may_repeat))
    extra = got - want
    problems = []
    if lost := want - got:
        problems.append(f"{lost.total()} record(s) lost, e.g. {_sample(lost)}")
    if repeated := Counter({k: n for k, n in extra.items() if k in want and k not in repeatable}):
        problems.append(f"{repeated.total()} record(s) repeated, e.g. {_sample(repeated)}")
    if unexpected := Counter({k: n for k, n in extra.items() if k not in want}):
        problems.append(f"{unexpected.total()} unexpected record(s), e.g. {_sample(unexpected)}")
    if problems:
        _fail(f"{what}: " + "; ".join(problems))


def _canonical(value: Any) -> bytes:
    return orjson.dumps(
        value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=_json_default
    )


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    return repr(value)


def _sample(rows: Counter[bytes], count: int = 3) -> str:
    return ", ".join(row.decode()[:200] for row in list(rows)[:count])


def _row(record: Mapping[str, Any] | Record) -> Any:
    if not isinstance(record, Record):
        return dict(record)
    return {
        "key": _maybe_json(record.key),
        "value": _maybe_json(record.value),
        "headers": record.headers,
    }


def _maybe_json(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return bytes(value)
    return value


def _through_json(offsets: dict[str, Any], cls: type) -> dict[str, Any]:
    try:
        result: dict[str, Any] = json.loads(json.dumps(offsets))
    except (TypeError, ValueError) as exc:
        _fail(f"{cls.__qualname__}'s source offsets {offsets!r} are not JSON: {exc}")
    return result
