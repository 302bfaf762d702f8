"""Property dependencies: ``dependencies`` (draft-07), ``dependentRequired``/``dependentSchemas``.

"If ``a`` is present, ``b`` must be too" (an array) or "... the object must match this schema".
A new or longer dependency may reject data written before; a removed or shorter one cannot.
Draft-07 and 2019+ spellings are merged, so moving a dependency from ``dependencies`` to
``dependentRequired`` is no change at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.registry.compatibility.context import Context
from hub.registry.compatibility.differences import DifferenceType as T
from hub.registry.compatibility.refs import Node

# property name -> (keyword it was found under, its dependency)
_Found = dict[str, tuple[str, Any]]


def compare_dependencies(ctx: Context, old: Node, new: Node) -> None:
    """Report dependency arrays and schemas at ``#/dependencies/<name>`` (or 2019+ keywords)."""
    before_arrays, before_schemas = _collect(old.value)
    after_arrays, after_schemas = _collect(new.value)
    for name in _names(before_arrays, after_arrays):
        keyword = (after_arrays.get(name) or before_arrays[name])[0]
        with ctx.at(keyword, name):
            _compare_array(ctx, name, before_arrays.get(name), after_arrays.get(name))
    for name in _names(before_schemas, after_schemas):
        keyword = (after_schemas.get(name) or before_schemas[name])[0]
        with ctx.at(keyword, name):
            if name not in after_schemas:
                message = f"the schema that '{name}' imposed on the object was removed"
                ctx.add(T.DEPENDENCY_SCHEMA_REMOVED, message)
            elif name not in before_schemas:
                message = f"a schema now applies when '{name}' is present: older data may fail it"
                ctx.add(T.DEPENDENCY_SCHEMA_ADDED, message)
            else:
                ctx.compare(old.child(before_schemas[name][1]), new.child(after_schemas[name][1]))


def _compare_array(
    ctx: Context, name: str, before: tuple[str, Any] | None, after: tuple[str, Any] | None
) -> None:
    if after is None:
        ctx.add(T.DEPENDENCY_ARRAY_REMOVED, f"'{name}' no longer requires other properties")
        return
    if before is None:
        message = f"'{name}' now requires {_show(after[1])}: older data may lack them"
        ctx.add(T.DEPENDENCY_ARRAY_ADDED, message)
        return
    old, new = set(before[1]), set(after[1])
    if old == new:
        return
    if new > old:
        message = f"'{name}' now also requires {_show(new - old)}: older data may lack them"
        ctx.add(T.DEPENDENCY_ARRAY_EXTENDED, message)
    elif new < old:
        ctx.add(T.DEPENDENCY_ARRAY_NARROWED, f"'{name}' no longer requires {_show(old - new)}")
    else:
        message = f"'{name}' now requires {_show(new)} instead of {_show(old)}"
        ctx.add(T.DEPENDENCY_ARRAY_CHANGED, message)


def _collect(schema: Any) -> tuple[_Found, _Found]:
    arrays: _Found = {}
    schemas: _Found = {}
    if not isinstance(schema, Mapping):
        return arrays, schemas
    for keyword in ("dependencies", "dependentRequired", "dependentSchemas"):
        entries = schema.get(keyword)
        if not isinstance(entries, Mapping):
            continue
        for name, value in entries.items():
            if isinstance(value, list | tuple):
                arrays[name] = (keyword, [item for item in value if isinstance(item, str)])
            elif keyword != "dependentRequired":
                schemas[name] = (keyword, value)
    return arrays, schemas


def _names(before: _Found, after: _Found) -> list[str]:
    return [*before, *(name for name in after if name not in before)]


def _show(names: Any) -> str:
    return ", ".join(f"'{name}'" for name in sorted(names))
