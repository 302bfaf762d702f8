"""Compiled checks: what a schema asks of the values of one Arrow column, run by Arrow kernels.

A check maps a column to a boolean mask, true where the value (as the hub writes it to JSON)
breaks the schema, or to ``None`` when no value can. Masks may flag more rows than break the
schema (the rows are then confirmed one by one by ``jsonschema_rs``) but must never miss one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

Column: TypeAlias = pa.Array | pa.ChunkedArray
Failures: TypeAlias = Column | None
Rule: TypeAlias = Callable[[Column], Column]
"""A value-level test on prepared, non-null values: true where the value fails (nulls: pass)."""


class Check:
    """What one (sub)schema asks of one column's values."""

    def failures(self, values: Column) -> Failures:
        raise NotImplementedError


def any_of(masks: Sequence[Failures]) -> Failures:
    """Rows flagged by any of ``masks``."""
    present = [mask for mask in masks if mask is not None]
    if not present:
        return None
    result = present[0]
    for mask in present[1:]:
        result = pc.or_(result, mask)
    return result


def _within(mask: Failures, present: Column | None) -> Failures:
    """``mask`` restricted to the rows where the value is present (not null)."""
    if mask is None or present is None:
        return mask
    return pc.and_(mask, present)


def _all(values: Column) -> Column:
    return pa.array(np.ones(len(values), dtype=bool))


@dataclass(frozen=True, slots=True)
class Pass(Check):
    """A schema every value meets (``true``, ``{}``, annotations only)."""

    def failures(self, values: Column) -> Failures:
        return None


@dataclass(frozen=True, slots=True)
class Reject(Check):
    """The ``false`` schema: a value here, even null, fails."""

    def failures(self, values: Column) -> Failures:
        return _all(values)


@dataclass(frozen=True, slots=True)
class Both(Check):
    """Two checks on the same values (``$ref`` and its sibling keywords from 2019-09 on)."""

    first: Check
    second: Check

    def failures(self, values: Column) -> Failures:
        return any_of([self.first.failures(values), self.second.failures(values)])


@dataclass(frozen=True, slots=True)
class Scalars(Check):
    """Numbers, strings, booleans, nulls: a type decided once, then rules on the values.

    ``prepare`` turns the column into what JSON holds (text for timestamps, float64 with null
    for NaN and infinities, which the hub writes as ``null``).
    """

    prepare: Callable[[Column], Column]
    null_fails: bool
    all_fail: bool
    rules: tuple[Rule, ...] = ()

    def failures(self, values: Column) -> Failures:
        if not self.rules and not self.all_fail:  # the type fits: only nulls can fail
            if not self.null_fails:
                return None
            if not _may_hide_nulls(values.type):
                return values.is_null() if values.null_count else None
        prepared = self.prepare(values)
        masks: list[Failures] = []
        if self.null_fails and prepared.null_count:
            masks.append(prepared.is_null())
        if self.all_fail:
            masks.append(prepared.is_valid() if prepared.null_count else _all(prepared))
            return any_of(masks)
        masks += [pc.fill_null(rule(prepared), False) for rule in self.rules]
        return any_of(masks)


def _may_hide_nulls(type_: pa.DataType) -> bool:
    """Whether values not null in Arrow can be null in JSON (NaN, infinities, null entries of
    a dictionary, nulls inside an extension type's storage)."""
    return (
        pa.types.is_floating(type_)
        or pa.types.is_dictionary(type_)
        or isinstance(type_, pa.BaseExtensionType)
    )


@dataclass(frozen=True, slots=True)
class Objects(Check):
    """A struct column: its own null and type, then each field's check where it is present."""

    null_fails: bool
    all_fail: bool
    fields: tuple[tuple[int, Check], ...]

    def failures(self, values: Column) -> Failures:
        masks: list[Failures] = []
        present = values.is_valid() if values.null_count else None
        if self.null_fails and present is not None:
            masks.append(pc.invert(present))
        if self.all_fail:
            masks.append(_all(values) if present is None else present)
            return any_of(masks)
        for index, check in self.fields:
            child = pc.struct_field(values, [index])
            masks.append(_within(check.failures(child), present))
        return any_of(masks)


@dataclass(frozen=True, slots=True)
class Arrays(Check):
    """A list column: its own null and type, its length, then its items (mapped to rows)."""

    null_fails: bool
    all_fail: bool
    min_items: int | None
    max_items: int | None
    items: Check | None

    def failures(self, values: Column) -> Failures:
        masks: list[Failures] = []
        present = values.is_valid() if values.null_count else None
        if self.null_fails and present is not None:
            masks.append(pc.invert(present))
        if self.all_fail:
            masks.append(_all(values) if present is None else present)
            return any_of(masks)
        if self.min_items is not None or self.max_items is not None:
            lengths = pc.list_value_length(values)
            if self.min_items is not None:
                masks.append(pc.fill_null(pc.less(lengths, self.min_items), False))
            if self.max_items is not None:
                masks.append(pc.fill_null(pc.greater(lengths, self.max_items), False))
        if self.items is not None:
            chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
            flagged = pa.chunked_array([self._item_rows(c) for c in chunks], pa.bool_())
            masks.append(_within(flagged, present))
        return any_of(masks)

    def _item_rows(self, chunk: pa.Array) -> pa.Array:
        """Per list of ``chunk``: whether any of its items fails."""
        assert self.items is not None
        if not (pa.types.is_list(chunk.type) or pa.types.is_large_list(chunk.type)):
            value_type = chunk.type.value_type
            large = pa.types.is_large_list_view(chunk.type)
            chunk = chunk.cast(pa.large_list(value_type) if large else pa.list_(value_type))
        offsets = chunk.offsets.to_numpy()
        items = chunk.values.slice(offsets[0], offsets[-1] - offsets[0])
        rows = np.zeros(len(chunk), dtype=bool)
        failed = self.items.failures(items)
        if failed is not None:
            parents = np.repeat(np.arange(len(chunk)), np.diff(offsets))
            indices = pc.indices_nonzero(failed).to_numpy()
            rows[parents[indices]] = True
        return pa.array(rows)
