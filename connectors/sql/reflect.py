"""What the source reads: tables found by name or pattern, or a query, with typed columns.

Tables are reflected with SQLAlchemy's inspector (columns, nullability, primary key) and each
column gets its ``Kind`` (``connectors.sql.types``). Two things the inspector does not report are
looked up directly: MariaDB's JSON columns (LONGTEXT with a ``json_valid`` check) and SQLite
columns declared ``UUID`` (which SQLite's affinity rules reflect as NUMERIC).

A custom query has no table to reflect: its columns come from the result's description on
PostgreSQL (type names, numeric precision and scale) and MariaDB (type codes; text and blob
columns are typed by their values), and on SQLite, whose results carry no types, from the values
of one row (columns that are NULL there are typed by each batch's values).
"""

from __future__ import annotations

import fnmatch
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from connectors.sql import types
from connectors.sql.types import Kind
from hub.errors import ConfigError

_GLOB = set("*?[")


@dataclass(frozen=True, slots=True)
class Column:
    """One column: how its values are typed (``kind``) and whether it may be NULL."""

    name: str
    kind: Kind
    nullable: bool = True
    sql_type: Any = None  # the reflected SQLAlchemy type; None for a query's columns
    sql_text: str | None = None  # ``x-sql-type``: the type in the sink's words


@dataclass(frozen=True, slots=True)
class Relation:
    """One source partition: a table (``table`` in ``schema``) or a ``query``, named ``name``."""

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    table: str = ""
    schema: str | None = None
    query: str | None = None

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def find_tables(
    inspector: Any, schema: str | None, wanted: Sequence[str], *, strict: bool = True
) -> list[str]:
    """Tables named or matched (a glob over the schema's table names) by ``wanted``, in order.

    A name may also be a view; patterns match tables only. Raises ``ConfigError`` naming every
    entry that finds nothing, with the tables that exist (unless not ``strict``).
    """
    tables = sorted(inspector.get_table_names(schema=schema))
    views = set(inspector.get_view_names(schema=schema))
    found: list[str] = []
    problems: list[str] = []
    for i, entry in enumerate(wanted):
        if _GLOB & set(entry):
            matched = [t for t in tables if fnmatch.fnmatchcase(t, entry)]
            missing = f"pattern {entry!r} matches no table"
        else:
            matched = [entry] if entry in tables or entry in views else []
            missing = f"no table or view {entry!r}"
        if not matched:
            problems.append(f"tables[{i}]: {missing}")
        found += [t for t in matched if t not in found]
    if problems and strict:
        where = f"schema {schema!r}" if schema else "the default schema"
        listing = ", ".join(tables[:50]) + (" ..." if len(tables) > 50 else "") or "none"
        raise ConfigError(
            f"sql source: tables not found in {where} (tables there: {listing})", problems
        )
    return found


def reflect_table(inspector: Any, dialect: Any, name: str, schema: str | None) -> Relation:
    """The columns and primary key of table ``name``."""
    import sqlalchemy as sa

    with warnings.catch_warnings():  # types SQLAlchemy does not know come back as NullType
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        reflected = inspector.get_columns(name, schema=schema)
        primary_key = tuple(
            _unquote(dialect, c)
            for c in inspector.get_pk_constraint(name, schema=schema).get("constrained_columns")
            or ()
        )
    json_columns = (
        _mariadb_json_columns(inspector, name, schema) if dialect.name == "mysql" else set()
    )
    uuid_columns = _sqlite_uuid_columns(inspector, name) if dialect.name == "sqlite" else set()
    columns = []
    for col in reflected:
        sql_type, column = col["type"], _unquote(dialect, col["name"])
        kind = types.kind_of(sql_type, dialect.name, json_hint=column in json_columns)
        if column in uuid_columns:
            kind = types.UUID
        nullable = bool(col.get("nullable", True)) and column not in primary_key
        columns.append(Column(column, kind, nullable, sql_type, types.x_sql_type(kind, sql_type)))
    prefix = f"{schema}." if schema else ""
    return Relation(prefix + name, tuple(columns), primary_key, table=name, schema=schema)


def _unquote(dialect: Any, name: str) -> str:
    """SQLAlchemy reflects MySQL names with their backticks still doubled (``or``der``)."""
    return name.replace("``", "`") if dialect.name == "mysql" else name


