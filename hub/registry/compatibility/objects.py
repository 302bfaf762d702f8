"""Objects: Confluent's ObjectSchemaDiff, built around the content model of each property name.

An object schema is *open* (``additionalProperties`` absent, ``true`` or ``{}``), *closed*
(``false``) or *partially open* (``additionalProperties`` is a schema, or ``patternProperties``
cover the name). Adding a property to an open model is unsafe because data written before may
already hold anything under that name; adding one to a closed model is safe unless required.

Deviations from Confluent, each towards the real meaning of the schema: the model is decided per
property name (a name no pattern matches falls back to ``additionalProperties``, so
``patternProperties`` next to an open ``additionalProperties`` stays open for other names),
``additionalProperties: {}`` counts as open like ``true``, and a newly required name the update
does not declare is a REQUIRED_ATTRIBUTE_ADDED (Confluent ignores undeclared names).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from hub.registry.compatibility import dependencies, limits, open_content
from hub.registry.compatibility.context import Context
from hub.registry.compatibility.differences import DifferenceType as T
from hub.registry.compatibility.refs import Node, dereference
from hub.registry.compatibility.shapes import Kind, Shape, shape_of

_UNDECLARED_PROPERTIES = open_content.OpenContent(
    T.ADDITIONAL_PROPERTIES_ADDED,
    T.ADDITIONAL_PROPERTIES_REMOVED,
    T.ADDITIONAL_PROPERTIES_NARROWED,
    T.ADDITIONAL_PROPERTIES_EXTENDED,
    what="undeclared properties",
    older="older data",
)


@dataclass(frozen=True, slots=True)
class ContentModel:
    """How an object treats one property name it does not declare."""

    kind: str  # "open", "closed" or "partial"
    schemas: tuple[Node, ...] = ()  # for "partial": every schema the name must satisfy


@dataclass(slots=True)
class ObjectView:
    """The object keywords of one schema node."""

    node: Node
    properties: Mapping[str, Any] = field(init=False)
    required: list[str] = field(init=False)
    patterns: Mapping[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        value = self.node.value
        self.properties = _mapping(value.get("properties"))
        required = value.get("required")
        self.required = (
            [name for name in required if isinstance(name, str)] if _list(required) else []
        )
        self.patterns = _mapping(value.get("patternProperties"))

    def prop(self, name: str) -> Node:
        return self.node.child(self.properties[name])

    def additional(self) -> tuple[bool, Node | None]:
        """Whether undeclared names are allowed, and the schema they must meet (None: any)."""
        value = self.node.value.get("additionalProperties", True)
        if value is False:
            return False, None
        node = self.node.child(value)
        return True, None if shape_of(node).kind is Kind.EMPTY else node

    def model_for(self, name: str) -> ContentModel:
        matches = tuple(self.node.child(s) for p, s in self.patterns.items() if _matches(p, name))
        if matches:
            return ContentModel("partial", matches)
        permits, schema = self.additional()
        if not permits:
            return ContentModel("closed")
        return ContentModel("open") if schema is None else ContentModel("partial", (schema,))


def compare_objects(ctx: Context, original: Shape, update: Shape) -> None:
    """Everything object-specific, in Confluent's order."""
    old, new = ObjectView(original.node), ObjectView(update.node)
    _compare_required(ctx, old, new)
    _compare_properties(ctx, old, new)
    for pattern in old.patterns:
        if pattern in new.patterns:
            with ctx.at("patternProperties", pattern):
                ctx.compare(
                    old.node.child(old.patterns[pattern]), new.node.child(new.patterns[pattern])
                )
    dependencies.compare_dependencies(ctx, old.node, new.node)
    additional = (old.additional(), new.additional())
    open_content.compare(ctx, "additionalProperties", *additional, _UNDECLARED_PROPERTIES)
    _compare_property_names(ctx, old.node, new.node)
    limits.compare_bounds(
        ctx, old.node.value, new.node.value, limits.MAX_PROPERTIES, limits.MIN_PROPERTIES
    )


def _compare_required(ctx: Context, old: ObjectView, new: ObjectView) -> None:
    """Confluent looks at properties both sides declare; names declared nowhere count too."""
    before, after = set(old.required), set(new.required)
    for name in old.properties:
        if name in new.properties and (name in before) != (name in after):
            _required_changed(ctx, name, new, added=name in after)
    for name in new.required:
        if name not in before and name not in new.properties:
            _required_changed(ctx, name, new, added=True)
    for name in old.required:
        if name not in after and name not in old.properties:
            _required_changed(ctx, name, new, added=False)


