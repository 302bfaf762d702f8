"""Discovery of connectors and transforms: every ``hub.plugins`` entry point, built-ins included."""

from __future__ import annotations

import builtins
import inspect
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import pluggy

from hub import hookspecs
from hub.errors import ConfigError, PluginError
from hub.sdk import Sink, Source, Transform

ENTRY_POINT_GROUP = "hub.plugins"
Kind = Literal["source", "sink", "transform"]
_BASES: dict[Kind, type] = {"source": Source, "sink": Sink, "transform": Transform}


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """One connector or transform and where it comes from."""

    kind: Kind
    type: str
    cls: builtins.type
    package: str
    version: str

    @property
    def description(self) -> str:
        """The first line of the class's own docstring (not one inherited from ``hub.Source``)."""
        doc = self.cls.__dict__.get("__doc__")
        if not isinstance(doc, str) or not doc.strip():
            return ""
        return inspect.cleandoc(doc).splitlines()[0]

    @property
    def config_schema(self) -> dict[str, Any]:
        return load_config_schema(self.cls)


def load_config_schema(cls: type) -> dict[str, Any]:
    """``cls.config_schema``: a dict as it is, or a file of the ``schemas`` package by name."""
    schema = getattr(cls, "config_schema", {"type": "object"})
    if isinstance(schema, str):
        from schemas import load_schema

        return load_schema(schema)
    return dict(schema)


class Registry:
    """The connectors and transforms of every registered plugin, by kind and type name."""

    def __init__(self, manager: pluggy.PluginManager) -> None:
        self.manager = manager
        self._by_kind: dict[Kind, dict[str, PluginInfo]] = {k: {} for k in _BASES}
        origins = {id(plugin): dist for plugin, dist in manager.list_plugin_distinfo()}
        for kind in _BASES:
            for impl in getattr(manager.hook, f"hub_{kind}s").get_hookimpls():
                dist = origins.get(id(impl.plugin))
                package = dist.project_name if dist else manager.get_name(impl.plugin) or "?"
                version = dist.version if dist else "-"
                self._add(kind, impl.function() or [], package, version)

    def _add(self, kind: Kind, classes: Iterable[type], package: str, version: str) -> None:
        for cls in classes:
            if not (isinstance(cls, type) and issubclass(cls, _BASES[kind])):
                raise PluginError(
                    f"plugin {package} returned {cls!r} from hub_{kind}s; expected a subclass "
                    f"of hub.{_BASES[kind].__name__}"
                )
            name = getattr(cls, "type", None)
            if not isinstance(name, str) or not name:
                raise PluginError(f"{cls.__qualname__} from {package} declares no `type` name")
            known = self._by_kind[kind].get(name)
            if known is not None:
                raise PluginError(
                    f"two {kind}s are named {name!r}: {known.cls.__qualname__} from package "
                    f"{known.package} and {cls.__qualname__} from package {package}; uninstall "
                    "one of them"
                )
            self._by_kind[kind][name] = PluginInfo(kind, name, cls, package, version)

    def all(self) -> list[PluginInfo]:
        return [info for kind in _BASES for info in sorted(self._by_kind[kind].values(), key=_name)]

    def types(self, kind: Kind) -> list[str]:
        return sorted(self._by_kind[kind])

    def get(self, kind: Kind, name: str) -> PluginInfo:
        """The ``kind`` named ``name``; ``ConfigError`` listing the known ones if there is none."""
        try:
            return self._by_kind[kind][name]
        except KeyError:
            known = ", ".join(self.types(kind)) or "none"
            raise ConfigError(f"unknown {kind} type {name!r}; known {kind}s: {known}") from None


def _name(info: PluginInfo) -> str:
    return info.type


def create_manager(
    extra_plugins: Iterable[object] = (), *, entry_points: bool = True
) -> pluggy.PluginManager:
    """A plugin manager with the installed plugins (unless ``entry_points`` is false: tests)."""
    manager = pluggy.PluginManager("hub")
    manager.add_hookspecs(hookspecs)
    if entry_points:
        try:
            manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        except Exception as exc:
            raise PluginError(
                f"a plugin in the entry point group {ENTRY_POINT_GROUP!r} failed to load: "
                f"{type(exc).__name__}: {exc}; reinstall or uninstall the package that provides it"
            ) from exc
    for plugin in extra_plugins:
        manager.register(plugin)
    return manager


@cache
def registry() -> Registry:
    """The process-wide registry of installed plugins (entry points are read once)."""
    return Registry(create_manager())
