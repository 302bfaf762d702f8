"""Consumer group offsets: the queries behind ``Store.commit_offsets`` and friends.

An offset here has Kafka's meaning: the offset of the next record the group will consume, one
past the last record it has processed.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection, delete, select

from hub.store.tables import group_offsets as t
from hub.store.upsert import upsert

_KEY = ("group_id", "topic", "partition_id")


def commit(
    connection: Connection,
    group: str,
    offsets: Mapping[tuple[str, int], int],
    metadata: str | None,
    now_ms: int,
) -> None:
    rows = [
        {
            "group_id": group,
            "topic": topic,
            "partition_id": partition,
            "next_offset": offset,
            "metadata": metadata,
            "committed_ms": now_ms,
        }
        for (topic, partition), offset in offsets.items()
    ]
    upsert(connection, t, rows, _KEY)


def committed(connection: Connection, group: str, topic: str | None) -> dict[tuple[str, int], int]:
    query = select(t.c.topic, t.c.partition_id, t.c.next_offset).where(t.c.group_id == group)
    if topic is not None:
        query = query.where(t.c.topic == topic)
    query = query.order_by(t.c.topic, t.c.partition_id)
    return {(row.topic, row.partition_id): row.next_offset for row in connection.execute(query)}


def groups(connection: Connection) -> list[str]:
    query = select(t.c.group_id).distinct().order_by(t.c.group_id)
    return list(connection.execute(query).scalars())


def delete_group(connection: Connection, group: str) -> int:
    return connection.execute(delete(t).where(t.c.group_id == group)).rowcount


def delete_topic(connection: Connection, topic: str) -> int:
    return connection.execute(delete(t).where(t.c.topic == topic)).rowcount
