"""Numeric bounds (maxLength, minimum, minItems, ...): one rule, told which way is safe.

Raising an upper bound or lowering a lower one lets the reader accept more, so it is compatible;
adding a bound, or moving it the other way, may reject data written before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hub.registry.compatibility.context import Context
from hub.registry.compatibility.differences import DifferenceType as T
from hub.registry.compatibility.values import is_number, number, show


@dataclass(frozen=True, slots=True)
class Bound:
    """A bound keyword and its four difference types."""

    keyword: str
    upper: bool  # True for max*, False for min*
    added: T
    removed: T
    increased: T
    decreased: T


def _bound(keyword: str, upper: bool, stem: str) -> Bound:
    return Bound(
        keyword,
        upper,
        T(f"{stem}_ADDED"),
        T(f"{stem}_REMOVED"),
        T(f"{stem}_INCREASED"),
        T(f"{stem}_DECREASED"),
    )


MAX_LENGTH = _bound("maxLength", True, "MAX_LENGTH")
MIN_LENGTH = _bound("minLength", False, "MIN_LENGTH")
MAXIMUM = _bound("maximum", True, "MAXIMUM")
MINIMUM = _bound("minimum", False, "MINIMUM")
EXCLUSIVE_MAXIMUM = _bound("exclusiveMaximum", True, "EXCLUSIVE_MAXIMUM")
EXCLUSIVE_MINIMUM = _bound("exclusiveMinimum", False, "EXCLUSIVE_MINIMUM")
MAX_PROPERTIES = _bound("maxProperties", True, "MAX_PROPERTIES")
MIN_PROPERTIES = _bound("minProperties", False, "MIN_PROPERTIES")
MAX_ITEMS = _bound("maxItems", True, "MAX_ITEMS")
MIN_ITEMS = _bound("minItems", False, "MIN_ITEMS")


def compare_bounds(
    ctx: Context, original: Mapping[str, Any], update: Mapping[str, Any], *bounds: Bound
) -> None:
    """Report how each bound moved from ``original`` to ``update`` (at ``#/.../<keyword>``)."""
    for bound in bounds:
        _compare_bound(ctx, bound, _value(original, bound), _value(update, bound))


def _value(schema: Mapping[str, Any], bound: Bound) -> Any:
    value = schema.get(bound.keyword)
    return value if is_number(value) else None  # draft-04 boolean exclusive bounds are ignored


def _compare_bound(ctx: Context, bound: Bound, old: Any, new: Any) -> None:
    name = bound.keyword
    if old is None and new is None:
        return
    if old is None:
        ctx.add(bound.added, f"{name} {show(new)} was added: older data may break it", name)
    elif new is None:
        ctx.add(bound.removed, f"{name} {show(old)} was removed", name)
    elif number(new) > number(old):
        risk = "" if bound.upper else ": older data may be below it"
        ctx.add(bound.increased, f"{name} rose from {show(old)} to {show(new)}{risk}", name)
    elif number(new) < number(old):
        risk = ": older data may exceed it" if bound.upper else ""
        ctx.add(bound.decreased, f"{name} fell from {show(old)} to {show(new)}{risk}", name)
