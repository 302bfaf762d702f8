"""``compile_condition`` and ``Condition``: parse once, bind once per schema, evaluate in bulk."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from hub.errors import ConfigError, RecordError
from hub.expressions.binder import Binder, UnknownField
from hub.expressions.parse import ALLOWED, field_nodes, parse, path_of, unsupported
from hub.transforms.errors import FieldNotFoundError

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.compute as pc
    from sqlglot import exp

Missing = Literal["error", "null"]

_CACHE_SIZE = 16

__all__ = ["ALLOWED", "Condition", "Missing", "compile_condition"]


def compile_condition(text: str, *, missing: Missing = "error") -> Condition:
    """Parse ``text`` once; raise ``ConfigError`` saying where it is wrong and what is allowed.

    ``missing`` decides what a field absent from a batch means: an error naming the field and
    the columns there are (``"error"``, which catches typos), or null (``"null"``, for sparse
    JSON where a field only appears in some records).
    """
    tree = parse(text)
    problems = [f"{node.sql()!r}: {why}" for node, why in unsupported(tree)]
    if problems:
        raise ConfigError(
            f"condition {text!r} uses what is not supported; allowed: {ALLOWED}", problems
        )
    return Condition(text, tree, missing)


@dataclass(frozen=True, slots=True, eq=False)
class Condition:
    """A compiled condition: ``mask`` for a whole table, ``matches`` for one record."""

    text: str
    tree: exp.Expr = field(repr=False)
    missing: Missing = "error"
    _bound: dict[pa.Schema, _Bound] = field(default_factory=dict, repr=False)

    @property
    def fields(self) -> list[str]:
        """The field paths the condition reads, in order of appearance."""
        return list(dict.fromkeys(path_of(node) for node in field_nodes(self.tree)))

    def expression(self, schema: pa.Schema) -> pc.Expression:
        """The Arrow expression for tables of ``schema`` (``now()`` is read at this call)."""
        return self._bind(schema).expression

    def mask(self, table: pa.Table) -> pa.BooleanArray:
        """For each row, whether the condition holds (null counts as false)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if table.num_rows == 0:
            return pa.array([], pa.bool_())
        try:
            bound = self._bind(table.schema)
        except UnknownField as exc:
            present = ", ".join(_user_columns(table.schema)) or "none"
            raise FieldNotFoundError(
                range(table.num_rows),
                f"condition {self.text!r} reads field {exc.path!r}, which these records do not "
                f"have (fields: {present}){exc.hint}",
            ) from None
        try:
            result = _evaluate(table.select(bound.columns), bound.expression)
        except (pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
            raise ConfigError(
                f"condition {self.text!r} does not fit the types of the fields "
                f"({_types(table.schema, bound.columns)}): {exc}"
            ) from None
        except pa.ArrowInvalid as exc:
            raise RecordError(f"condition {self.text!r}: {exc}") from None
        if not pa.types.is_boolean(result.type):
            result = pc.cast(result, pa.bool_())
        return pc.fill_null(result, False).combine_chunks()

    def matches(self, record: Mapping[str, Any]) -> bool:
        """Whether the condition holds for one record (a dict), through a one-row table."""
        from hub.arrow import dicts_to_table

        return bool(self.mask(dicts_to_table([record]))[0].as_py())

    def _bind(self, schema: pa.Schema) -> _Bound:
        bound = self._bound.get(schema)
        if bound is None:
            binder = Binder(self.text, schema, self.missing)
            top = binder.visit(self.tree)
            import pyarrow as pa

            if top.type is not None and not (
                pa.types.is_boolean(top.type) or pa.types.is_null(top.type)
            ):
                raise ConfigError(
                    f"condition {self.text!r} gives {top.type} values, not true or false; "
                    "compare it with something (e.g. `x > 0`)"
                )
            bound = _Bound(top.expr, sorted(binder.columns))
            if not binder.uses_now:
                if len(self._bound) >= _CACHE_SIZE:
                    self._bound.clear()
                self._bound[schema] = bound
        return bound


@dataclass(frozen=True, slots=True)
class _Bound:
    expression: pc.Expression
    columns: list[str]


def _evaluate(table: pa.Table, expression: pc.Expression) -> pa.ChunkedArray:
    """Project ``expression`` over ``table`` with Acero, single-threaded to keep row order."""
    from pyarrow import acero

    plan = acero.Declaration.from_sequence(
        [
            acero.Declaration("table_source", acero.TableSourceNodeOptions(table)),
            acero.Declaration("project", acero.ProjectNodeOptions([expression], ["mask"])),
        ]
    )
    return plan.to_table(use_threads=False).column(0)


def _user_columns(schema: pa.Schema) -> list[str]:
    from hub.arrow.columns import field_names

    return field_names(schema)


def _types(schema: pa.Schema, columns: list[str]) -> str:
    return ", ".join(f"{name}: {schema.field(name).type}" for name in columns) or "none"
