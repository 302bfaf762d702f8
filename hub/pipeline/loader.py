"""Pipeline files to ``PipelineSpec``s, every problem in every file reported at once.

Each file goes through four steps, each adding its problems and none stopping at the first:
parse the YAML keeping lines and resolving references (``document``), validate against
``schemas/pipeline.schema.json``, check what a schema cannot (``checks``: plugins, crontabs, topic
settings, names), and, only for a file without problems, build the typed objects (``spec``).
Across files, pipeline names must be unique. Every message passes through ``hub.secrets.redact``
before it leaves this module.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from hub import plugins
from hub.errors import ConfigError, PluginError
from hub.log.config import TopicConfig
from hub.pipeline.checks import TRANSFORM_KEYS, Checker
from hub.pipeline.document import Document, parse
from hub.pipeline.problems import Location, Problem, format_path
from hub.pipeline.spec import (
    BatchPolicy,
    ErrorPolicy,
    PipelineSpec,
    Schedule,
    SinkSpec,
    SourceSpec,
    TopicSchema,
    TransformSpec,
    default_subject,
    group_name,
)
from hub.secrets import redact
from hub.units import parse_duration_ms, parse_size

log = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """One file's verdict: its spec when valid, else its problems (redacted, in line order)."""

    path: Path
    spec: PipelineSpec | None
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def load_pipeline(
    path: PathLike,
    *,
    registry: plugins.Registry | None = None,
    environ: Mapping[str, str] | None = None,
) -> PipelineSpec:
    """The pipeline in file ``path``; ``ConfigError`` listing every problem if it is invalid."""
    return load_pipelines([path], registry=registry, environ=environ)[0]


