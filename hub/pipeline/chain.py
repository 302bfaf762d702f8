"""A connector's transforms, applied in order to whole Arrow tables, failures isolated per row.

A transform that fails on some rows never takes the batch down: rows it names (``rows`` on the
error) or, failing that, rows found by applying it to each row alone, leave the batch as
``Failure``s for the errors policy; the rest carry on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hub.errors import ConfigError
from hub.pipeline.spec import TransformSpec
from hub.plugins import Registry
from hub.sdk import Transform

if TYPE_CHECKING:
    import pyarrow as pa

ROW_COLUMN = "__hub_row"


@dataclass(frozen=True, slots=True)
class Failure:
    """A row that a transform could not handle: its index in the chain's input, JSON, why."""

    row: int
    value: bytes
    error: str


@dataclass(frozen=True, slots=True)
class _Step:
    transform: Transform
    condition: Any  # hub.expressions.Condition | None
    where: str


class TransformChain:
    """The ``transforms:`` of one source or sink, built once from the plugin registry."""

    def __init__(self, specs: Sequence[TransformSpec], registry: Registry) -> None:
        from hub.connector_config import validate_config
        from hub.expressions import compile_condition

        self._steps = [
            _Step(
                (cls := registry.get("transform", spec.type).cls)(
                    validate_config(cls, spec.config, where=spec.where)
                ),
                compile_condition(spec.when) if spec.when else None,
                spec.where,
            )
            for spec in specs
        ]

    def __bool__(self) -> bool:
        return bool(self._steps)

    def apply(self, table: pa.Table) -> tuple[pa.Table, list[Failure]]:
        if not self._steps or table.num_rows == 0:
            return table, []
        import pyarrow as pa

        table = table.append_column(ROW_COLUMN, pa.array(range(table.num_rows), pa.int64()))
        failures: list[Failure] = []
        for step in self._steps:
            table, failed = _apply_isolated(step, table)
            failures.extend(failed)
        return table.drop_columns([ROW_COLUMN]), failures


def _run(step: _Step, table: pa.Table) -> pa.Table:
    if step.condition is None:
        return step.transform.apply(table)
    from hub.transforms import apply_when

    return apply_when(step.transform, step.condition, table)


def _apply_isolated(step: _Step, table: pa.Table) -> tuple[pa.Table, list[Failure]]:
    try:
        return _run(step, table), []
    except ConfigError:  # the condition or config is wrong for this data: no row is to blame
        raise
    except Exception as exc:
        rows = getattr(exc, "rows", None)
        if rows is None:
            rows = _failing_rows(step, table)
            if not rows:
                raise
        return _without(step, table, sorted(set(rows)), exc)


def _failing_rows(step: _Step, table: pa.Table) -> list[int]:
    """Which rows make the transform fail, found by applying it to each row alone."""
    failing = []
    for i in range(table.num_rows):
        try:
            _run(step, table.slice(i, 1))
        except Exception:
            failing.append(i)
    return failing


def _without(
    step: _Step, table: pa.Table, rows: list[int], error: Exception
) -> tuple[pa.Table, list[Failure]]:
    import pyarrow as pa
    import pyarrow.compute as pc

    from hub.arrow import table_to_json_values

    bad = table.take(pa.array(rows, pa.int64()))
    mask = pc.invert(pc.is_in(pa.array(range(table.num_rows)), pa.array(rows)))
    rest = table.filter(mask)
    message = f"{step.where}: {type(error).__name__}: {error}"
    origins = bad.column(ROW_COLUMN).to_pylist()
    values = table_to_json_values(bad.drop_columns([ROW_COLUMN]))
    failures = [
        Failure(origin, value, message) for origin, value in zip(origins, values, strict=True)
    ]
    if rest.num_rows:
        rest, more = _apply_isolated(step, rest)
        return rest, failures + more
    return rest, failures
