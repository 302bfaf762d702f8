"""The sink's offsets table in the target database: what makes the sink exactly-once.

One row per (consumer group, topic, partition) holds the next offset to deliver. The sink writes
it in the same transaction as the rows it covers, so after a crash at any moment the table and
the rows agree, and the runtime resumes from it (``Sink.committed_offsets``). The table belongs
to the hub; several sinks and tasks share it, each with its own group's rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Connection, Table

TopicPartition = tuple[str, int]


def offsets_table(name: str, schema: str | None) -> Table:
    import sqlalchemy as sa
    from sqlalchemy.sql.elements import quoted_name

    def q(text: str) -> Any:
        return quoted_name(text, True)

    return sa.Table(
        q(name),
        sa.MetaData(),
        sa.Column(q("connector_group"), sa.String(255), primary_key=True),
        sa.Column(q("topic"), sa.String(255), primary_key=True),
        sa.Column(q("partition"), sa.Integer, primary_key=True, autoincrement=False),
        sa.Column(q("next_offset"), sa.BigInteger, nullable=False),
        schema=None if schema is None else q(schema),
    )


def ensure(connection: Connection, table: Table) -> None:
    """Create the table unless it exists (another task may be creating it at the same time)."""
    import sqlalchemy as sa

    if sa.inspect(connection).has_table(table.name, schema=table.schema):
        return
    from sqlalchemy.schema import CreateTable

    from connectors.sql import ddl

    try:
        ddl.run(connection, CreateTable(table))
    except sa.exc.DatabaseError:
        if not sa.inspect(connection).has_table(table.name, schema=table.schema):
            raise


def read(connection: Connection, table: Table, group: str) -> dict[TopicPartition, int]:
    """Every partition's next offset for ``group``."""
    import sqlalchemy as sa

    c = table.c
    rows = connection.execute(
        sa.select(c.topic, c.partition, c.next_offset).where(c.connector_group == group)
    )
    return {(topic, partition): offset for topic, partition, offset in rows}


def write(
    connection: Connection, table: Table, group: str, offsets: Mapping[TopicPartition, int]
) -> None:
    """Set each partition's next offset: one upsert statement in the dialect's own form."""
    if not offsets:
        return
    rows = [
        {"connector_group": group, "topic": topic, "partition": partition, "next_offset": offset}
        for (topic, partition), offset in offsets.items()
    ]
    keys = [c.name for c in table.primary_key.columns]
    connection.execute(upsert(connection.dialect.name, table, keys, ["next_offset"]), rows)


def upsert(
    dialect: str,
    table: Table,
    keys: Sequence[str],
    changed: Sequence[str],
    source: tuple[Sequence[Any], Any] | None = None,
) -> Any:
    """INSERT ... ON CONFLICT (keys) DO UPDATE / ON DUPLICATE KEY UPDATE the ``changed``
    columns, of parameters (executemany) or of ``source``: (columns, SELECT)."""
    keys, changed = list(keys), list(changed)
    if dialect in ("mysql", "mariadb"):
        from sqlalchemy.dialects.mysql import insert as mysql_insert

        mine = mysql_insert(table)
        if source is not None:
            mine = mine.from_select(*source)
        if not changed:  # nothing to update: keep the row as it is
            changed = keys[:1]
        return mine.on_duplicate_key_update({name: mine.inserted[name] for name in changed})
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        statement: Any = postgresql_insert(table)
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        statement = sqlite_insert(table)
    else:
        raise NotImplementedError(f"upsert on {dialect}")
    if source is not None:
        statement = statement.from_select(*source)
    if not changed:
        return statement.on_conflict_do_nothing(index_elements=keys)
    return statement.on_conflict_do_update(
        index_elements=keys, set_={name: statement.excluded[name] for name in changed}
    )
