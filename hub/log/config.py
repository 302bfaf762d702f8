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
        problems = [
            f"{where}{''.join(f'.{part}' for part in error.absolute_path)}: {_describe(error)}"
            for error in validator.iter_errors(dict(values))
        ]
        if problems:
            raise ConfigError(f"invalid {where}", problems)
        changes: dict[str, Any] = {}
        for key, value in values.items():
            field, parsed = _parse(key, value, f"{where}.{key}")
            changes[field] = parsed
        config = replace(cls(), **changes)
        if config.cleanup_policy != "delete":
            raise ConfigError(
                f"{where}.cleanup.policy: {config.cleanup_policy!r} is not supported yet; "
                "use 'delete' (retention drops whole segments by age or size)"
            )
        return config

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


def _describe(error: Any) -> str:
    if error.validator == "additionalProperties":
        known = ", ".join(sorted(error.schema["properties"]))
        return f"{error.message}; known keys: {known}"
    return str(error.message)


def _unlimited(value: Any) -> bool:
    return (isinstance(value, str) and value.strip() in _UNLIMITED) or value == -1


def _parse(key: str, value: Any, where: str) -> tuple[str, Any]:
    if key == "partitions":
        return "partitions", value
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
