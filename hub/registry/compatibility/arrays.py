"""Arrays: Confluent's ArraySchemaDiff, for lists (``items``) and tuples (positional items).

A tuple's content model is that of the items past its positions: open (``additionalItems``
absent or ``true``), closed (``false``) or partially open (a schema). Draft-07 writes a tuple as
``items: [...]`` with ``additionalItems``; 2020-12 as ``prefixItems: [...]`` with ``items``; both
read the same here, and pointers use the keyword the schema itself uses.

Deviation from Confluent: a schema with a single ``items`` schema and no tuple constrains every
position, so it is treated as partially open with that schema when positions are added or
removed (Confluent calls it open, and accepts removing a tuple position it then rejects).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hub.registry.compatibility import limits, open_content
from hub.registry.compatibility.context import Context
from hub.registry.compatibility.differences import DifferenceType as T
from hub.registry.compatibility.refs import Node
from hub.registry.compatibility.shapes import Kind, Shape, shape_of

_ITEMS_PAST_THE_TUPLE = open_content.OpenContent(
    T.ADDITIONAL_ITEMS_ADDED,
    T.ADDITIONAL_ITEMS_REMOVED,
    T.ADDITIONAL_ITEMS_NARROWED,
    T.ADDITIONAL_ITEMS_EXTENDED,
    what="items past the tuple",
    older="older arrays",
)

_ABSENT = object()


@dataclass(frozen=True, slots=True)
class ArrayView:
    """The array keywords of one schema node, in either draft's spelling."""

    node: Node
    every: Node | None  # one schema for all items
    positions: list[Node] | None  # a tuple
    positions_keyword: str  # "items" or "prefixItems"
    rest: Any  # the schema past the tuple, raw (or _ABSENT)
    rest_keyword: str  # "additionalItems" or "items"

    @classmethod
    def of(cls, node: Node) -> ArrayView:
        value = node.value
        if _is_list(value.get("prefixItems")):
            positions = [node.child(v) for v in value["prefixItems"]]
            return cls(node, None, positions, "prefixItems", value.get("items", _ABSENT), "items")
        items = value.get("items", _ABSENT)
        rest = value.get("additionalItems", _ABSENT)
        if _is_list(items):
            positions = [node.child(v) for v in items]
            return cls(node, None, positions, "items", rest, "additionalItems")
        every = None if items is _ABSENT else node.child(items)
        return cls(node, every, None, "items", rest, "additionalItems")

    def additional(self) -> tuple[bool, Node | None]:
        """Whether items past the tuple are allowed, and the schema they meet (None: any)."""
        if self.rest is False:
            return False, None
        if self.rest is _ABSENT or self.rest is True:
            return True, None
        node = self.node.child(self.rest)
        return True, None if shape_of(node).kind is Kind.EMPTY else node

    def model(self) -> tuple[str, Node | None]:
        """The content model for a position this schema does not declare."""
        if self.positions is None and self.every is not None:
            kind = shape_of(self.every).kind
            if kind is Kind.FALSE:
                return "closed", None
            return ("open", None) if kind is Kind.EMPTY else ("partial", self.every)
        permits, schema = self.additional()
        if not permits:
            return "closed", None
        return ("open", None) if schema is None else ("partial", schema)


def compare_arrays(ctx: Context, original: Shape, update: Shape) -> None:
    """Everything array-specific, in Confluent's order."""
    old, new = ArrayView.of(original.node), ArrayView.of(update.node)
    with ctx.at("items"):
        ctx.compare(old.every, new.every)
    _compare_positions(ctx, old, new)
    keyword = new.rest_keyword if new.positions is not None else old.rest_keyword
    open_content.compare(ctx, keyword, old.additional(), new.additional(), _ITEMS_PAST_THE_TUPLE)
    before, after = old.node.value.get("contains"), new.node.value.get("contains")
    if before is not None or after is not None:
        with ctx.at("contains"):
            ctx.compare(
                None if before is None else old.node.child(before),
                None if after is None else new.node.child(after),
            )
    limits.compare_bounds(ctx, old.node.value, new.node.value, limits.MAX_ITEMS, limits.MIN_ITEMS)
    unique_before = old.node.value.get("uniqueItems") is True
    unique_after = new.node.value.get("uniqueItems") is True
    if unique_before and not unique_after:
        ctx.add(T.UNIQUE_ITEMS_REMOVED, "items no longer need to be unique", "uniqueItems")
    elif unique_after and not unique_before:
        message = "items must now be unique: older arrays may repeat some"
        ctx.add(T.UNIQUE_ITEMS_ADDED, message, "uniqueItems")


def _compare_positions(ctx: Context, old: ArrayView, new: ArrayView) -> None:
    before, after = old.positions or [], new.positions or []
    keyword = new.positions_keyword if new.positions is not None else old.positions_keyword
    for index, (was, now) in enumerate(zip(before, after, strict=False)):
        with ctx.at(keyword, str(index)):
            ctx.compare(was, now)
    for index in range(len(after), len(before)):
        with ctx.at(keyword, str(index)):
            _position_removed(ctx, index, before[index], new)
    for index in range(len(before), len(after)):
        with ctx.at(keyword, str(index)):
            _position_added(ctx, index, after[index], old)


def _position_removed(ctx: Context, index: int, schema: Node, new: ArrayView) -> None:
    model, cover = new.model()
    if model == "open":
        message = f"item {index} was removed; the open content model still accepts it"
        ctx.add(T.ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL, message)
    elif cover is not None:
        trial = ctx.sub()
        trial.compare(schema, cover)
        ctx.adopt(trial)
        if trial.compatible:
            message = f"item {index} was removed and the partially open model covers it"
            ctx.add(T.ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, message)
        else:
            message = f"item {index} was removed and the schema for further items rejects it"
            ctx.add(T.ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, message)
    elif shape_of(schema).kind is Kind.FALSE:
        message = f"item {index}, which allowed no value, was removed from a closed model"
        ctx.add(T.ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL, message)
    else:
        message = f"item {index} was removed from a closed content model: older arrays have it"
        ctx.add(T.ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL, message)


def _position_added(ctx: Context, index: int, schema: Node, old: ArrayView) -> None:
    model, cover = old.model()
    if model == "open":
        if shape_of(schema).kind is Kind.EMPTY:
            message = f"item {index} was added with an empty schema to an open content model"
            ctx.add(T.ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL, message)
        else:
            message = (
                f"item {index} was added to an open content model: "
                "older arrays may hold any value there"
            )
            ctx.add(T.ITEM_ADDED_TO_OPEN_CONTENT_MODEL, message)
    elif cover is not None:
        trial = ctx.sub()
        trial.compare(cover, schema)
        ctx.adopt(trial)
        if trial.compatible:
            message = f"item {index} was added and the old schema for further items fits it"
            ctx.add(T.ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, message)
        else:
            message = f"item {index} was added but older values there may not fit it"
            ctx.add(T.ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, message)
    else:
        message = f"item {index} was added to a closed content model"
        ctx.add(T.ITEM_ADDED_TO_CLOSED_CONTENT_MODEL, message)


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | Mapping)
