"""The recursive comparison: Confluent's SchemaDiff.compare, one pair of subschemas at a time.

Order of the rules, as in Confluent: a missing schema; a plain schema that became one of several
alternatives (compatible if some alternative accepts it: SUM_TYPE_EXTENDED); a combination that
lost all but one part; then schemas of different classes (TYPE_CHANGED, except to ``true`` or
from ``false``); then annotations and the class-specific rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hub.registry.compatibility import arrays, combined, objects, scalars
from hub.registry.compatibility.context import Context
from hub.registry.compatibility.differences import DifferenceType as T
from hub.registry.compatibility.refs import Node
from hub.registry.compatibility.shapes import TYPED, Kind, Shape, shape_of
from hub.registry.compatibility.values import canonical, show

_ANNOTATIONS: tuple[tuple[T, str, tuple[str, ...]], ...] = (
    (T.ID_CHANGED, "$id", ("$id", "id")),
    (T.TITLE_CHANGED, "title", ("title",)),
    (T.DESCRIPTION_CHANGED, "description", ("description",)),
    (T.DEFAULT_CHANGED, "default", ("default",)),
)

_Rule = Callable[[Context, Shape, Shape], None]
_BY_FAMILY: dict[str, _Rule] = {
    "object": objects.compare_objects,
    "array": arrays.compare_arrays,
    "string": scalars.compare_strings,
    "number": scalars.compare_numbers,
    "enum": scalars.compare_enums,
    "not": combined.compare_not,
    "$ref": combined.compare_refs,
}


class Walker:
    """The engine a ``Context`` recurses through."""

    def compare(self, ctx: Context, original: Node | None, update: Node | None) -> None:
        """Two subschemas, either of which may be absent (SCHEMA_ADDED / SCHEMA_REMOVED)."""
        if original is None or update is None:
            _compare_presence(ctx, original, update)
        else:
            self.compare_shapes(ctx, shape_of(original), shape_of(update))

    def compare_shapes(self, ctx: Context, original: Shape, update: Shape) -> None:
        """Two shapes, each pair once (see ``Context.once`` for recursion and replay)."""
        key = (*_identity(original), *_identity(update))
        ctx.once(key, lambda: _compare_shapes(ctx, original, update))


WALKER = Walker()


def _identity(shape: Shape) -> tuple[int, int, str]:
    """Which schema (in which document, for its references) and which facets of it."""
    return id(shape.node.value), id(shape.node.root), shape.part


def _compare_presence(ctx: Context, original: Node | None, update: Node | None) -> None:
    if original is None and update is not None and shape_of(update).kind is not Kind.EMPTY:
        ctx.add(T.SCHEMA_ADDED, "a schema was added where any value was allowed")
    elif update is None and original is not None and shape_of(original).kind is not Kind.EMPTY:
        ctx.add(T.SCHEMA_REMOVED, "the schema was removed: any value is now allowed")


def _compare_annotations(ctx: Context, original: Any, update: Any) -> None:
    for kind, name, keys in _ANNOTATIONS:
        before, after = _annotation(original, keys), _annotation(update, keys)
        if canonical(before) == canonical(after):
            continue
        if before is None:
            ctx.add(kind, f"{name} {show(after)} was added")
        elif after is None:
            ctx.add(kind, f"{name} {show(before)} was removed")
        else:
            ctx.add(kind, f"{name} changed from {show(before)} to {show(after)}")


def _annotation(schema: Any, keys: tuple[str, ...]) -> Any:
    if not isinstance(schema, Mapping):
        return None
    for key in keys:
        value = schema.get(key)
        if value is not None and (key != "id" or isinstance(value, str)):
            return value
    return None


def _compare_shapes(ctx: Context, original: Shape, update: Shape) -> None:
    if original.kind is not update.kind and (
        original.kind is Kind.FALSE or update.kind is Kind.EMPTY
    ):
        return  # nothing was valid before, or everything is valid now
    if update.is_sum and _is_single(original) and _became_alternative(ctx, original, update):
        return
    if _lost_all_but_one(ctx, original, update):
        return
    rule = _rule(original, update)
    if rule is None:
        _type_changed(ctx, original, update)
        return
    if _whole(original) and _whole(update):
        _compare_annotations(ctx, original.node.value, update.node.value)
    rule(ctx, original, update)


def _rule(original: Shape, update: Shape) -> _Rule | None:
    """Which comparison applies, or None when the schemas are of different classes."""
    if original.kind in (Kind.EMPTY, Kind.FALSE) or update.kind in (Kind.EMPTY, Kind.FALSE):
        return _nothing if original.kind is update.kind else None
    if _is_typeish(original) and _is_typeish(update) and Kind.TYPES in (original.kind, update.kind):
        return combined.compare_type_sets
    if (original.is_product or update.is_product) and not (
        original.is_explicit or update.is_explicit
    ):
        return combined.compare_products
    if original.is_combined and update.is_combined:
        return combined.compare_combined
    if original.family != update.family:
        return None
    return _BY_FAMILY.get(original.family, _nothing)


def _nothing(ctx: Context, original: Shape, update: Shape) -> None:
    """Booleans and nulls have nothing more to compare."""


def _whole(shape: Shape) -> bool:
    return shape.part == "*"


def _is_single(shape: Shape) -> bool:
    """Not a combination of alternatives or conjuncts written as such (a product may be)."""
    return not shape.is_explicit and shape.kind is not Kind.TYPES


def _became_alternative(ctx: Context, original: Shape, update: Shape) -> bool:
    """A schema that became ``anyOf``/``oneOf``/a type list still reads old data if one
    alternative accepts all of it (Confluent tries them in turn; the closest one wins here)."""
    trials = [ctx.attempt(original, branch.shape) for branch in update.branches()]
    fitting = [trial for trial in trials if trial.compatible]
    if not fitting:
        return False
    ctx.adopt(min(fitting, key=lambda trial: len(trial.differences)))
    if update.kind is Kind.TYPES and _whole(original) and _whole(update):
        # The alternatives are facets of the update's own node: its annotations are compared
        # here, once, instead of by each alternative.
        _compare_annotations(ctx, original.node.value, update.node.value)
    message = f"the schema became one of several alternatives ({update.criterion})"
    ctx.add(T.SUM_TYPE_EXTENDED, message)
    return True


def _lost_all_but_one(ctx: Context, original: Shape, update: Shape) -> bool:
    """Singleton combinations stand for their only subschema; an ``allOf`` that became a plain
    schema still reads old data if one of its parts accepted all of it (PRODUCT_TYPE_NARROWED)."""
    if update.is_explicit and _is_single(original) and len(update.branches()) == 1:
        return _adopt_if_compatible(ctx, ctx.attempt(original, update.branches()[0].shape))
    if not original.is_explicit or not _is_single(update):
        return False
    parts = original.branches()
    if len(parts) == 1:
        return _adopt_if_compatible(ctx, ctx.attempt(parts[0].shape, update))
    if original.kind is not Kind.ALL_OF:
        return False
    fitting = [t for t in (ctx.attempt(p.shape, update) for p in parts) if t.compatible]
    if not fitting:
        return False
    ctx.adopt(min(fitting, key=lambda trial: len(trial.differences)))
    ctx.add(T.PRODUCT_TYPE_NARROWED, "allOf was reduced to one of its subschemas")
    return True


def _adopt_if_compatible(ctx: Context, trial: Context) -> bool:
    if trial.compatible:
        ctx.adopt(trial)
    return trial.compatible


def _is_typeish(shape: Shape) -> bool:
    return shape.kind in TYPED or shape.kind is Kind.TYPES


def _type_changed(ctx: Context, original: Shape, update: Shape) -> None:
    before, after = _describe(original), _describe(update)
    ctx.add(T.TYPE_CHANGED, f"the schema changed from {before} to {after}: older data may not fit")


def _describe(shape: Shape) -> str:
    kind = shape.kind
    if kind is None:
        return "a combination of " + ", ".join(str(f.kind) for f in shape.facets)
    if kind in TYPED or kind is Kind.TYPES:
        value = shape.node.value.get("type") if isinstance(shape.node.value, Mapping) else None
        return f"type {show(value)}" if value is not None else f"{kind} keywords"
    return {Kind.EMPTY: "any value", Kind.FALSE: "no value"}.get(kind, str(kind))
