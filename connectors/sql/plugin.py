"""Registers the SQL connectors through the same hooks a third-party plugin implements."""

from __future__ import annotations

from connectors.sql.sink import SqlSink
from connectors.sql.source import SqlSource
from hub import hookimpl
from hub.sdk import Sink, Source


@hookimpl
def hub_sources() -> list[type[Source]]:
    return [SqlSource]


@hookimpl
def hub_sinks() -> list[type[Sink]]:
    return [SqlSink]
