"""Conditional transforms: ``when:`` applies a transform to the matching rows only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.errors import PluginError

if TYPE_CHECKING:
    import pyarrow as pa

    from hub.expressions import Condition
    from hub.sdk import Transform

POSITION_COLUMN = "__hub_when"


def apply_when(transform: Transform, condition: Condition, table: pa.Table) -> pa.Table:
    """``table`` with ``transform`` applied to the rows where ``condition`` holds.

    The other rows pass unchanged, and every row keeps its place (a row the transform drops is
    gone from it). Columns the transform adds are null in the rows it did not see; a column it
    gives another type (a conditional ``cast``) becomes JSON text where the types cannot be
    unified. An error naming failing ``rows`` is re-raised with the indices in ``table``.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if table.num_rows == 0:
        return table
    mask = condition.mask(table)
    count = pc.sum(mask).as_py() or 0
    if count == 0:
        return table
    if count == table.num_rows:
        return transform.apply(table)
    positions = pa.array(np.arange(table.num_rows, dtype=np.int64))
    inside_positions = positions.filter(mask)
    inside = table.filter(mask).append_column(POSITION_COLUMN, inside_positions)
    outside = table.filter(pc.invert(mask))
    outside = outside.append_column(POSITION_COLUMN, positions.filter(pc.invert(mask)))
    try:
        changed = transform.apply(inside)
    except Exception as exc:
        rows = getattr(exc, "rows", None)
        if rows is not None:
            exc.rows = inside_positions.take(pa.array(rows, pa.int64())).to_pylist()  # type: ignore[attr-defined]
        raise
    if POSITION_COLUMN not in changed.column_names:
        if changed.num_rows != inside.num_rows:
            raise PluginError(
                f"transform {transform.type!r} dropped the {POSITION_COLUMN} column: a "
                "transform must keep the columns whose names start with __hub_"
            )
        changed = changed.append_column(POSITION_COLUMN, inside_positions)
    merged = _concat(outside, changed)
    order = pc.sort_indices(merged.column(POSITION_COLUMN))
    return merged.take(order).drop_columns([POSITION_COLUMN])


def _concat(first: pa.Table, second: pa.Table) -> pa.Table:
    """Both tables' rows, columns unified by name; clashing types become JSON text."""
    import pyarrow as pa

    try:
        return pa.concat_tables([first, second], promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    for name in set(first.column_names) & set(second.column_names):
        a, b = first.schema.field(name), second.schema.field(name)
        if a.type == b.type:
            continue
        try:
            pa.unify_schemas([pa.schema([a]), pa.schema([b])], promote_options="permissive")
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            first, second = _as_json(first, name), _as_json(second, name)
    return pa.concat_tables([first, second], promote_options="permissive")


def _as_json(table: pa.Table, name: str) -> pa.Table:
    from hub.arrow import json_column

    index = table.schema.get_field_index(name)
    return table.set_column(index, name, json_column(table.column(name)))
