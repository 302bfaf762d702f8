"""Insert-or-update of many rows in one statement, in each database's own dialect.

Offsets, statuses and configs are all "set this key to that value": a dialect upsert does it in
one round trip and without the race of a read followed by a write.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Executable, Table, and_, insert, update


def upsert(
    connection: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    key: Sequence[str],
) -> None:
    """Insert ``rows``; where a row's ``key`` columns exist already, update its other columns.

    Every row must give every column of the table.
    """
    if not rows:
        return
    changed = [column.name for column in table.columns if column.name not in key]
    backend = connection.dialect.name
    if backend == "sqlite":
        connection.execute(_sqlite(table, key, changed), list(rows))
    elif backend == "postgresql":
        connection.execute(_postgresql(table, key, changed), list(rows))
    elif backend in ("mysql", "mariadb"):
        connection.execute(_mysql(table, changed), list(rows))
    else:
        _update_then_insert(connection, table, rows, key, changed)


def _sqlite(table: Table, key: Sequence[str], changed: Sequence[str]) -> Executable:
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    statement = sqlite_insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(key), set_={name: statement.excluded[name] for name in changed}
    )


def _postgresql(table: Table, key: Sequence[str], changed: Sequence[str]) -> Executable:
    from sqlalchemy.dialects.postgresql import insert as postgresql_insert

    statement = postgresql_insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(key), set_={name: statement.excluded[name] for name in changed}
    )


def _mysql(table: Table, changed: Sequence[str]) -> Executable:
    from sqlalchemy.dialects.mysql import insert as mysql_insert

    statement = mysql_insert(table)
    return statement.on_duplicate_key_update({name: statement.inserted[name] for name in changed})


def _update_then_insert(
    connection: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    key: Sequence[str],
    changed: Sequence[str],
) -> None:
    """The portable fallback for other databases: one UPDATE per row, INSERT where none matched."""
    for row in rows:
        where = and_(*(table.c[name] == row[name] for name in key))
        result = connection.execute(
            update(table).where(where).values({name: row[name] for name in changed})
        )
        if result.rowcount == 0:
            connection.execute(insert(table).values(dict(row)))
