"""Tiny connectors and transforms for pipeline tests: schemas only, no behaviour.

The built-in connectors are written elsewhere; these keep the loader's tests independent of them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from hub.hookspecs import hookimpl
from hub.plugins import Registry, create_manager
from hub.sdk import Sink, Source, Transform

_FILE_CONFIG: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["path"],
    "properties": {
        "path": {"type": "string"},
        "format": {"enum": ["csv", "jsonl"]},
        "password": {"type": "string"},
        "options": {"type": "object"},
        "columns": {"type": "array", "items": {"type": "string"}},
        "limit": {"type": "integer", "minimum": 1},
        "since": {"type": "string"},
    },
}


class FileSource(Source):
    type = "file"
    config_schema: ClassVar[dict[str, Any]] = _FILE_CONFIG


class GenerateSource(Source):
    type = "generate"


class FileSink(Sink):
    type = "file"
    config_schema: ClassVar[dict[str, Any]] = _FILE_CONFIG


class StdoutSink(Sink):
    type = "stdout"


class Rename(Transform):
    type = "rename"
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["fields"],
        "properties": {"fields": {"type": "object", "additionalProperties": {"type": "string"}}},
    }


class Drop(Transform):
    type = "drop"
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"fields": {"type": "array", "items": {"type": "string"}}},
    }


class BrokenSchemaSource(Source):
    type = "broken"
    config_schema: ClassVar[dict[str, Any]] = {"type": "no-such-type"}


class FakePlugin:
    @hookimpl
    def hub_sources(self) -> list[type[Source]]:
        return [FileSource, GenerateSource]

    @hookimpl
    def hub_sinks(self) -> list[type[Sink]]:
        return [FileSink, StdoutSink]

    @hookimpl
    def hub_transforms(self) -> list[type[Transform]]:
        return [Rename, Drop]


class BrokenPlugin:
    @hookimpl
    def hub_sources(self) -> list[type[Source]]:
        return [BrokenSchemaSource]


def fake_registry(*extra: object) -> Registry:
    """A registry of ``FakePlugin`` (and ``extra`` plugins), without any installed entry point."""
    return Registry(create_manager([FakePlugin(), *extra], entry_points=False))
