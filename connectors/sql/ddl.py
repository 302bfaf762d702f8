"""JSON Schema (and Arrow) -> SQL column types, and the DDL the sink runs: CREATE and ADD COLUMN.

A column is created from a topic's registry schema (``SinkBatch.schema``), or from the Arrow
types of a batch when the topic has none; each top-level property becomes a column. The mapping
per database, and the ``x-sql-type`` words that override it, are in docs/sql.md ("Sink: JSON
Schema to SQL columns"), whose table ``tests/connectors/sql/test_docs.py`` checks against
``sql_type``. A property is NOT NULL when it is ``required`` and its type does not admit null;
key columns are the primary key. How properties and Arrow fields become column specs is in
``sink_columns``. Date-times go to MariaDB and SQLite as UTC without an offset (PostgreSQL's
sessions are set to UTC too).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from connectors.sql.sink_columns import ColumnSpec

if TYPE_CHECKING:
    from sqlalchemy import Column, Connection, MetaData, Table
    from sqlalchemy.types import TypeEngine


# -- SQL types -------------------------------------------------------------------------------
def sql_type(spec: ColumnSpec, dialect: str, *, key: bool = False) -> TypeEngine[Any]:
    """The SQL type for ``spec`` on ``dialect`` (SQLAlchemy's dialect name)."""
    import sqlalchemy as sa
    from sqlalchemy.dialects import mysql, postgresql

    my = dialect in ("mysql", "mariadb")
    family = spec.family
    if family == "integer":
        return {"smallint": sa.SmallInteger(), "integer": sa.Integer(), "int": sa.Integer()}.get(
            spec.small or "", sa.BigInteger()
        )
    if family == "number":
        if spec.numeric:
            if spec.precision is None and my:  # no unconstrained DECIMAL: the widest there is
                return sa.Numeric(65, 30)
            return sa.Numeric(spec.precision, spec.scale)
        return sa.Float() if spec.small == "real" else sa.Double()
    if family == "boolean":
        return sa.Boolean()
    if family == "string":
        if spec.length is not None:
            return sa.String(spec.length)
        if my:
            return sa.String(255) if key else mysql.LONGTEXT()
        return sa.Text()
    if family == "date":
        return sa.Date()
    if family == "datetime":
        if my:
            return mysql.DATETIME(fsp=6)
        return sa.DateTime(timezone=not spec.naive)
    if family == "time":
        return mysql.TIME(fsp=6) if my else sa.Time()
    if family == "uuid":
        return sa.Uuid(as_uuid=False) if dialect == "postgresql" else sa.CHAR(36)
    if family == "bytes":
        return mysql.LONGBLOB() if my else sa.LargeBinary()
    if dialect == "postgresql":
        return postgresql.JSONB(none_as_null=True)
    return sa.JSON(none_as_null=True)


def family_of(type_: TypeEngine[Any]) -> str:
    """The value family a reflected column holds (``ACCEPTS`` keys)."""
    import sqlalchemy as sa
    from sqlalchemy.dialects import mysql

    if isinstance(type_, sa.JSON):
        return "json"
    if isinstance(type_, mysql.TINYINT) and getattr(type_, "display_width", None) == 1:
        return "bool_int"
    checks: list[tuple[type, str]] = [
        (sa.Boolean, "boolean"),
        (sa.Integer, "integer"),
        (sa.Numeric, "number"),
        (sa.Float, "number"),  # not a Numeric since SQLAlchemy 2.1
        (sa.DateTime, "datetime"),
        (sa.Date, "date"),
        (sa.Time, "time"),
        (sa.Uuid, "uuid"),
        (sa.types._Binary, "bytes"),
        (sa.String, "string"),
    ]
    return next((family for cls, family in checks if isinstance(type_, cls)), "other")


# -- DDL -------------------------------------------------------------------------------------
def new_table(
    name: str,
    schema: str | None,
    columns: Sequence[ColumnSpec],
    keys: Sequence[str],
    dialect: str,
    metadata: MetaData,
) -> Table:
    """The table to create: the columns in order, ``keys`` as its primary key (NOT NULL)."""
    from sqlalchemy import Table

    return Table(
        _quoted(name),
        metadata,
        *(new_column(spec, dialect, key=spec.name in keys) for spec in columns),
        schema=None if schema is None else _quoted(schema),
    )


def new_column(spec: ColumnSpec, dialect: str, *, key: bool = False) -> Column[Any]:
    from sqlalchemy import Column

    return Column(
        _quoted(spec.name),
        sql_type(spec, dialect, key=key),
        primary_key=key,
        nullable=spec.nullable and not key,
        autoincrement=False,
    )


def add_column(table: Table, column: Column[Any]) -> Any:
    """``ALTER TABLE table ADD COLUMN column``, with names quoted by the dialect's preparer."""
    return _elements()["add"](table, column)


def run(connection: Connection, statement: Any) -> None:
    """Run DDL in a savepoint where DDL is transactional (a failure leaves the transaction
    usable); MariaDB/MySQL commit on DDL anyway, which would end the savepoint."""
    if connection.dialect.name in ("mysql", "mariadb"):
        connection.execute(statement)
        return
    with connection.begin_nested():
        connection.execute(statement)


def _quoted(name: str) -> Any:
    from sqlalchemy.sql.elements import quoted_name

    return quoted_name(name, True)


def type_text(type_: TypeEngine[Any], dialect: Any) -> str:
    """A type as the database spells it (for messages)."""
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:
        return repr(type_)


@cache
def _elements() -> dict[str, type]:
    """The DDL SQLAlchemy has no construct for, compiled with the dialect's quoting. Defined on
    first use: importing a connector stays cheap."""
    from sqlalchemy.ext.compiler import compiles
    from sqlalchemy.schema import CreateColumn, ExecutableDDLElement

    class AddColumn(ExecutableDDLElement):
        inherit_cache = False

        def __init__(self, table: Table, column: Column[Any]) -> None:
            self.table = table
            self.column = column

    class DropNotNull(AddColumn):
        pass

    @compiles(AddColumn)
    def _add(element: AddColumn, compiler: Any, **kw: Any) -> str:
        table = compiler.preparer.format_table(element.table)
        column = compiler.process(CreateColumn(element.column), **kw)
        return f"ALTER TABLE {table} ADD COLUMN {column}"

    @compiles(DropNotNull)
    def _relax(element: DropNotNull, compiler: Any, **kw: Any) -> str:
        table = compiler.preparer.format_table(element.table)
        name = compiler.preparer.format_column(element.column)
        return f"ALTER TABLE {table} ALTER COLUMN {name} DROP NOT NULL"

    @compiles(DropNotNull, "mysql")
    def _relax_mysql(element: DropNotNull, compiler: Any, **kw: Any) -> str:
        table = compiler.preparer.format_table(element.table)
        name = compiler.preparer.format_column(element.column)
        type_ = compiler.dialect.type_compiler_instance.process(element.column.type)
        return f"ALTER TABLE {table} MODIFY COLUMN {name} {type_} NULL"

    class RenameTable(ExecutableDDLElement):
        inherit_cache = False

        def __init__(self, table: Table, name: str) -> None:
            self.table = table
            self.name = name

    @compiles(RenameTable)
    def _rename(element: RenameTable, compiler: Any, **kw: Any) -> str:
        table = compiler.preparer.format_table(element.table)
        return f"ALTER TABLE {table} RENAME TO {compiler.preparer.quote(element.name)}"

    return {"add": AddColumn, "relax": DropNotNull, "rename": RenameTable}


def drop_not_null(table: Table, column: Column[Any]) -> Any:
    """``ALTER TABLE ... ALTER COLUMN ... DROP NOT NULL`` (MariaDB/MySQL: ``MODIFY COLUMN``
    with the column's type; SQLite cannot)."""
    return _elements()["relax"](table, column)


def rename_table(table: Table, name: str) -> Any:
    """``ALTER TABLE ... RENAME TO ...`` (the new name in the same schema)."""
    return _elements()["rename"](table, name)