def _mariadb_json_columns(inspector: Any, table: str, schema: str | None) -> set[str]:
    import sqlalchemy as sa

    sql = sa.text(
        "SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS"
        " WHERE CONSTRAINT_SCHEMA = COALESCE(:schema, DATABASE()) AND TABLE_NAME = :table"
    )
    try:
        with inspector.bind.connect() as conn:
            clauses = conn.execute(sql, {"schema": schema, "table": table}).scalars().all()
    except sa.exc.DBAPIError:  # MySQL before 8.0.16 has no such view; its JSON is a real type
        return set()
    found = set()
    for clause in clauses:
        text = str(clause).strip()
        if text.lower().startswith("json_valid(`") and text.endswith("`)"):
            found.add(text[len("json_valid(`") : -2].replace("``", "`"))
    return found


def _sqlite_uuid_columns(inspector: Any, table: str) -> set[str]:
    with inspector.bind.connect() as conn:
        rows = conn.exec_driver_sql(f"PRAGMA table_info({_sqlite_quote(table)})").fetchall()
    return {row[1] for row in rows if "UUID" in str(row[2]).upper()}


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def reflect_query(engine: Any, query: str, name: str) -> Relation:
    """The columns of a custom ``query`` (see the module docstring)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.driver_connection.cursor()
        if engine.dialect.name == "postgresql":
            cursor.execute(f"SELECT * FROM ({query}) AS q LIMIT 0")
            columns = tuple(_pg_column(raw.driver_connection, d) for d in cursor.description)
        elif engine.dialect.name == "mysql":
            cursor.execute(f"SELECT * FROM ({query}) AS q LIMIT 0")
            columns = tuple(_mysql_column(d) for d in cursor.description)
        else:
            cursor.execute(f"SELECT * FROM ({query}) AS q LIMIT 1")
            sample = cursor.fetchone()
            names = [d[0] for d in cursor.description]
            values = sample if sample is not None else [None] * len(names)
            kinds = [_kind_of_value(v) for v in values]
            columns = tuple(
                Column(n, k, sql_text=types.x_sql_type(k))
                for n, k in zip(names, kinds, strict=True)
            )
        cursor.close()
    finally:
        raw.rollback()
        raw.close()
    return Relation(name, columns, query=query)


def _pg_column(conn: Any, description: Any) -> Column:
    info = conn.adapters.types.get(description.type_code)
    type_name = getattr(info, "name", None)
    kind = types.kind_of_pg(type_name, description.precision, description.scale)
    return Column(description.name, kind, sql_text=types.x_sql_type(kind))


_MYSQL_TYPES = {
    1: types.INT16,  # TINY (BOOLEAN when its display width is 1)
    2: types.INT16,
    3: types.INT32,
    9: types.INT32,  # MEDIUMINT
    13: types.INT32,  # YEAR
    8: types.INT64,
    4: types.FLOAT,
    5: types.FLOAT,
    10: types.DATE,
    12: types.TIMESTAMP,
    7: types.TIMESTAMPTZ,
    11: types.TIME,
    245: types.JSON_DOC,
}


def _mysql_column(description: Sequence[Any]) -> Column:
    """A MySQL/MariaDB result column from its DB-API description (type code, length, scale);
    text and blob columns are typed by their values (str or bytes)."""
    name, code, _, length, _, scale = description[:6]
    if code in (0, 246):  # DECIMAL, NEWDECIMAL: the length counts the sign and the point
        kind = types.decimal_kind(int(length) - 1 - (1 if scale else 0), int(scale))
    elif code == 1 and length == 1:
        kind = types.BOOLEAN
    else:
        kind = _MYSQL_TYPES.get(code, types.AUTO)
    return Column(name, kind, sql_text=types.x_sql_type(kind))


def _kind_of_value(value: Any) -> Kind:
    import datetime as dt
    import decimal

    if value is None:
        return types.AUTO
    for cls, kind in (
        (bool, types.BOOLEAN),
        (int, types.INT64),
        (float, types.FLOAT),
        (decimal.Decimal, types.NUMBER_TEXT),
        (str, types.STRING),
        (bytes, types.BINARY),
        (dt.datetime, types.TIMESTAMP),
        (dt.date, types.DATE),
        (dt.timedelta, types.TIME),
    ):
        if isinstance(value, cls):
            return kind
    return types.OTHER
