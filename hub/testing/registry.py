"""Registries of chosen plugins, so that a test sees exactly the connectors it means to."""

from __future__ import annotations

from hub.plugins import Registry, create_manager


def plugin_registry(*plugins: object, entry_points: bool = False) -> Registry:
    """A registry of ``plugins`` (modules or objects with ``@hub.hookimpl`` functions): alone by
    default, or with every installed plugin too (``entry_points=True``)."""
    return Registry(create_manager(plugins, entry_points=entry_points))
