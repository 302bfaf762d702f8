"""The hooks a streamhub plugin implements. Built-in connectors use them exactly as others do.

A plugin is a module (or object) with ``@hub.hookimpl`` functions, registered through the entry
point group ``hub.plugins``::

    [project.entry-points."hub.plugins"]
    mysystem = "mysystem_hub.plugin"
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from hub.sdk import Sink, Source, Transform

hookspec = pluggy.HookspecMarker("hub")
hookimpl = pluggy.HookimplMarker("hub")


@hookspec
def hub_sources() -> list[type[Source]]:
    """The source connector classes this plugin provides."""


@hookspec
def hub_sinks() -> list[type[Sink]]:
    """The sink connector classes this plugin provides."""


@hookspec
def hub_transforms() -> list[type[Transform]]:
    """The transform classes this plugin provides."""
