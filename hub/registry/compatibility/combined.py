"""Combinations, type lists, ``not`` and references.

Confluent's CombinedSchemaDiff, NotSchemaDiff and reference handling.

Explicit combinations follow Confluent exactly: compare the criteria, count the subschemas, then
pair them by maximum matching; an unpaired subschema makes COMBINED_TYPE_SUBSCHEMAS_CHANGED.

Two combinations are synthetic in Confluent's model and get a direct pairing here, so the report
points at the keyword that changed instead of a whole-schema COMBINED_TYPE_SUBSCHEMAS_CHANGED:
a schema saying several things (``type`` + ``enum``) pairs its facets by kind, and a list of
types pairs its types by name (``integer`` with ``number`` if need be).
"""

from __future__ import annotations

from collections.abc import Callable

from hub.registry.compatibility.context import Context
from hub.registry.compatibility.differences import DifferenceType as T
from hub.registry.compatibility.matching import maximum_matching
from hub.registry.compatibility.refs import follow, is_plain_ref
from hub.registry.compatibility.shapes import COMBINATORS, TYPED, Branch, Kind, Shape

_SUM_CRITERIA = ("anyOf", "oneOf")


def compare_combined(ctx: Context, original: Shape, update: Shape) -> None:
    """Two combined schemas: criteria, sizes, then matched subschemas."""
    before, after = original.branches(), update.branches()
    if not _compare_criteria(ctx, original, update, len(before), len(after)):
        return
    if len(before) < len(after):
        if update.criterion == "allOf":
            message = "allOf gained subschemas: older data may fail the new ones"
            ctx.add(T.PRODUCT_TYPE_EXTENDED, message)
        else:
            ctx.add(T.SUM_TYPE_EXTENDED, f"{update.criterion} gained alternatives")
    elif len(before) > len(after):
        if original.criterion in _SUM_CRITERIA:
            message = f"{original.criterion} lost alternatives: older data may use them"
            ctx.add(T.SUM_TYPE_NARROWED, message)
        else:
            ctx.add(T.PRODUCT_TYPE_NARROWED, "allOf lost subschemas")
    candidates: dict[int, list[tuple[int, int]]] = {}
    trials: dict[tuple[int, int], Context] = {}
    for i, was in enumerate(before):
        candidates[i] = []
        with ctx.at(*was.segments):
            for j, now in enumerate(after):
                trial = ctx.sub()
                _compare_branches(trial, was, now)
                if trial.compatible:
                    candidates[i].append((j, len(trial.differences)))
                    trials[i, j] = trial
    matching = maximum_matching(candidates)
    for i in sorted(matching):
        ctx.adopt(trials[i, matching[i]])
    if len(matching) < min(len(before), len(after)):
        unmatched = [
            "/".join(b.segments) or f"'{_type_key(b.shape)}'"
            for i, b in enumerate(before)
            if i not in matching
        ]
        message = (
            f"no compatible counterpart in the update for {', '.join(unmatched)}: "
            "older data valid against it may be rejected"
        )
        ctx.add(T.COMBINED_TYPE_SUBSCHEMAS_CHANGED, message)


def _compare_criteria(
    ctx: Context, original: Shape, update: Shape, before: int, after: int
) -> bool:
    old, new = original.criterion, update.criterion
    if old == new:
        return True
    if (
        new == "anyOf"
        or (before == 1 and after == 1)
        or (before == 1 and new == "oneOf")
        or (after == 1 and old == "allOf")
    ):
        ctx.add(T.COMBINED_TYPE_EXTENDED, f"{old} became {new}, which accepts at least as much")
        return True
    ctx.add(T.COMBINED_TYPE_CHANGED, f"{old} became {new}: older data may no longer be valid")
    return False


def _compare_branches(ctx: Context, was: Branch, now: Branch) -> None:
    if was.node is not None and now.node is not None:
        ctx.compare(was.node, now.node)
    else:
        ctx.compare_shapes(was.shape, now.shape)


