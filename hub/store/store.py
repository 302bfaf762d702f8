"""``Store``: the hub's metadata on SQLAlchemy, one object per process.

Today it holds consumer group offsets; source offsets, pipeline configs, task status and the
schema registry join it later, each as a module of queries (like ``offsets.py``) and a few
methods here. Every database error leaves as a ``StoreError`` that names the store (without its
password) and says what to do.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Engine

from hub.store import checkpoints
from hub.store import engine as engines
from hub.store import offsets as group_offsets
from hub.store.schema import ensure_schema

_MAX_OFFSET = 1 << 63  # offsets are signed 64-bit, as in Kafka


class Store:
    """The metadata store. Thread-safe; several processes may share one store.

    Open it with ``Store.open``; the default is the SQLite file ``store.db`` in the data
    directory, and any SQLAlchemy URL (``postgresql+psycopg://...``) selects a shared database.
    """

    def __init__(self, engine: Engine, schema_version: int) -> None:
        """Use ``Store.open``: it creates the engine and the tables."""
        self._engine = engine
        self.schema_version = schema_version

    @classmethod
    def open(cls, url: str | None, data_dir: Path | None = None) -> Store:
        """Connect to ``url`` (or ``data_dir/store.db``), creating or migrating the tables.

        Raises ``StoreError`` if the database cannot be reached or its schema is too new.
        """
        engine = engines.create(url, data_dir)
        try:
            with engines.translate_errors(engine.url, "open the store"):
                version = ensure_schema(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, version)

    @property
    def url(self) -> str:
        """The store's URL, password hidden: safe to log and show."""
        return engines.safe_url(self._engine.url)

    @property
    def engine(self) -> Engine:
        return self._engine

    # -- consumer group offsets ----------------------------------------------------------------
    def commit_offsets(
        self,
        group: str,
        offsets: Mapping[tuple[str, int], int],
        metadata: str | None = None,
    ) -> None:
        """Set the group's offsets, ``{(topic, partition): next offset to read}``, atomically."""
        for (topic, partition), offset in offsets.items():
            if not 0 <= offset < _MAX_OFFSET:
                raise ValueError(f"offset {offset} for {topic}-{partition} is not a log offset")
        if not offsets:
            return
        now_ms = time.time_ns() // 1_000_000
        with (
            engines.translate_errors(self._engine.url, f"commit offsets of group {group!r}"),
            engines.begin_write(self._engine) as connection,
        ):
            group_offsets.commit(connection, group, offsets, metadata, now_ms)

    def committed_offsets(self, group: str, topic: str | None = None) -> dict[tuple[str, int], int]:
        """The group's committed offsets (of one topic if given); empty for an unknown group."""
        with (
            engines.translate_errors(self._engine.url, f"read offsets of group {group!r}"),
            self._engine.connect() as connection,
        ):
            return group_offsets.committed(connection, group, topic)

    def list_groups(self) -> list[str]:
        """Groups that have committed offsets, sorted."""
        with (
            engines.translate_errors(self._engine.url, "list consumer groups"),
            self._engine.connect() as connection,
        ):
            return group_offsets.groups(connection)

    def delete_group(self, group: str) -> int:
        """Forget the group's offsets; return how many were deleted (0: no such group)."""
        with (
            engines.translate_errors(self._engine.url, f"delete group {group!r}"),
            engines.begin_write(self._engine) as connection,
        ):
            return group_offsets.delete_group(connection, group)

    def delete_topic_offsets(self, topic: str) -> int:
        """Forget every group's offsets for ``topic`` (it was deleted); return how many."""
        with (
            engines.translate_errors(self._engine.url, f"delete offsets of topic {topic!r}"),
            engines.begin_write(self._engine) as connection,
        ):
            return group_offsets.delete_topic(connection, topic)

    # -- source checkpoints --------------------------------------------------------------------
    def save_checkpoint(
        self, pipeline: str, connector: str, task: int, checkpoint: dict[str, Any]
    ) -> None:
        """Replace the source task's checkpoint (a JSON-serializable document)."""
        now_ms = time.time_ns() // 1_000_000
        with (
            engines.translate_errors(self._engine.url, f"checkpoint source {connector!r}"),
            engines.begin_write(self._engine) as connection,
        ):
            checkpoints.save(connection, pipeline, connector, task, checkpoint, now_ms)

    def load_checkpoints(self, pipeline: str, connector: str) -> dict[int, dict[str, Any]]:
        """Every task's checkpoint of a source connector, by task number (empty: first run)."""
        with (
            engines.translate_errors(self._engine.url, f"read checkpoints of {connector!r}"),
            self._engine.connect() as connection,
        ):
            return checkpoints.load(connection, pipeline, connector)

    def forget_checkpoints(self, pipeline: str, connector: str | None = None) -> int:
        """Drop a pipeline's (or one source's) checkpoints: the next run starts over."""
        with (
            engines.translate_errors(self._engine.url, f"reset checkpoints of {pipeline!r}"),
            engines.begin_write(self._engine) as connection,
        ):
            return checkpoints.forget(connection, pipeline, connector)

    # -- lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:
        """Close every pooled connection. Idempotent."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"
