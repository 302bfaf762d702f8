"""Topic schemas in pipelines: infer or enforce on the way into the log, the wire format both ways.

A source task asks ``SourceSchemas`` which schema each batch's values carry: in ``infer`` mode
the schema comes from the batch (the connector's declared schema, else the Arrow types) and is
registered or evolved when it changes; in ``enforce`` mode rows are validated against the
subject's latest version and the invalid ones are handed back for the errors policy. Values are
then framed with the schema id (Confluent's wire format). A sink task unframes them again and
hands its sink the schema they were written with.

Inferred schemas are closed (``additionalProperties: false``): under Confluent's strict rules a
closed model may gain optional properties in a BACKWARD-compatible way, an open one may not.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, cast

import orjson

from hub.arrow.value_array import ValueArray
from hub.errors import FatalError, IncompatibleSchemaError
from hub.pipeline.spec import TopicSchema
from hub.registry import wire

if TYPE_CHECKING:
    import pyarrow as pa

    from hub.registry import Registry, SchemaVersion
    from hub.registry.validation import BatchValidator
    from hub.sdk import SinkBatch

log = logging.getLogger(__name__)

ENFORCE_REFRESH_S = 10.0  # how often enforce mode looks for a newer version of the schema
_INFERRED_CACHE_SIZE = 256  # batch shapes remembered with the schema id they map to


@dataclass(slots=True)
class Checked:
    """What a batch's schemas decided: rows rejected (row -> error) and each topic's prefix."""

    rejected: dict[int, str] = field(default_factory=dict)
    prefixes: dict[str, bytes] = field(default_factory=dict)


class SourceSchemas:
    """The schemas of one source task's topics; used from the task's connector thread."""

    def __init__(self, registry: Registry, bindings: Mapping[str, TopicSchema], where: str) -> None:
        self.registry = registry
        self.bindings = {t: b for t, b in bindings.items() if b.mode != "none"}
        self.where = where
        self._inferred: dict[tuple[str, object], int] = {}
        self._enforced: dict[str, tuple[float, SchemaVersion, BatchValidator]] = {}

    def __bool__(self) -> bool:
        return bool(self.bindings)

    def check(
        self,
        table: pa.Table,
        topics: Sequence[str] | None,
        default_topic: str,
        declared: Mapping[str, Any] | None,
    ) -> Checked:
        """Decide each topic's schema id for this batch and find the rows enforce mode rejects."""
        checked = Checked()
        for topic, rows in _rows_by_topic(topics, default_topic).items():
            binding = self.bindings.get(topic)
            if binding is None:
                continue
            if binding.mode == "infer":
                schema_id = self._infer(topic, binding, table, declared)
            else:
                part = table if rows is None else table.take(rows)
                schema_id, rejected = self._enforce(binding, part)
                for row, error in rejected.items():
                    checked.rejected[row if rows is None else rows[row]] = error
            checked.prefixes[topic] = wire.header(schema_id)
        return checked

    # -- infer -----------------------------------------------------------------------------------
    def _infer(
        self,
        topic: str,
        binding: TopicSchema,
        table: pa.Table,
        declared: Mapping[str, Any] | None,
    ) -> int:
        key = (topic, table.schema if declared is None else orjson.dumps(declared))
        schema_id = self._inferred.get(key)
        if schema_id is None:
            if len(self._inferred) >= _INFERRED_CACHE_SIZE:  # shapes that keep changing
                self._inferred.clear()
            observed = dict(declared) if declared is not None else _observed(table)
            schema_id = self._inferred[key] = self._evolve(topic, binding, observed)
        return schema_id

    def _evolve(self, topic: str, binding: TopicSchema, observed: dict[str, Any]) -> int:
        """The id of a registered schema that accepts ``observed``: registering one if needed."""
        from hub.registry.infer import widen

        latest = self.registry.latest(binding.subject)
        if latest is None:
            candidate: Mapping[str, Any] = observed
        else:
            widened = widen(latest.parsed(), observed)
            if widened is None:
                return latest.id
            candidate = widened
        try:
            schema_id = self.registry.register(binding.subject, candidate)
        except IncompatibleSchemaError as exc:
            level = self.registry.compatibility(binding.subject)
            raise FatalError(_incompatible(self.where, topic, binding, level, exc)) from None
        version = self.registry.lookup(binding.subject, candidate).version
        log.info(
            "%s: topic %s now written with subject %s version %d (schema id %d)",
            self.where,
            topic,
            binding.subject,
            version,
            schema_id,
        )
        return schema_id

    # -- enforce ---------------------------------------------------------------------------------
    def _enforce(self, binding: TopicSchema, table: pa.Table) -> tuple[int, dict[int, str]]:
        version, validator = self._latest(binding)
        rejected: dict[int, list[str]] = defaultdict(list)
        for violation in validator.validate_table(table):
            rejected[violation.row].append(f"at {violation.pointer or '/'}: {violation.message}")
        prefix = f"schema violation (subject {binding.subject} version {version.version})"
        return version.id, {row: f"{prefix}: {'; '.join(v)}" for row, v in rejected.items()}

    def _latest(self, binding: TopicSchema) -> tuple[SchemaVersion, BatchValidator]:
        from hub.registry.validation import BatchValidator

        now = time.monotonic()
        cached = self._enforced.get(binding.subject)
        if cached is not None and now - cached[0] < ENFORCE_REFRESH_S:
            return cached[1], cached[2]
        latest = self.registry.latest(binding.subject)
        if latest is None:
            raise FatalError(
                f"{self.where}: subject {binding.subject!r} has no schema to enforce: register "
                f"one (hub schemas register {binding.subject} schema.json) or use mode: infer"
            )
        if cached is not None and cached[1].id == latest.id:
            validator = cached[2]
        else:
            validator = BatchValidator(latest.parsed())
        self._enforced[binding.subject] = (now, latest, validator)
        return latest, validator


