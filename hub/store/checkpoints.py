"""Source task checkpoints: the queries behind ``Store.save_checkpoint`` and friends.

A checkpoint is one JSON document per (pipeline, source connector, task), written only after
the records it covers are durable in the log. Its shape belongs to the runtime.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, delete, select

from hub.store.tables import source_checkpoints as t
from hub.store.upsert import upsert

_KEY = ("pipeline", "connector", "task")


def save(
    connection: Connection,
    pipeline: str,
    connector: str,
    task: int,
    checkpoint: dict[str, Any],
    now_ms: int,
) -> None:
    row = {
        "pipeline": pipeline,
        "connector": connector,
        "task": task,
        "checkpoint": orjson.dumps(checkpoint).decode(),
        "updated_ms": now_ms,
    }
    upsert(connection, t, [row], _KEY)


def load(connection: Connection, pipeline: str, connector: str) -> dict[int, dict[str, Any]]:
    """Every task's checkpoint of the connector, by task number."""
    query = select(t.c.task, t.c.checkpoint).where(
        t.c.pipeline == pipeline, t.c.connector == connector
    )
    return {row.task: orjson.loads(row.checkpoint) for row in connection.execute(query)}


def forget(connection: Connection, pipeline: str, connector: str | None) -> int:
    query = delete(t).where(t.c.pipeline == pipeline)
    if connector is not None:
        query = query.where(t.c.connector == connector)
    return connection.execute(query).rowcount
