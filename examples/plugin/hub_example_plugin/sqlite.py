"""A sink that is exactly-once: it stores its offsets in the same transaction as its rows."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any, ClassVar

from hub.sdk import Sink, SinkBatch, SinkContext


class SqliteSink(Sink):
    """Writes records as JSON rows into a SQLite table, exactly once."""

    type = "sqlite"
    batch_format = "json"  # we store the raw JSON values: no decoding at all
    exactly_once = True  # offsets commit with the rows; see committed_offsets
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "path": {"type": "string", "minLength": 1, "description": "the database file"},
            "table": {"type": "string", "pattern": "^[A-Za-z_]\\w*$", "default": "records"},
        },
        "required": ["path"],
        "additionalProperties": False,
    }

    def open(self, config: Mapping[str, Any], context: SinkContext) -> None:
        super().open(config, context)
        self.table = config["table"]
        self.db = sqlite3.connect(config["path"])
        with self.db:
            self.db.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} (topic TEXT, log_partition INTEGER,"
                " log_offset INTEGER, key BLOB, value TEXT,"
                " PRIMARY KEY (topic, log_partition, log_offset))"
            )
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS hub_offsets (consumer TEXT, topic TEXT,"
                " log_partition INTEGER, next_offset INTEGER,"
                " PRIMARY KEY (consumer, topic, log_partition))"
            )

    def write(self, batch: SinkBatch) -> None:
        # sqlite3 opens a transaction before the first INSERT; it stays open until flush.
        rows = [
            (batch.topic, batch.partition, offset, key, None if value is None else value.decode())
            for offset, key, value in zip(batch.offsets, batch.keys, batch.values, strict=True)
        ]
        self.db.executemany(f"INSERT INTO {self.table} VALUES (?, ?, ?, ?, ?)", rows)
        self.db.execute(
            "INSERT INTO hub_offsets VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE"
            " SET next_offset = excluded.next_offset",
            (self.context.group, batch.topic, batch.partition, batch.next_offset),
        )

    def flush(self) -> None:
        self.db.commit()  # rows and offsets become durable together, or not at all

    def committed_offsets(self) -> dict[tuple[str, int], int]:
        rows = self.db.execute(
            "SELECT topic, log_partition, next_offset FROM hub_offsets WHERE consumer = ?",
            (self.context.group,),
        )
        return {(topic, partition): offset for topic, partition, offset in rows}

    def close(self) -> None:
        self.db.close()  # anything not flushed is rolled back
