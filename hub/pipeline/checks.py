"""What JSON Schema cannot say about a pipeline file: checks that need plugins, APScheduler, the
topic config parser, or a look at more than one value at a time.

Each check looks only at values of the right shape, so a file with a schema error somewhere still
gets every other problem reported. Problems land on the ``Document``.
"""

from __future__ import annotations

from typing import Any

from hub.connector_config import config_problems
from hub.errors import ConfigError, PluginError
from hub.log.config import TopicConfig
from hub.pipeline.document import QUOTE_HINT, Document
from hub.pipeline.problems import Location, format_path, suggest
from hub.plugins import Kind, Registry
from hub.units import parse_duration_ms, parse_size

TRANSFORM_KEYS = ("type", "when")
"""Keys of a transform entry that belong to the pipeline, not to the transform's config."""


class Checker:
    """Runs every check on one parsed, schema-validated document."""

    def __init__(self, document: Document, registry: Registry) -> None:
        self.document = document
        self.registry = registry

    def check(self) -> None:
        data = self.document.data
        if not isinstance(data, dict):
            return
        self._topics(data.get("topics"))
        self._not_empty(data)
        self._names(data)
        sections: tuple[tuple[Kind, str], ...] = (("source", "sources"), ("sink", "sinks"))
        for kind, section in sections:
            entries = data.get(section)
            if isinstance(entries, list):
                for index, entry in enumerate(entries):
                    if isinstance(entry, dict):
                        self._connector(kind, (section, index), entry)

    def problem(self, path: Location, message: str) -> None:
        self.document.problem(path, message)

    # -- the pipeline as a whole -----------------------------------------------------------------
    def _not_empty(self, data: dict[str, Any]) -> None:
        if data.get("sources", []) == [] and data.get("sinks", []) == []:
            path: Location = ("sources",) if "sources" in data else ()
            self.problem(path, "a pipeline needs at least one source or sink")

    def _names(self, data: dict[str, Any]) -> None:
        """Connector names are unique across sources and sinks: they key offsets and status."""
        sources, sinks = data.get("sources", []), data.get("sinks", [])
        seen: dict[str, Location] = {}
        for section, entries in (("sources", sources), ("sinks", sinks)):
            if not isinstance(entries, list):
                continue
            for index, entry in enumerate(entries):
                name = entry.get("name") if isinstance(entry, dict) else None
                if not isinstance(name, str):
                    continue
                first = seen.setdefault(name, (section, index))
                if first != (section, index):
                    self.problem(
                        (section, index, "name"),
                        f"{name!r} is already the name of {format_path(first)} (line "
                        f"{self.document.line(first)}); names must be unique within a pipeline",
                    )

    def _topics(self, topics: Any) -> None:
        """Each topic's settings through ``TopicConfig``, the parser the log itself uses."""
        if not isinstance(topics, dict):
            return
        known = _topic_keys()
        for name, values in topics.items():
            if not isinstance(values, dict):
                continue
            where = ("topics", name)
            given = {
                key: value
                for key, value in values.items()
                if key in known and not self.document.is_unresolved((*where, key))
            }
            try:
                TopicConfig.from_mapping(given, where=format_path(where))
            except ConfigError as exc:
                for problem in exc.problems:
                    self._topic_problem(where, given, problem)

    def _topic_problem(self, where: Location, given: dict[str, Any], problem: str) -> None:
        rest = problem.removeprefix(format_path(where))
        for key in sorted(given, key=len, reverse=True):
            if rest.startswith(f".{key}: "):
                self.problem((*where, key), rest.removeprefix(f".{key}: "))
                return
            if rest.startswith(f".{key}.") and ": " in rest:  # inside a mapping (schema.mode)
                inner, _, message = rest.removeprefix(f".{key}.").partition(": ")
                self.problem((*where, key, *inner.split(".")), message)
                return
        self.problem(where, rest.removeprefix(": "))

    # -- one connector ---------------------------------------------------------------------------
    def _connector(self, kind: Kind, path: Location, entry: dict[str, Any]) -> None:
        name = entry.get("type")
        cls = self._type(kind, (*path, "type"), name) if isinstance(name, str) else None
        config = entry.get("config", {})
        if cls is not None and isinstance(config, dict):
            self._validate(cls, config, (*path, "config"), (*path, "type"))
        transforms = entry.get("transforms")
        if isinstance(transforms, list):
            for index, transform in enumerate(transforms):
                if isinstance(transform, dict):
                    self._transform((*path, "transforms", index), transform)
        schedule = entry.get("schedule")
        if isinstance(schedule, dict):
            self._schedule((*path, "schedule"), schedule)
        errors = entry.get("errors")
        if isinstance(errors, dict):
            topics = [entry.get("topic")] if kind == "source" else entry.get("topics")
            self._errors(
                kind, (*path, "errors"), errors, topics if isinstance(topics, list) else []
            )
        batch = entry.get("batch")
        if isinstance(batch, dict) and _size(batch.get("max_bytes", 1)) == 0:
            self.problem((*path, "batch", "max_bytes"), "must be more than 0 bytes")

    def _type(self, kind: Kind, path: Location, name: str) -> type | None:
        """The class of connector or transform ``name``; ``None`` if there is none."""
        known = self.registry.types(kind)
        if name not in known:
            listing = ", ".join(known) or f"none (no {kind} plugin is installed)"
            self.problem(
                path,
                f"unknown {kind} type {name!r}{suggest(name, known)}; known {kind}s: {listing}",
            )
            return None
        return self.registry.get(kind, name).cls

    def _validate(
        self, cls: type, config: dict[str, Any], path: Location, type_path: Location
    ) -> None:
        """``config`` against ``cls.config_schema``, as the runtime will check it."""
        try:
            problems = config_problems(cls, config)
        except PluginError as exc:
            self.problem(type_path, f"{exc}; report it to the plugin's authors")
            return
        for problem in problems:
            at = (*path, *problem.path)
            if self.document.is_unresolved(at):
                continue
            message = problem.message
            if at in self.document.retyped and message.startswith("must be of type"):
                message += QUOTE_HINT
            self.problem(at, message)

    def _transform(self, path: Location, entry: dict[str, Any]) -> None:
        name = entry.get("type")
        if not isinstance(name, str):
            return
        cls = self._type("transform", (*path, "type"), name)
        if cls is not None:
            config = {k: v for k, v in entry.items() if k not in TRANSFORM_KEYS}
            self._validate(cls, config, path, (*path, "type"))
        when = entry.get("when")
        if isinstance(when, str) and not self.document.is_unresolved((*path, "when")):
            self._condition((*path, "when"), when)

    def _condition(self, path: Location, condition: str) -> None:
        """Compiled by the expression language when it is installed (``hub.expressions``)."""
        try:
            from hub.expressions import compile_condition
        except ImportError:
            return
        try:
            compile_condition(condition)
        except ConfigError as exc:
            summary = str(exc).split("\n", 1)[0]
            self.problem(path, "; ".join([summary, *exc.problems]))

    def _schedule(self, path: Location, schedule: dict[str, Any]) -> None:
        every, cron = schedule.get("every"), schedule.get("cron")
        if every is not None and _duration(every) == 0:
            self.problem((*path, "every"), "must be longer than 0; use 1s, 30s, 5m, ...")
        if isinstance(cron, str) and not self.document.is_unresolved((*path, "cron")):
            from apscheduler.triggers.cron import CronTrigger

            try:
                CronTrigger.from_crontab(cron, timezone="UTC")
            except ValueError as exc:
                self.problem(
                    (*path, "cron"),
                    f"{self.document.show((*path, 'cron'), cron)} is not a valid crontab ({exc}); "
                    "expected five fields: minute hour day month weekday, such as */5 * * * *",
                )

    def _errors(
        self, kind: Kind, path: Location, errors: dict[str, Any], topics: list[Any]
    ) -> None:
        tolerance = errors.get("tolerance", "none")
        topic = errors.get("dead_letter_topic")
        if tolerance == "all" and topic is None:
            self.problem(
                (*path, "tolerance"),
                "tolerance all needs dead_letter_topic, the topic failed records go to; add "
                "one (e.g. dead_letter_topic: <topic>.dlq) or use tolerance: none to stop instead",
            )
        elif tolerance == "none" and topic is not None:
            self.problem(
                (*path, "dead_letter_topic"),
                "is used only with tolerance: all; set tolerance: all to send failed records "
                "there, or remove it",
            )
        if isinstance(topic, str) and topic in topics:
            verb = "writes" if kind == "source" else "reads"
            self.problem(
                (*path, "dead_letter_topic"),
                f"{topic!r} is a topic this {kind} {verb}; give failed records a topic of their "
                f"own, such as {topic}.dlq",
            )
        if _duration(errors.get("max_backoff", 1)) == 0:
            self.problem((*path, "max_backoff"), "must be longer than 0; such as 1s or 30s")


def _topic_keys() -> frozenset[str]:
    """The keys a topic's settings may have: those of ``schemas/topic.schema.json``."""
    from schemas import load_schema

    return frozenset(load_schema("topic.schema.json")["properties"])


def _duration(value: Any) -> int | None:
    try:
        return parse_duration_ms(value)
    except ConfigError:
        return None


def _size(value: Any) -> int | None:
    try:
        return parse_size(value)
    except ConfigError:
        return None
