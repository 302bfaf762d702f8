"""Registers the ``stdout`` sink through the same hooks a third-party plugin implements."""

from __future__ import annotations

from connectors.stdout.sink import StdoutSink
from hub import hookimpl
from hub.sdk import Sink


@hookimpl
def hub_sinks() -> list[type[Sink]]:
    return [StdoutSink]