def _required_changed(ctx: Context, name: str, new: ObjectView, *, added: bool) -> None:
    if not added:
        ctx.add(T.REQUIRED_ATTRIBUTE_REMOVED, f"'{name}' is no longer required", "required", name)
    elif name in new.properties and _has_default(new.prop(name)):
        message = f"'{name}' became required; its default fills it in for older data"
        ctx.add(T.REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED, message, "required", name)
    else:
        message = f"'{name}' became required: older data may lack it"
        ctx.add(T.REQUIRED_ATTRIBUTE_ADDED, message, "required", name)


def _compare_properties(ctx: Context, old: ObjectView, new: ObjectView) -> None:
    names = [*old.properties, *(name for name in new.properties if name not in old.properties)]
    for name in names:
        with ctx.at("properties", name):
            if name not in new.properties:
                _property_removed(ctx, name, old, new)
            elif name not in old.properties:
                _property_added(ctx, name, old, new)
            else:
                ctx.compare(old.prop(name), new.prop(name))


def _property_added(ctx: Context, name: str, old: ObjectView, new: ObjectView) -> None:
    model, schema, required = old.model_for(name), new.prop(name), name in new.required
    if model.kind == "open":
        if shape_of(schema).kind is Kind.EMPTY:
            message = f"property '{name}' was added with an empty schema to an open content model"
            ctx.add(T.PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL, message)
        else:
            message = (
                f"property '{name}' was added to an open content model: "
                f"older data may hold any value under '{name}'"
            )
            ctx.add(T.PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL, message, relaxable=not required)
        return
    if model.kind == "partial":
        # Older values under this name met every matching schema; one that fits is enough.
        trials = [_trial(ctx, cover, schema) for cover in model.schemas]
        best = next((t for t in trials if t.compatible), trials[0])
        ctx.adopt(best)
        if best.compatible:
            message = f"property '{name}' was added and its old partially open model covers it"
            ctx.add(T.PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, message)
        else:
            message = (
                f"property '{name}' was added but older values allowed by the partially open "
                "content model may not fit it"
            )
            ctx.add(T.PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, message)
    if not required:
        kind = "closed" if model.kind == "closed" else "partially open"
        message = f"optional property '{name}' was added to a {kind} content model"
        ctx.add(T.OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL, message)
    elif _has_default(schema):
        message = f"required property '{name}' was added with a default for older data"
        ctx.add(T.REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL, message)
    else:
        message = f"required property '{name}' was added without a default: older data lacks it"
        ctx.add(T.REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL, message)


def _property_removed(ctx: Context, name: str, old: ObjectView, new: ObjectView) -> None:
    model, schema = new.model_for(name), old.prop(name)
    if model.kind == "open":
        message = f"property '{name}' was removed; the open content model still accepts it"
        ctx.add(T.PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL, message)
    elif model.kind == "partial":
        # Readers apply every matching schema, so older values must fit all of them.
        trials = [_trial(ctx, schema, cover) for cover in model.schemas]
        for trial in trials:
            ctx.adopt(trial)
        if all(trial.compatible for trial in trials):
            message = f"property '{name}' was removed and the partially open model covers it"
            ctx.add(T.PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, message)
        else:
            message = (
                f"property '{name}' was removed and the partially open content model rejects "
                "some of its older values"
            )
            ctx.add(T.PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, message)
    elif shape_of(schema).kind is Kind.FALSE:
        message = f"property '{name}', which allowed no value, was removed from a closed model"
        ctx.add(T.PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL, message)
    else:
        message = (
            f"property '{name}' was removed from a closed content model: "
            f"older data holding '{name}' is rejected"
        )
        ctx.add(T.PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL, message)


def _compare_property_names(ctx: Context, old: Node, new: Node) -> None:
    before, after = old.value.get("propertyNames"), new.value.get("propertyNames")
    if before is not None or after is not None:
        with ctx.at("propertyNames"):
            ctx.compare(
                None if before is None else old.child(before),
                None if after is None else new.child(after),
            )


def _trial(ctx: Context, original: Node, update: Node) -> Context:
    trial = ctx.sub()
    trial.compare(original, update)
    return trial


def _has_default(node: Node) -> bool:
    target, _ = dereference(node)
    return any(isinstance(n.value, Mapping) and "default" in n.value for n in (node, target))


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _matches(pattern: str, name: str) -> bool:
    compiled = _compiled(pattern)
    return compiled is not None and compiled.search(name) is not None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> bool:
    return isinstance(value, list | tuple)
