"""The ``sql`` sink: records into tables of PostgreSQL, MariaDB/MySQL or SQLite, exactly once.

**One transaction per flush.** ``write`` applies each batch inside the open transaction, in a
SAVEPOINT of its own; ``flush`` upserts the offsets table (``offsets``) in the same transaction and
COMMITs. Rows and offsets become durable together or not at all, so a process killed at any
moment resumes (``committed_offsets``) right after the last commit: every record lands once.

**Bad records.** A batch the database refuses (constraint, NOT NULL, value too long, bad input)
is rolled back to its savepoint and raised as ``RecordError`` with the database's message; the
runtime halves it until the records at fault are alone and dead-letters them, and the rest of the
transaction commits. The offsets committed cover every batch handed to ``write``, dead letters
included.

**Lost connections.** A dropped connection, a server restart, a deadlock victim: the transaction
is gone, so ``RetriableError`` is raised and the connection dropped. The batches applied since
the last commit are kept in memory (the runtime flushes every ``batch.max_records`` /
``max_bytes``, which bounds them); the retried call reconnects, reads the committed offsets, and
replays those batches first. Reading the offsets also settles a COMMIT whose answer was lost: if
it went through, the offsets say so and nothing is replayed twice.

**Writing.** PostgreSQL takes rows through COPY, with no Python object per row: inserts into a
table already checked are streamed chunk by chunk in binary (``sink_stream``), everything else
goes through ``copy`` (binary or CSV; upserts via a staging table). MariaDB/MySQL and SQLite
take SQLAlchemy ``insert()`` or the dialect's upsert, executed with many rows per call
(``sink_write``). Tombstones delete the row of their key when asked (``sink_values``).

**DDL.** Tables are created and evolved by ``sink_tables``. PostgreSQL and SQLite run DDL inside
the transaction; MariaDB/MySQL commit implicitly on DDL, so the sink first commits the batches
applied so far, with their offsets, and then runs it.
"""

from __future__ import annotations

import weakref
from bisect import bisect_left
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from connectors.sql import offsets
from connectors.sql.copy import Stages
from connectors.sql.engine import (
    WRITE,
    create_engine,
    database_message,
    is_database_error,
    safe_url,
    translate,
)
from connectors.sql.sink_config import SinkConfig
from connectors.sql.sink_stream import Fallback, stream_insert
from connectors.sql.sink_tables import Tables, Target
from connectors.sql.sink_write import write_batch
from hub.arrow.value_array import present_values
from hub.errors import ConnectorError, FatalError, RecordError
from hub.sdk import Sink, SinkBatch, SinkContext

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

T = TypeVar("T")
TopicPartition = tuple[str, int]


