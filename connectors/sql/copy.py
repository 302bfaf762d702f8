"""PostgreSQL's fast path: Arrow -> binary COPY format or CSV -> ``COPY ... FROM STDIN``.

No Python object is made per row. Binary (``sink_binary``) is tried first: the server reads it
about twice as fast. A batch with a column binary does not cover goes as CSV, written by
pyarrow's C++ writer: nulls are unquoted empty fields and every string is quoted, so an empty
string stays an empty string, and quotes, commas and newlines inside values are quoted as
PostgreSQL's CSV format expects. Columns PostgreSQL would not parse from Arrow's text get it
from ``sink_values`` first (JSON for json/jsonb, ``\\x``-hex for bytea).

Inserts COPY straight into the table. Upserts COPY into a temporary staging table (created once
per transaction, ``ON COMMIT DROP``) and then run ``INSERT INTO target SELECT ... FROM staging ON
CONFLICT (keys) DO UPDATE``; staging is emptied after each batch. Every identifier is quoted by
SQLAlchemy's identifier preparer or compiled from ``Table`` objects.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.csv as pacsv

from connectors.sql import sink_binary as binary
from connectors.sql import sink_values as values
from connectors.sql.offsets import upsert

if TYPE_CHECKING:
    from sqlalchemy import Connection, Table

_WRITE_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="needed")
_stage_numbers = itertools.count(1)


class Payload:
    """A table encoded for COPY into columns of known types: binary if it can, else CSV."""

    def __init__(self, table: pa.Table, target: Table, families: dict[str, str]) -> None:
        kinds = [binary.kind_of(target.c[name].type) for name in table.column_names]
        self.format = "csv"
        if all(kinds):
            try:
                rows = binary.encode(table, [k for k in kinds if k])
            except binary.Unsupported:
                pass
            else:
                self.format = "binary"
                self.parts: list[Any] = [binary.HEADER, rows, binary.TRAILER]
                return
        self.parts = [csv_payload(table, families)]


def csv_payload(table: pa.Table, families: dict[str, str]) -> pa.Buffer:
    """The table as headerless CSV that ``COPY ... (FORMAT csv)`` reads into those columns."""
    columns = []
    for name in table.column_names:
        column = table.column(name)
        family = families.get(name, "other")
        if family == "json":
            column = values.json_texts(column)
        elif family == "bytes":
            column = _bytea_hex(column)
        elif values.is_nested(column.type) or values.is_json_text(column.type):
            column = values.json_texts(column)
        columns.append(column)
    sink = pa.BufferOutputStream()
    pacsv.write_csv(pa.table(columns, names=table.column_names), sink, _WRITE_OPTIONS)
    return sink.getvalue()


def _bytea_hex(column: Any) -> pa.Array:
    return pa.array(
        [None if v is None else "\\x" + v.hex() for v in values.decoded_bytes(column)], pa.string()
    )


def copy_into(
    connection: Connection, table: Table, columns: Sequence[str], payload: Payload
) -> None:
    """``COPY table (columns) FROM STDIN`` fed with ``payload``, on the connection's open
    transaction."""
    preparer = connection.dialect.identifier_preparer
    target = preparer.format_table(table)
    names = ", ".join(preparer.quote_identifier(name) for name in columns)
    statement = f"COPY {target} ({names}) FROM STDIN (FORMAT {payload.format})"
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for part in payload.parts:
            copy.write(memoryview(part))


class Stages:
    """The staging tables of the open transaction, one per (target table, column list)."""

    def __init__(self) -> None:
        self._tables: dict[tuple[int, tuple[str, ...]], Table] = {}

    def forget(self) -> None:
        """The transaction ended (or a savepoint that created some was rolled back)."""
        self._tables.clear()

    def stage(self, connection: Connection, target: Table, columns: Sequence[str]) -> Table:
        import sqlalchemy as sa
        from sqlalchemy.sql.elements import quoted_name

        key = (id(target), tuple(columns))
        found = self._tables.get(key)
        if found is None:
            found = sa.Table(
                quoted_name(f"hub_stage_{next(_stage_numbers)}", True),
                sa.MetaData(),
                *(sa.Column(target.c[name].name, target.c[name].type) for name in columns),
                prefixes=["TEMPORARY"],
                postgresql_on_commit="DROP",
            )
            found.create(connection)
            self._tables[key] = found
        return found


def copy_upsert(
    connection: Connection,
    stages: Stages,
    target: Table,
    columns: Sequence[str],
    keys: Sequence[str],
    table: pa.Table,
    families: dict[str, str],
) -> None:
    """COPY into staging, then one INSERT ... SELECT ... ON CONFLICT DO UPDATE into ``target``."""
    import sqlalchemy as sa

    stage = stages.stage(connection, target, columns)
    copy_into(connection, stage, columns, Payload(table, stage, families))
    changed = [name for name in columns if name not in keys]
    select = sa.select(*(stage.c[name] for name in columns))
    source = ([target.c[name] for name in columns], select)
    connection.execute(upsert("postgresql", target, keys, changed, source))
    emptied = connection.dialect.identifier_preparer.format_table(stage)
    connection.execute(sa.text(f"TRUNCATE {emptied}"))
