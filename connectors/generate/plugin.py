"""Registers the ``generate`` source through the same hooks a third-party plugin implements."""

from __future__ import annotations

from connectors.generate.source import GenerateSource
from hub import hookimpl
from hub.sdk import Source


@hookimpl
def hub_sources() -> list[type[Source]]:
    return [GenerateSource]