class _Link:
    """The sink's connection, shared with the finalizer that closes it when a sink is dropped
    without ``close`` (as a killed process would close its sockets)."""

    def __init__(self) -> None:
        self.connection: Connection | None = None

    def drop(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            try:
                connection.invalidate()  # the server rolls the transaction back
                connection.close()
            except Exception:  # already gone
                pass

    @staticmethod
    def release(link: _Link, engine: Engine) -> None:
        link.drop()
        engine.dispose()


class SqlSink(Sink):
    """Writes records into SQL tables (PostgreSQL, MariaDB/MySQL, SQLite), exactly once."""

    type = "sql"
    config_schema = "sql-sink.schema.json"
    batch_format = "arrow"
    exactly_once = True

    _finalizer: weakref.finalize[Any, Any]

    def open(self, config: Mapping[str, Any], context: SinkContext) -> None:
        super().open(config, context)
        if hasattr(self, "_finalizer"):  # open is being retried
            self._finalizer()
        self.settings = settings = SinkConfig.from_mapping(config)
        self.engine = create_engine(settings.url)
        self.where = f"sql sink {context.connector!r} ({safe_url(self.engine.url)})"
        self._tables = Tables(settings, self.where, context.logger)
        self._stages = Stages()
        self._offsets = offsets.offsets_table(settings.offsets_table, settings.schema)
        self._link = _Link()
        self._finalizer = weakref.finalize(self, _Link.release, self._link, self.engine)
        self._pending: list[SinkBatch] = []
        """Batches applied in the open transaction: replayed after a reconnect."""
        self._handed: dict[TopicPartition, int] = {}
        """The next offset after every batch handed to ``write``: what a flush commits."""
        self._written: dict[TopicPartition, int] = {}
        self._committed: dict[TopicPartition, int] = {}
        self._run("connect", lambda connection: None, begin=False)

    def committed_offsets(self) -> dict[tuple[str, int], int]:
        return dict(self._committed)

    def write(self, batch: SinkBatch) -> None:
        if not len(batch):
            return
        tp = (batch.topic, batch.partition)
        self._handed[tp] = max(self._handed.get(tp, 0), batch.next_offset)
        done = self._written.get(tp)
        if done is not None and batch.offsets[0] < done:  # written already (a redelivery)
            start = bisect_left(batch.offsets, done)
            if start >= len(batch):
                return
            batch = batch.slice(start, len(batch))
        self._run("write", lambda connection: self._apply(connection, batch))
        self._pending.append(batch)
        self._written[tp] = batch.next_offset

    def flush(self) -> None:
        connection = self._link.connection
        idle = connection is None or not connection.in_transaction()
        moved = any(self._committed.get(tp) != o for tp, o in self._handed.items())
        if idle and not self._pending and not moved:
            return  # nothing written since the last commit
        self._run("commit", lambda connection: self._commit(connection, self._handed))

    def close(self) -> None:
        """Work not flushed is rolled back: the runtime delivers it again."""
        self._finalizer()

    # -- the transaction -----------------------------------------------------------------------
    def _run(self, action: str, step: Callable[[Connection], T], *, begin: bool = True) -> T:
        """``step`` on the open transaction; database errors by family (see the module doc)."""
        try:
            return step(self._session(begin=begin))
        except RecordError:
            raise  # the batch's savepoint was rolled back: the transaction goes on
        except ConnectorError:
            self._link.drop()
            raise
        except Exception as exc:
            self._link.drop()
            if not is_database_error(exc):
                raise
            error = translate(exc, f"{action} (sink {self.context.connector!r})", self.engine.url)
            if isinstance(error, RecordError):  # outside a savepoint: nothing to isolate
                error = FatalError(str(error))
            raise error from exc

    def _session(self, *, begin: bool = True) -> Connection:
        """The connection, with a transaction open if ``begin``; a new one after a loss, with the
        batches of the lost transaction replayed."""
        connection = self._link.connection
        if connection is None:
            self._tables.forget()
            self._stages.forget()
            connection = self.engine.connect()
            self._link.connection = connection
            connection.execution_options(**{WRITE: True})
            with connection.begin():
                _session_settings(connection)
                offsets.ensure(connection, self._offsets)
                self._committed = offsets.read(connection, self._offsets, self.context.group)
            if self._pending:
                connection.begin()
                self._replay(connection)
        if begin and not connection.in_transaction():
            connection.begin()
        return connection

    def _replay(self, connection: Connection) -> None:
        lost, self._pending = self._pending, []
        for batch in lost:
            committed = self._committed.get((batch.topic, batch.partition))
            if committed is not None and batch.offsets[0] < committed:  # the COMMIT went through
                start = bisect_left(batch.offsets, committed)
                if start >= len(batch):
                    continue
                batch = batch.slice(start, len(batch))
            try:
                self._apply(connection, batch)
            except RecordError as exc:
                raise FatalError(
                    f"{self.where}: replaying the transaction lost with the connection, a batch "
                    f"written before was refused this time: {exc}"
                ) from exc
            self._pending.append(batch)

    def _apply(self, connection: Connection, batch: SinkBatch) -> None:
        """Write ``batch`` in a savepoint of its own: streamed when it can, else the regular way."""
        settings = self.settings
        streams = (
            connection.dialect.name == "postgresql"
            and settings.copy
            and settings.mode == "insert"
            and (None not in batch.values or not settings.delete_on_tombstone)
        )
        known = self._tables.ready(batch) if streams else None
        if known is not None:
            rows = present_values(batch.values)
            try:
                if rows:
                    self._guarded(
                        connection, batch, known, lambda: stream_insert(connection, known, rows)
                    )
                return
            except Fallback:
                pass
        target = self._tables.target(connection, batch, lambda: self._before_ddl(connection))
        if target is not None:
            writing = target
            self._guarded(
                connection,
                batch,
                target,
                lambda: write_batch(connection, writing, batch, settings, self._stages),
            )

    def _guarded(
        self, connection: Connection, batch: SinkBatch, target: Target, write: Callable[[], None]
    ) -> None:
        """``write`` in a savepoint; what the database refuses is rolled back as a
        ``RecordError`` naming the batch's offsets and the database's message."""
        savepoint = connection.begin_nested()
        try:
            write()
        except Fallback:
            savepoint.rollback()
            raise
        except Exception as exc:
            if not isinstance(exc, RecordError):
                if not is_database_error(exc):
                    raise
                error = translate(exc, "write", self.engine.url)
                if not isinstance(error, RecordError):
                    raise
            savepoint.rollback()
            self._stages.forget()
            first, last = batch.offsets[0], batch.offsets[-1]
            where = f"offset {first}" if first == last else f"offsets {first}..{last}"
            raise RecordError(
                f"{self.where}: table {str(target.table.name)!r} refused {batch.topic}-"
                f"{batch.partition} {where}: {database_message(exc, self.engine.url)}"
            ) from exc
        savepoint.commit()

    def _before_ddl(self, connection: Connection) -> None:
        """MariaDB/MySQL commit the open transaction on DDL: commit it ourselves first, with the
        offsets of what it holds (a batch being bisected is not in it)."""
        if connection.dialect.name not in ("mysql", "mariadb") or not self._pending:
            return
        done: dict[TopicPartition, int] = {}
        for batch in self._pending:
            tp = (batch.topic, batch.partition)
            done[tp] = max(done.get(tp, 0), batch.next_offset)
        self._commit(connection, done)
        connection.begin()

    def _commit(self, connection: Connection, reached: Mapping[TopicPartition, int]) -> None:
        self.context.before_commit()  # the records set aside are dead letters on disk first
        changed = {tp: o for tp, o in reached.items() if self._committed.get(tp) != o}
        offsets.write(connection, self._offsets, self.context.group, changed)
        connection.commit()
        self._committed.update(changed)
        self._pending.clear()
        self._stages.forget()


def _session_settings(connection: Connection) -> None:
    """UTC for timestamps without an offset, whatever the server's default."""
    name = connection.dialect.name
    if name == "postgresql":
        connection.exec_driver_sql("SET TIME ZONE 'UTC'")
    elif name in ("mysql", "mariadb"):
        connection.exec_driver_sql("SET time_zone = '+00:00'")
