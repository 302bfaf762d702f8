"""Per-topic configuration: validated once from Kafka-style keys into a typed object."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from hub.errors import ConfigError
from hub.units import parse_duration_ms, parse_size

DAY_MS = 86_400_000
_UNLIMITED = ("forever", "unlimited", "-1")


@dataclass(frozen=True, slots=True)
class TopicConfig:
    """How a topic is laid out and kept.

    ``flush_ms`` is the durability policy: ``0`` fsyncs every append before it returns, ``N`` fsyncs
    at most N ms after an append (group commit), ``None`` leaves it to the OS. In every case an
    append has reached the OS before it returns, so a killed process never loses an acknowledged
    record; the policy bounds what a power loss can take.
    """

    partitions: int = 1
    retention_ms: int | None = 7 * DAY_MS
    retention_bytes: int | None = None
    segment_bytes: int = 1 << 30
    segment_ms: int = 7 * DAY_MS
    cleanup_policy: str = "delete"
    flush_ms: int | None = 100
    index_interval_bytes: int = 4096

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, where: str = "topic config") -> TopicConfig:
        """Parse Kafka-style keys (``retention.ms``) and pipeline aliases (``retention: 7d``).

        Every problem is reported at once in one ``ConfigError``.
        """
        from jsonschema import Draft202012Validator

        from schemas import load_schema

        validator = Draft202012Validator(load_schema("topic.schema.json"))
        problems: list[str] = []
        rejected: set[str] = set()
        for error in validator.iter_errors(dict(values)):
            path = "".join(f".{part}" for part in error.absolute_path)
            problems.append(f"{where}{path}: {_describe(error)}")
            rejected.update(str(part) for part in error.absolute_path)
        changes: dict[str, Any] = {}
        given: dict[str, str] = {}
        for key, value in values.items():
            if key in rejected or key not in _EXPECTED:
                continue
            try:
                field, parsed = _parse(key, value, f"{where}.{key}")
            except ConfigError as exc:
                problems.append(str(exc))
                continue
            if field in given:
                problems.append(f"{where}: {given[field]} and {key} set the same thing; keep one")
            given[field] = key
            minimum = _MINIMUM.get(field)
            if minimum is not None and parsed is not None and parsed < minimum:
                problems.append(f"{where}.{key}: {value!r} is below the minimum of {minimum}")
            elif field == "cleanup_policy" and parsed != "delete":
                problems.append(
                    f"{where}.cleanup.policy: {value!r} is not supported yet; use 'delete' "
                    "(retention drops whole segments by age or size)"
                )
            changes[field] = parsed
        if problems:
            raise ConfigError(f"invalid {where}", problems)
        return replace(cls(), **changes)

    def to_mapping(self) -> dict[str, Any]:
        """The Kafka-style view, as shown by ``hub topics describe``."""
        return {
            "partitions": self.partitions,
            "retention.ms": -1 if self.retention_ms is None else self.retention_ms,
            "retention.bytes": -1 if self.retention_bytes is None else self.retention_bytes,
            "segment.bytes": self.segment_bytes,
            "segment.ms": self.segment_ms,
            "cleanup.policy": self.cleanup_policy,
            "flush.ms": -1 if self.flush_ms is None else self.flush_ms,
            "index.interval.bytes": self.index_interval_bytes,
        }


# What each key takes, for messages about values the schema rejects.
_EXPECTED = {
    "partitions": "a whole number from 1 to 10000",
    "retention.ms": "a duration such as 7d or 12h, or forever (-1)",
    "retention": "a duration such as 7d or 12h, or forever (-1)",
    "retention.bytes": "a size such as 10GiB, or unlimited (-1)",
    "segment.bytes": "a size such as 1GiB or 64MiB",
    "segment.ms": "a duration such as 7d or 1h",
    "cleanup.policy": "'delete'",
    "flush": "batch, never, or a duration such as 100ms",
    "flush.ms": "milliseconds: 0 fsyncs every batch, -1 never",
    "index.interval.bytes": "a size such as 4KiB",
}
# Smallest values that make sense once parsed (None, i.e. unlimited, is always fine).
_MINIMUM = {
    "segment_bytes": 1,
    "segment_ms": 1,
    "retention_ms": 0,
    "retention_bytes": 0,
    "flush_ms": 0,
    "index_interval_bytes": 0,
}


def _describe(error: Any) -> str:
    if error.validator == "additionalProperties":
        known = ", ".join(sorted(error.schema["properties"]))
        return f"{error.message}; known keys: {known}"
    key = str(error.absolute_path[0]) if error.absolute_path else None
    if error.validator in ("anyOf", "oneOf") and key in _EXPECTED:
        return f"{error.instance!r} is not valid; expected {_EXPECTED[key]}"
    return str(error.message)


def _unlimited(value: Any) -> bool:
    return (isinstance(value, str) and value.strip() in _UNLIMITED) or value == -1


def _parse(key: str, value: Any, where: str) -> tuple[str, Any]:
    if key == "partitions":
        return "partitions", int(value)
    if key in ("retention.ms", "retention"):
        return "retention_ms", None if _unlimited(value) else parse_duration_ms(value, where=where)
    if key == "retention.bytes":
        return "retention_bytes", None if _unlimited(value) else parse_size(value, where=where)
    if key == "segment.bytes":
        return "segment_bytes", parse_size(value, where=where)
    if key == "segment.ms":
        return "segment_ms", parse_duration_ms(value, where=where)
    if key == "cleanup.policy":
        return "cleanup_policy", value
    if key in ("flush", "flush.ms"):
        if value == "batch":
            return "flush_ms", 0
        if value in ("never", "os") or value == -1:
            return "flush_ms", None
        return "flush_ms", parse_duration_ms(value, where=where)
    if key == "index.interval.bytes":
        return "index_interval_bytes", parse_size(value, where=where)
    raise AssertionError(f"schema and parser disagree on {key!r}")  # pragma: no cover
