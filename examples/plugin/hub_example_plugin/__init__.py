"""An example streamhub plugin: a ``counter`` source, an ``uppercase`` transform, a ``sqlite`` sink.

A plugin is a module with ``@hookimpl`` functions, each returning connector classes; the
``hub.plugins`` entry point in ``pyproject.toml`` names this module.
"""

from __future__ import annotations

from hub.hookspecs import hookimpl
from hub.sdk import Sink, Source, Transform
from hub_example_plugin.counter import CounterSource
from hub_example_plugin.sqlite import SqliteSink
from hub_example_plugin.uppercase import Uppercase

__all__ = ["CounterSource", "SqliteSink", "Uppercase"]


@hookimpl
def hub_sources() -> list[type[Source]]:
    return [CounterSource]


@hookimpl
def hub_sinks() -> list[type[Sink]]:
    return [SqliteSink]


@hookimpl
def hub_transforms() -> list[type[Transform]]:
    return [Uppercase]
