"""A pipeline file as typed, validated objects: what the runtime is built from.

Every object here is made once by ``hub.pipeline.loader`` from a file that passed validation, so
the runtime can trust its fields (names valid and unique, durations in milliseconds, connector
configs valid against their schemas) and never looks at YAML again. Connector and transform
configs hold resolved secrets, so they stay out of ``repr``: a spec can be logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from hub.log.config import TopicConfig

Tolerance = Literal["none", "all"]
SchemaMode = Literal["infer", "enforce", "none"]


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a scheduled source polls: every ``every_ms`` or on a crontab; exactly one is set."""

    every_ms: int | None = None
    cron: str | None = None


@dataclass(frozen=True, slots=True)
class ErrorPolicy:
    """What a task does with failures.

    ``RetriableError`` is retried with exponential back-off (at most ``max_backoff_ms`` between two
    attempts) until ``retry_timeout_ms`` have passed. Any other failure stops the task under
    ``tolerance="none"``; under ``"all"`` the failed record goes to ``dead_letter_topic`` (always
    set then, and only then) and the task carries on.
    """

    tolerance: Tolerance = "none"
    dead_letter_topic: str | None = None
    retry_timeout_ms: int = 5 * 60_000
    max_backoff_ms: int = 30_000


@dataclass(frozen=True, slots=True)
class BatchPolicy:
    """A batch is handed on when it holds ``max_records`` or ``max_bytes``, or ``linger_ms`` after
    its first record, whichever comes first."""

    max_records: int = 5000
    max_bytes: int = 4 * 1024 * 1024
    linger_ms: int = 200


@dataclass(frozen=True, slots=True)
class TransformSpec:
    """One entry of a ``transforms:`` list.

    ``config`` is the entry without ``type`` and ``when``, valid against the transform's schema.
    ``where`` locates the entry as ``FILE:LINE: YAML.path`` (``orders.yaml:14:
    sources[0].transforms[1]``): prefix it to an error about this transform and the message reads
    like the problems ``hub validate`` prints.
    """

    type: str
    config: Mapping[str, Any] = field(default_factory=dict, repr=False)
    when: str | None = None
    where: str = ""


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """A source connector: ``tasks`` parallel tasks of connector ``type`` appending to ``topic``.

    ``key`` names the field whose value becomes each record's key; ``schedule`` is ``None`` for a
    source that runs continuously.
    """

    name: str
    type: str
    topic: str
    key: str | None = None
    schedule: Schedule | None = None
    tasks: int = 1
    config: Mapping[str, Any] = field(default_factory=dict, repr=False)
    transforms: tuple[TransformSpec, ...] = ()
    errors: ErrorPolicy = ErrorPolicy()
    batch: BatchPolicy = BatchPolicy()


@dataclass(frozen=True, slots=True)
class SinkSpec:
    """A sink connector: ``tasks`` members of consumer group ``group`` reading ``topics``.

    ``group`` (keyword-only, required) is ``<pipeline>.<sink name>``: unique per sink and stable
    across restarts, so a renamed pipeline or sink starts from the beginning of its topics.
    """

    name: str
    type: str
    topics: tuple[str, ...]
    tasks: int = 1
    config: Mapping[str, Any] = field(default_factory=dict, repr=False)
    transforms: tuple[TransformSpec, ...] = ()
    errors: ErrorPolicy = ErrorPolicy()
    batch: BatchPolicy = BatchPolicy()
    group: str = field(kw_only=True)


@dataclass(frozen=True, slots=True)
class TopicSchema:
    """How a topic's values meet the schema registry (``topics.<name>.schema``).

    ``level`` and ``policy``, when given, are set on the subject as the pipeline starts.
    """

    subject: str
    mode: SchemaMode = "infer"
    level: str | None = None
    policy: str | None = None


@dataclass(frozen=True, slots=True)
class PipelineSpec:
    """One pipeline file.

    ``path`` is the file it came from: relative paths in it (``${file:}`` references) were
    resolved against its directory. ``topics`` holds the topics the file configures; topics it
    only names are created with the defaults. ``schemas`` binds topics to registry subjects.
    """

    name: str
    path: Path
    topics: Mapping[str, TopicConfig] = field(default_factory=dict)
    sources: tuple[SourceSpec, ...] = ()
    sinks: tuple[SinkSpec, ...] = ()
    schemas: Mapping[str, TopicSchema] = field(default_factory=dict)


def group_name(pipeline: str, sink: str) -> str:
    """The consumer group of sink ``sink`` of pipeline ``pipeline``."""
    return f"{pipeline}.{sink}"


def default_subject(topic: str) -> str:
    """The registry subject of a topic's values, Confluent's TopicNameStrategy."""
    return f"{topic}-value"
