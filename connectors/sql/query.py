"""The one query each pass over a table runs, built with SQLAlchemy and compiled for the driver.

Rows are read in the order of the ``order`` columns: in incremental mode the cursor columns, then
the key columns (a unique tie-breaker), so that every row has one place in the order and a pass
resumes strictly after the last row read::

    SELECT ... FROM t
    WHERE updated_at IS NOT NULL                       -- cursor columns only
      AND (updated_at, id) > (:updated_at, :id)        -- after the offset
      AND updated_at < :bound                          -- lag: only rows older than now - lag
    ORDER BY updated_at, id

PostgreSQL compares the row values as written (``tuple_``), which its planner turns into an index
range. MariaDB and SQLite get the expanded form, ``updated_at >= :u AND (updated_at > :u OR
(updated_at = :u AND id > :id))``: the same rows, with a leading range condition their planners
can use on an index. Rows with equal cursor values are ordered by the key, so a batch boundary
inside a run of equal timestamps neither skips nor repeats any of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from connectors.sql.reflect import Column, Relation

ColumnExpr = Callable[[Any, Column], Any]
"""How a column is selected (the COPY path selects some columns as text, say)."""


@dataclass(frozen=True, slots=True)
class Compiled:
    """A statement as the driver takes it: SQL text and parameters (a dict or a tuple)."""

    sql: str
    params: dict[str, Any] | tuple[Any, ...]


def from_clause(relation: Relation) -> Any:
    """The table, or the custom query as a subquery ``q``, with typed columns."""
    import sqlalchemy as sa

    columns = [sa.column(c.name, c.sql_type) for c in relation.columns]
    if relation.query is not None:
        return sa.text(relation.query).columns(*columns).subquery("q")
    return sa.table(relation.table, *columns, schema=relation.schema)


def build(
    relation: Relation,
    order: Sequence[str],
    *,
    after: Sequence[Any] | None = None,
    not_null: Sequence[str] = (),
    bound: Any = None,
    row_values: bool = True,
    select: ColumnExpr | None = None,
) -> Any:
    """The SELECT of one pass: every column, after ``after`` (values of ``order``), before
    ``bound`` (on the first ``not_null`` column), ordered by ``order``."""
    import sqlalchemy as sa

    source = from_clause(relation)
    by_name = {c.name: c for c in relation.columns}
    exprs = [
        source.c[c.name] if select is None else select(source.c[c.name], c)
        for c in relation.columns
    ]
    stmt = sa.select(*exprs).select_from(source)
    for name in not_null:
        stmt = stmt.where(source.c[name].is_not(None))
    if after is not None:
        cols = [source.c[name] for name in order]
        binds = [
            sa.bindparam(f"after_{i}", value, type_=_bind_type(by_name[name]))
            for i, (name, value) in enumerate(zip(order, after, strict=True))
        ]
        stmt = stmt.where(_after(cols, binds, row_values))
    if bound is not None and not_null:
        first = not_null[0]
        stmt = stmt.where(
            source.c[first] < sa.bindparam("bound", bound, type_=_bind_type(by_name[first]))
        )
    return stmt.order_by(*(source.c[name] for name in order))


def _bind_type(column: Column) -> Any:
    """Typed binds let PostgreSQL cast the parameter; elsewhere values are bound as stored."""
    import sqlalchemy as sa

    return column.sql_type if column.sql_type is not None else sa.types.NullType()


def _after(cols: list[Any], binds: list[Any], row_values: bool) -> Any:
    """``(a, b, c) > (:a, :b, :c)``, as a row-value comparison or expanded."""
    import sqlalchemy as sa

    if len(cols) == 1:
        return cols[0] > binds[0]
    if row_values:
        return sa.tuple_(*cols) > sa.tuple_(*binds)
    alternatives = []
    for i in range(len(cols)):
        equal = [cols[j] == binds[j] for j in range(i)]
        alternatives.append(sa.and_(*equal, cols[i] > binds[i]))
    return sa.and_(cols[0] >= binds[0], sa.or_(*alternatives))


def compile_for(stmt: Any, dialect: Any) -> Compiled:
    """``stmt`` as SQL text for ``dialect``'s driver, with its parameters in the driver's style.

    Parameters are always passed (possibly empty) so that drivers using ``%s`` placeholders
    turn the ``%%`` in identifiers back into ``%``.
    """
    compiled = stmt.compile(dialect=dialect)
    values: Mapping[str, Any] = compiled.construct_params()
    if compiled.positional:
        names = compiled.positiontup or []
        return Compiled(str(compiled), tuple(values[name] for name in names))
    return Compiled(str(compiled), dict(values))
