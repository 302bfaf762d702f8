"""Registers the file connectors through the same hooks a third-party plugin implements."""

from __future__ import annotations

from connectors.files.sink import FileSink
from connectors.files.source import FileSource
from hub import hookimpl
from hub.sdk import Sink, Source


@hookimpl
def hub_sources() -> list[type[Source]]:
    return [FileSource]


@hookimpl
def hub_sinks() -> list[type[Sink]]:
    return [FileSink]
