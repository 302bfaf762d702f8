"""Strings, numbers and enumerations: Confluent's String/Number/Enum/ConstSchemaDiff.

Two corrections of Confluent's Java, which change no verdict it gets right: ``multipleOf`` is
compared exactly (Confluent truncates to integers, so 0.5 -> 0.25 looked "changed"), and a
lowered ``exclusiveMaximum`` is measured against the old ``exclusiveMaximum`` (Confluent
compares it with ``maximum``).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from hub.registry.compatibility import limits
from hub.registry.compatibility.context import Context
from hub.registry.compatibility.differences import DifferenceType as T
from hub.registry.compatibility.shapes import Kind, Shape
from hub.registry.compatibility.values import canonical, is_number, number, show


def compare_strings(ctx: Context, original: Shape, update: Shape) -> None:
    """Length bounds and ``pattern``."""
    old, new = _keywords(original), _keywords(update)
    limits.compare_bounds(ctx, old, new, limits.MAX_LENGTH, limits.MIN_LENGTH)
    before, after = old.get("pattern"), new.get("pattern")
    if before is None and after is not None:
        ctx.add(T.PATTERN_ADDED, f"pattern {show(after)} was added", "pattern")
    elif before is not None and after is None:
        ctx.add(T.PATTERN_REMOVED, f"pattern {show(before)} was removed", "pattern")
    elif before != after:
        message = f"pattern changed from {show(before)} to {show(after)}"
        ctx.add(T.PATTERN_CHANGED, message + ": older strings may not match", "pattern")


def compare_numbers(ctx: Context, original: Shape, update: Shape) -> None:
    """Range bounds, ``multipleOf``, then integer versus number."""
    old, new = _keywords(original), _keywords(update)
    limits.compare_bounds(
        ctx,
        old,
        new,
        limits.MAXIMUM,
        limits.MINIMUM,
        limits.EXCLUSIVE_MAXIMUM,
        limits.EXCLUSIVE_MINIMUM,
    )
    _compare_multiple_of(ctx, old.get("multipleOf"), new.get("multipleOf"))
    if original.is_integer and not update.is_integer:
        ctx.add(T.TYPE_EXTENDED, "type widened from integer to number")
    elif update.is_integer and not original.is_integer:
        message = "type narrowed from number to integer: older data may hold fractions"
        ctx.add(T.TYPE_NARROWED, message)


def _compare_multiple_of(ctx: Context, before: Any, after: Any) -> None:
    before = before if is_number(before) and before > 0 else None
    after = after if is_number(after) and after > 0 else None
    if before is None and after is None:
        return
    if before is None:
        ctx.add(T.MULTIPLE_OF_ADDED, f"multipleOf {show(after)} was added", "multipleOf")
        return
    if after is None:
        ctx.add(T.MULTIPLE_OF_REMOVED, f"multipleOf {show(before)} was removed", "multipleOf")
        return
    old, new = number(before), number(after)
    if old == new:
        return
    moved = f"multipleOf changed from {show(before)} to {show(after)}"
    if _divides(old, new):
        ctx.add(T.MULTIPLE_OF_EXPANDED, moved + ": older values may not be multiples", "multipleOf")
    elif _divides(new, old):
        ctx.add(T.MULTIPLE_OF_REDUCED, moved + ", which divides the old one", "multipleOf")
    else:
        ctx.add(T.MULTIPLE_OF_CHANGED, moved + ": older values may not be multiples", "multipleOf")


def _divides(small: Any, large: Any) -> bool:
    """Whether ``large`` is a whole multiple of ``small``."""
    try:
        ratio = large / small
    except (ZeroDivisionError, OverflowError):
        return False
    if isinstance(ratio, Fraction):
        return ratio.denominator == 1
    return float(ratio).is_integer()


def compare_enums(ctx: Context, original: Shape, update: Shape) -> None:
    """Allowed values (``enum``, or ``const`` as a one-value enum) as sets."""
    old, new = _allowed(original), _allowed(update)
    keyword = "const" if update.kind is Kind.CONST else "enum"
    old_keys, new_keys = {canonical(v) for v in old}, {canonical(v) for v in new}
    if old_keys == new_keys:
        return
    removed = [show(v) for v in old if canonical(v) not in new_keys]
    added = [show(v) for v in new if canonical(v) not in old_keys]
    if not removed:
        message = f"{keyword} now also allows {', '.join(added)}"
        ctx.add(T.ENUM_ARRAY_EXTENDED, message, keyword)
    elif not added:
        message = f"{keyword} no longer allows {', '.join(removed)}, which older data may hold"
        ctx.add(T.ENUM_ARRAY_NARROWED, message, keyword)
    else:
        message = f"{keyword} dropped {', '.join(removed)} and added {', '.join(added)}"
        ctx.add(T.ENUM_ARRAY_CHANGED, message + ": older data may hold a dropped value", keyword)


def _allowed(shape: Shape) -> list[Any]:
    schema = _keywords(shape)
    if shape.kind is Kind.CONST:
        return [schema.get("const")]
    values = schema.get("enum")
    return list(values) if isinstance(values, list | tuple) else []


def _keywords(shape: Shape) -> Mapping[str, Any]:
    value = shape.node.value
    return value if isinstance(value, Mapping) else {}