def load_pipelines(
    paths: Iterable[PathLike],
    *,
    registry: plugins.Registry | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[PipelineSpec]:
    """The pipelines in ``paths``, in order; one ``ConfigError`` lists every problem of every
    file, each as ``FILE:LINE: YAML.path: what is wrong; what is allowed``."""
    checked = check_pipelines(paths, registry=registry, environ=environ)
    problems = [problem for result in checked for problem in result.problems]
    if problems:
        files = ", ".join(str(result.path) for result in checked if not result.ok)
        raise ConfigError(
            f"{len(problems)} problem(s) in pipeline file(s) {files}; fix them and run again",
            problems,
        )
    return [result.spec for result in checked if result.spec is not None]


def check_pipelines(
    paths: Iterable[PathLike],
    *,
    registry: plugins.Registry | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[CheckedFile]:
    """Check each file of ``paths``: what ``hub validate`` reports. Never raises ``ConfigError``.

    ``registry`` defaults to the installed plugins; ``environ`` to ``os.environ``.
    """
    documents: list[tuple[Path, Document]] = []
    for given in paths:
        path = Path(given)
        document = _parse(path, environ)
        if document.data is not None:
            _validate(document)
            registry = registry if registry is not None else _installed()
            Checker(document, registry).check()
        documents.append((path, document))
    _unique_names(documents)
    results = []
    for path, document in documents:
        problems = sorted(document.problems, key=lambda p: p.line or 0)
        spec = None if problems else _build(document, path)
        results.append(CheckedFile(path, spec, tuple(redact(str(p)) for p in problems)))
        if spec is not None:
            log.debug(
                "%s: pipeline %s with %d source(s), %d sink(s)",
                path,
                spec.name,
                len(spec.sources),
                len(spec.sinks),
            )
    return results


# -- the steps -------------------------------------------------------------------------------------
def _parse(path: Path, environ: Mapping[str, str] | None) -> Document:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _unreadable(path, f"is not UTF-8 text (byte {exc.start})")
    except IsADirectoryError:
        return _unreadable(path, "is a directory; give a pipeline file")
    except FileNotFoundError:
        return _unreadable(path, "no such file")
    except OSError as exc:
        return _unreadable(path, f"cannot be read: {exc.strerror or exc}")
    return parse(text, file=str(path), base_dir=path.parent, environ=environ)


def _unreadable(path: Path, message: str) -> Document:
    document = Document(str(path))
    document.problems.append(Problem(str(path), None, (), message))
    return document


@cache
def _pipeline_validator() -> Draft202012Validator:
    from schemas import load_schema

    return Draft202012Validator(load_schema("pipeline.schema.json"))


def _validate(document: Document) -> None:
    for error in _pipeline_validator().iter_errors(document.data):
        path = tuple(error.absolute_path)
        if path[:1] == ("topics",) and len(path) > 2:
            continue  # a topic's settings: reported by TopicConfig, in the log's own words
        document.report(error, path)


def _installed() -> plugins.Registry:
    try:
        return plugins.registry()
    except ImportError as exc:
        raise PluginError(
            f"cannot load the installed plugins: {exc}; reinstall or uninstall the package "
            "named in the message"
        ) from exc


def _unique_names(documents: list[tuple[Path, Document]]) -> None:
    seen: dict[str, Document] = {}
    for _, document in documents:
        data = document.data
        name = data.get("pipeline") if isinstance(data, dict) else None
        if not isinstance(name, str):
            continue
        first = seen.setdefault(name, document)
        if first is not document:
            document.problem(
                ("pipeline",),
                f"{name!r} is already the name of the pipeline in {first.file} (line "
                f"{first.line(('pipeline',))}); pipeline names must be unique",
            )


# -- typed objects ---------------------------------------------------------------------------------
def _build(document: Document, path: Path) -> PipelineSpec:
    """The spec of a document without problems: every value has passed the schema and checks."""
    data: dict[str, Any] = document.data
    name = data["pipeline"]
    topics = {
        topic: TopicConfig.from_mapping(values) for topic, values in data.get("topics", {}).items()
    }
    schemas = {
        topic: _topic_schema(topic, values["schema"])
        for topic, values in data.get("topics", {}).items()
        if "schema" in values
    }
    sources = tuple(
        SourceSpec(
            name=entry["name"],
            type=entry["type"],
            topic=entry["topic"],
            key=entry.get("key"),
            schedule=_schedule(entry.get("schedule")),
            tasks=entry.get("tasks", 1),
            config=entry.get("config", {}),
            transforms=_transforms(document, ("sources", index)),
            errors=_errors(entry.get("errors", {})),
            batch=_batch(entry.get("batch", {})),
        )
        for index, entry in enumerate(data.get("sources", []))
    )
    sinks = tuple(
        SinkSpec(
            name=entry["name"],
            type=entry["type"],
            topics=tuple(entry["topics"]),
            tasks=entry.get("tasks", 1),
            config=entry.get("config", {}),
            transforms=_transforms(document, ("sinks", index)),
            errors=_errors(entry.get("errors", {})),
            batch=_batch(entry.get("batch", {})),
            group=group_name(name, entry["name"]),
        )
        for index, entry in enumerate(data.get("sinks", []))
    )
    return PipelineSpec(name, path, topics, sources, sinks, schemas)


def _topic_schema(topic: str, values: dict[str, Any]) -> TopicSchema:
    return TopicSchema(
        subject=values.get("subject") or default_subject(topic),
        mode=values.get("mode", "infer"),
        level=values.get("level"),
        policy=values.get("policy"),
    )


def _transforms(document: Document, connector: Location) -> tuple[TransformSpec, ...]:
    entries = document.data[connector[0]][connector[1]].get("transforms", [])
    specs = []
    for index, entry in enumerate(entries):
        path = (*connector, "transforms", index)
        specs.append(
            TransformSpec(
                type=entry["type"],
                config={k: v for k, v in entry.items() if k not in TRANSFORM_KEYS},
                when=entry.get("when"),
                where=f"{document.file}:{document.line(path)}: {format_path(path)}",
            )
        )
    return tuple(specs)


def _schedule(values: dict[str, Any] | None) -> Schedule | None:
    if values is None:
        return None
    every = values.get("every")
    return Schedule(
        every_ms=None if every is None else parse_duration_ms(every), cron=values.get("cron")
    )


def _errors(values: dict[str, Any]) -> ErrorPolicy:
    default = ErrorPolicy()
    return ErrorPolicy(
        tolerance=values.get("tolerance", default.tolerance),
        dead_letter_topic=values.get("dead_letter_topic"),
        retry_timeout_ms=_ms(values.get("retry_timeout"), default.retry_timeout_ms),
        max_backoff_ms=_ms(values.get("max_backoff"), default.max_backoff_ms),
    )


def _batch(values: dict[str, Any]) -> BatchPolicy:
    default = BatchPolicy()
    max_bytes = values.get("max_bytes")
    return BatchPolicy(
        max_records=values.get("max_records", default.max_records),
        max_bytes=default.max_bytes if max_bytes is None else parse_size(max_bytes),
        linger_ms=_ms(values.get("linger"), default.linger_ms),
    )


def _ms(value: Any, default: int) -> int:
    return default if value is None else parse_duration_ms(value)
