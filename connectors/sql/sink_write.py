"""Writing one batch into its table: rows by COPY or executemany, tombstones as deletes, in order.

A batch is cut into runs of values and runs of tombstones, applied in the order they came, so
that "write k, delete k, write k" ends with the row present. An upsert run keeps only the last
record of each key (one statement may not touch a row twice). PostgreSQL takes rows through
``copy`` (no Python object per row); other databases through SQLAlchemy's ``insert()`` (or the
dialect's upsert) executed with many parameter sets, ``insert_batch_rows`` rows per call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from connectors.sql import copy
from connectors.sql import sink_values as values
from connectors.sql.offsets import upsert
from connectors.sql.sink_config import SinkConfig
from connectors.sql.sink_tables import Target
from hub.sdk import SinkBatch

if TYPE_CHECKING:
    from sqlalchemy import Connection


def write_batch(
    connection: Connection,
    target: Target,
    batch: SinkBatch,
    settings: SinkConfig,
    stages: copy.Stages,
) -> None:
    """Apply ``batch`` to ``target`` on the open transaction (the caller holds a savepoint)."""
    table: pa.Table | None = None
    for is_delete, start, end in values.runs(batch.values, settings.delete_on_tombstone):
        if is_delete:
            delete_rows(connection, target, batch.keys[start:end], settings.key_columns)
            continue
        if table is None:
            rows = [r for r in batch.records if r is not None] if _has_nested(batch) else []
            table = values.exact_json(batch.table, rows, target.families) if rows else batch.table
        write_rows(connection, target, table.slice(start, end - start), settings, stages)


def _has_nested(batch: SinkBatch) -> bool:
    return any(values.is_nested(field.type) for field in batch.table.schema)


def write_rows(
    connection: Connection,
    target: Target,
    table: pa.Table,
    settings: SinkConfig,
    stages: copy.Stages,
) -> None:
    keys = settings.key_columns
    upserting = settings.mode == "upsert"
    names = [name for name in table.column_names if name in target.families]
    if (
        upserting
    ):  # the row becomes the record: fields the schema knows but the batch lacks are null
        for name in target.schema_columns:
            if name not in names:
                table = table.append_column(name, pa.nulls(table.num_rows))
                names.append(name)
    if not names or not table.num_rows:
        return
    table = table.select(names)
    if upserting:
        table = values.last_per_key(table, keys)
    if connection.dialect.name == "postgresql" and settings.copy:
        if upserting:
            copy.copy_upsert(connection, stages, target.table, names, keys, table, target.families)
        else:
            payload = copy.Payload(table, target.table, target.families)
            copy.copy_into(connection, target.table, names, payload)
        return
    _execute_many(connection, target, table, names, settings)


def _execute_many(
    connection: Connection, target: Target, table: pa.Table, names: list[str], settings: SinkConfig
) -> None:
    import sqlalchemy as sa

    dialect = connection.dialect.name
    if settings.mode == "upsert":
        changed = [name for name in names if name not in settings.key_columns]
        statement: Any = upsert(dialect, target.table, settings.key_columns, changed)
    else:
        statement = sa.insert(target.table)
    columns = [
        values.python_values(table.column(name), target.families[name], dialect) for name in names
    ]
    step = settings.insert_batch_rows
    for start in range(0, table.num_rows, step):
        chunk = [column[start : start + step] for column in columns]
        connection.execute(
            statement, [dict(zip(names, row, strict=True)) for row in zip(*chunk, strict=True)]
        )


def delete_rows(
    connection: Connection, target: Target, keys: Sequence[bytes | None], columns: Sequence[str]
) -> None:
    """Delete the rows whose key columns equal each tombstone's key."""
    import sqlalchemy as sa

    table = target.table
    rows = values.key_rows(keys, columns, target.families)
    params = [f"k{i}" for i in range(len(columns))]
    where = sa.and_(
        *(
            table.c[name] == sa.bindparam(param, type_=table.c[name].type)
            for name, param in zip(columns, params, strict=True)
        )
    )
    connection.execute(
        sa.delete(table).where(where),
        [{p: row[name] for name, p in zip(columns, params, strict=True)} for row in rows],
    )