def compare_products(ctx: Context, original: Shape, update: Shape) -> None:
    """Schemas saying several things at once: pair what each says by kind."""
    before = [b.shape for b in original.branches()] if original.is_product else [original]
    after = [b.shape for b in update.branches()] if update.is_product else [update]
    pairs, removed, added = _pair(before, after, _facet_key, _family)
    if added:
        message = f"the schema now also constrains {_describe(added)}: older data may fail it"
        ctx.add(T.PRODUCT_TYPE_EXTENDED, message)
    if removed:
        ctx.add(T.PRODUCT_TYPE_NARROWED, f"the schema no longer constrains {_describe(removed)}")
    for was, now in pairs:
        ctx.compare_shapes(was, now)


def compare_type_sets(ctx: Context, original: Shape, update: Shape) -> None:
    """Lists of types (or one type against a list): pair the types by name."""
    before = _typed(original)
    after = _typed(update)
    pairs, removed, added = _pair(before, after, _type_key, _facet_key)
    if removed:
        names = _describe(removed)
        message = f"the type list no longer allows {names}: older data may be of that type"
        ctx.add(T.SUM_TYPE_NARROWED, message)
    if added:
        ctx.add(T.SUM_TYPE_EXTENDED, f"the type list now also allows {_describe(added)}")
    for was, now in pairs:
        ctx.compare_shapes(was, now)


def compare_not(ctx: Context, original: Shape, update: Shape) -> None:
    """``not``: the update must exclude no more than the original, so compare it reversed."""
    with ctx.at("not"):
        trial = ctx.sub()
        trial.compare(
            update.node.child(update.node.value["not"]),
            original.node.child(original.node.value["not"]),
        )
        if not trial.differences:
            return
        if trial.compatible:
            ctx.add(T.NOT_TYPE_NARROWED, "the 'not' schema excludes less than before")
        else:
            message = "the 'not' schema excludes more than before: older data may be excluded"
            ctx.add(T.NOT_TYPE_EXTENDED, message)


def compare_refs(ctx: Context, original: Shape, update: Shape) -> None:
    """References next to other keywords are followed; unresolvable ones compared as text."""
    was, now = original.facets[0].ref, update.facets[0].ref
    targets = (
        (None, None)
        if is_plain_ref(original.node.value) or is_plain_ref(update.node.value)
        else (follow(original.node), follow(update.node))
    )
    if targets[0] is not None and targets[1] is not None:
        ctx.compare(targets[0], targets[1])
    elif was != now:
        message = f"reference changed from {was!r} to {now!r}, which cannot be resolved here"
        ctx.add(T.TYPE_CHANGED, message)


def _typed(shape: Shape) -> list[Shape]:
    return [b.shape for b in shape.branches()] if shape.kind is Kind.TYPES else [shape]


def _type_key(shape: Shape) -> str:
    return shape.facets[0].type_name or str(shape.facets[0].kind)


def _facet_key(shape: Shape) -> str:
    return str(shape.facets[0].kind)


def _family(shape: Shape) -> str:
    kind = shape.facets[0].kind
    if kind in TYPED or kind is Kind.TYPES:
        return "type"
    if kind in (Kind.ENUM, Kind.CONST):
        return "value"
    return "combinator" if kind in COMBINATORS else str(kind)


def _pair(
    before: list[Shape], after: list[Shape], *keys: Callable[[Shape], str]
) -> tuple[list[tuple[Shape, Shape]], list[Shape], list[Shape]]:
    """Pair shapes with equal first keys, then equal second keys...; the rest are unpaired."""
    pairs: list[tuple[int, int]] = []
    free = list(range(len(after)))
    for key in keys:
        for i, was in enumerate(before):
            if any(i == paired for paired, _ in pairs):
                continue
            j = next((j for j in free if key(after[j]) == key(was)), None)
            if j is not None:
                pairs.append((i, j))
                free.remove(j)
    paired = {i for i, _ in pairs}
    removed = [was for i, was in enumerate(before) if i not in paired]
    return [(before[i], after[j]) for i, j in sorted(pairs)], removed, [after[j] for j in free]


def _describe(shapes: list[Shape]) -> str:
    return ", ".join(f"'{_type_key(shape)}'" for shape in shapes)