def frame(
    values: Sequence[bytes],
    topics: Sequence[str] | None,
    default_topic: str,
    prefixes: Mapping[str, bytes],
) -> Sequence[bytes]:
    """Prefix each value with its topic's schema id (values of unbound topics stay plain)."""
    if not prefixes:
        return values
    if topics is None:
        prefix = prefixes.get(default_topic)
        if prefix is None:
            return values
        if isinstance(values, ValueArray):
            return cast("Sequence[bytes]", values.prefixed(prefix))
        return [prefix + value for value in values]
    return [
        prefixes[topic] + value if topic in prefixes else value
        for value, topic in zip(values, topics, strict=True)
    ]


def unframe(batch: SinkBatch, registry: Registry) -> list[SinkBatch]:
    """The batch with plain JSON values and its schema; split where the schema id changes.

    One source batch carries one id per topic, so a log batch almost always holds one run.
    A batch whose first and last values are plain JSON is taken as plain throughout.
    """
    from hub.sdk import SinkBatch

    values = batch.values
    framed = [v for v in (values[0], values[-1]) if v is not None and v[:1] == b"\x00"]
    if not framed:  # writers frame a whole batch or none of it: plain batches cost nothing
        return [batch]
    prefix = framed[0][: wire.HEADER_SIZE]
    if isinstance(values, ValueArray) and (unprefixed := values.without_prefix(prefix)):
        # One schema id throughout (the usual case), found and stripped in bulk.
        schema = registry.schema(cast(int, wire.schema_id_of(prefix))).parsed()
        return [replace(batch, values=unprefixed, schema=schema)]
    ids = [wire.schema_id_of(v) for v in values]
    plain = [v if i is None else v[wire.HEADER_SIZE :] for v, i in zip(values, ids, strict=True)]  # type: ignore[index]
    runs: list[SinkBatch] = []
    start = 0
    for end in range(1, len(values) + 1):
        if end < len(values) and (ids[end] == ids[start] or values[end] is None):
            continue
        schema_id = ids[start]
        part = batch.slice(start, end)
        runs.append(
            SinkBatch(
                part.topic,
                part.partition,
                part.offsets,
                part.timestamps,
                part.keys,
                plain[start:end],
                part.headers,
                None if schema_id is None else registry.schema(schema_id).parsed(),
            )
        )
        start = end
    return runs


def _rows_by_topic(topics: Sequence[str] | None, default_topic: str) -> dict[str, list[int] | None]:
    if topics is None:
        return {default_topic: None}
    rows: dict[str, list[int]] = defaultdict(list)
    for row, topic in enumerate(topics):
        rows[topic].append(row)
    return dict(rows)


def _observed(table: pa.Table) -> dict[str, Any]:
    from hub.registry.infer import schema_from_arrow

    observed = schema_from_arrow(table.schema)
    observed["additionalProperties"] = False
    return observed


def _incompatible(
    where: str, topic: str, binding: TopicSchema, level: str, exc: IncompatibleSchemaError
) -> str:
    found = "\n".join(
        f"  - {getattr(i, 'path', '#')}: {getattr(i, 'message', i)} ({getattr(i, 'type', '')})"
        for i in exc.incompatibilities
    )
    return (
        f"{where}: the records for topic {topic!r} no longer fit subject {binding.subject!r} "
        f"at level {level}:\n{found}\nTo proceed: make the source's change compatible; or relax "
        "the "
        f"subject (hub schemas config {binding.subject} --level NONE, or "
        f"topics.{topic}.schema.level in the pipeline); or register the new schema yourself "
        f"(hub schemas register {binding.subject} FILE) after migrating its readers"
    )
