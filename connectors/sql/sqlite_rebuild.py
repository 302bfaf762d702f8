"""Dropping NOT NULL on SQLite, which has no ``ALTER COLUMN``: the table is rebuilt.

SQLite's documented way to change a column (https://sqlite.org/lang_altertable.html, "making
other kinds of table schema changes"): create the table anew as it should be, copy the rows,
drop the old table, rename the new one, create the indexes again. The sink runs it inside its
write transaction (SQLite's DDL is transactional), so the new table, the batch's rows and the
sink's offsets commit together or not at all.

Only plain tables are rebuilt: columns, primary key, unique and check constraints, defaults and
indexes (partial ones too), all of which SQLAlchemy reflects and creates again. A table with
something reflection would lose or a rebuild would break (triggers, views, foreign keys in or
out, ``WITHOUT ROWID``, ``STRICT``, ``AUTOINCREMENT``, generated columns, collations, indexes on
expressions) is left as it is: ``rebuild_reason`` says why, and null values are then refused
row by row, as the database would.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from connectors.sql import ddl

if TYPE_CHECKING:
    from sqlalchemy import Connection, Table

_LOST_BY_REFLECTION = re.compile(
    r"\b(WITHOUT\s+ROWID|STRICT|AUTOINCREMENT|GENERATED|COLLATE|REFERENCES)\b|\bAS\s*\(",
    re.IGNORECASE,
)
"""Words of a CREATE TABLE whose meaning a reflected copy of the table would drop."""


def rebuild_reason(connection: Connection, name: str, schema: str | None) -> str | None:
    """Why table ``name`` cannot be rebuilt without losing something, or ``None``."""
    import sqlalchemy as sa

    master = sa.table(
        "sqlite_master",
        sa.column("type"),
        sa.column("name"),
        sa.column("tbl_name"),
        sa.column("sql"),
        schema=schema,
    )
    entries = connection.execute(sa.select(master)).all()
    own = name.lower()
    spellings = {own, own.replace('"', '""'), own.replace("`", "``"), own.replace("]", "]]")}
    indexes = set()
    for kind, item, table, sql in entries:
        text = (sql or "").lower()
        names_it = any(spelling in text for spelling in spellings)  # a false alarm: no rebuild
        if kind == "table" and item.lower() == own:
            found = _LOST_BY_REFLECTION.search(text)
            if found:
                return f"its definition uses {' '.join(found.group(0).upper().split())}"
        elif kind == "index" and table.lower() == own and sql:
            indexes.add(item)
        elif kind == "trigger" and table.lower() == own:
            return f"trigger {item!r} is defined on it"
        elif kind == "view" and names_it:
            return f"view {item!r} may read it"
        elif kind == "table" and names_it and "references" in text:
            return f"table {item!r} may refer to it"
    found = _quietly(sa.inspect(connection).get_indexes, name, schema=schema)
    reflected = {index["name"] for index in found}
    if indexes - reflected:
        return f"index {sorted(indexes - reflected)[0]!r} is on an expression"
    return None


def drop_not_null(
    connection: Connection, name: str, schema: str | None, columns: Collection[str]
) -> None:
    """Rebuild table ``name`` with ``columns`` nullable. Call in a transaction, after
    ``rebuild_reason`` found nothing in the way."""
    import sqlalchemy as sa
    from sqlalchemy.schema import CreateIndex, CreateTable, DropTable

    old = _reflect(connection, name, schema)
    new = old.to_metadata(sa.MetaData(), name=f"{name}__hub_rebuild")
    indexes = list(new.indexes)  # their names are taken until the old table is dropped
    new.indexes.clear()
    for column in columns:
        new.c[column].nullable = True
    ddl.run(connection, CreateTable(new))
    names = [column.name for column in old.columns]
    connection.execute(sa.insert(new).from_select(names, sa.select(*old.columns)))
    ddl.run(connection, DropTable(old))
    ddl.run(connection, ddl.rename_table(new, name))
    rebuilt = _reflect(connection, name, schema)
    for index in indexes:
        on: list[Any] = [rebuilt.c[column.name] for column in index.columns]
        again = sa.Index(index.name, *on, unique=index.unique, **index.dialect_kwargs)
        ddl.run(connection, CreateIndex(again))


def _reflect(connection: Connection, name: str, schema: str | None) -> Table:
    import sqlalchemy as sa

    return _quietly(sa.Table, name, sa.MetaData(), schema=schema, autoload_with=connection)


def _quietly(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Reflection without SQLAlchemy's warning about indexes on expressions (which
    ``rebuild_reason`` reports as the reason not to rebuild)."""
    import sqlalchemy as sa

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        return function(*args, **kwargs)
