"""The ``sql`` sink run by the runtime: exactly once through crashes, lost connections and lost
COMMIT answers; refused rows dead-lettered with the database's message; registry schemas."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import orjson
import pytest
import sqlalchemy as sa

import hub.testing.memory
from connectors.sql.sink import SqlSink
from hub import hookimpl
from hub.errors import FatalError
from hub.log import LocalLog, TopicConfig
from hub.pipeline.runtime import RunResult, Runtime
from hub.pipeline.spec import (
    BatchPolicy,
    ErrorPolicy,
    PipelineSpec,
    SinkSpec,
    SourceSpec,
    TopicSchema,
)
from hub.plugins import Registry
from hub.sdk import Sink, SinkBatch
from hub.store import Store
from hub.testing import plugin_registry
from tests.connectors.sql.conftest import Database

ROWS = 3000


class Faulty(SqlSink):
    """The sql sink with faults injected before chosen calls: ``(call, number) -> fault``."""

    type = "sql_faulty"
    faults: ClassVar[dict[tuple[str, int], str]] = {}
    database: ClassVar[Database | None] = None

    def open(self, config: Any, context: Any) -> None:
        self.calls = {"write": 0, "flush": 0}
        super().open(config, context)
        real_commit = self.engine.dialect.do_commit
        dbapi = self.engine.dialect.loaded_dbapi

        def do_commit(dbapi_connection: Any) -> None:
            real_commit(dbapi_connection)
            if self.faults.get(("flush", self.calls["flush"])) == "lose-commit-answer":
                self.faults.pop(("flush", self.calls["flush"]))
                raise dbapi.OperationalError("disk I/O error: the answer to COMMIT was lost")

        self.engine.dialect.do_commit = do_commit  # type: ignore[method-assign]

    def write(self, batch: SinkBatch) -> None:
        self._fault("write")
        super().write(batch)

    def flush(self) -> None:
        self._fault("flush")
        super().flush()

    def _fault(self, call: str) -> None:
        self.calls[call] += 1
        fault = self.faults.get((call, self.calls[call]))
        if fault == "crash":
            raise FatalError(f"injected crash before {call} #{self.calls[call]}")
        if fault == "drop-connection":
            assert self.database is not None
            kill_connections(self.database)


class _Plugins:
    @hookimpl
    def hub_sinks(self) -> list[type[Sink]]:
        return [SqlSink, Faulty]


@pytest.fixture
def plugins() -> Iterator[Registry]:
    yield plugin_registry(hub.testing.memory, _Plugins())
    Faulty.faults = {}
    Faulty.database = None


def kill_connections(database: Database) -> None:
    """Terminate every other session on the scratch database, as a server restart would."""
    engine = database.engine(isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if database.backend == "postgresql":
                connection.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": sa.make_url(database.url).query["application_name"]},
                )
            else:
                ids = connection.execute(
                    sa.text(
                        "SELECT id FROM information_schema.processlist "
                        "WHERE db = DATABASE() AND id <> CONNECTION_ID()"
                    )
                ).scalars()
                for session in list(ids):
                    connection.execute(sa.text(f"KILL {int(session)}"))
    finally:
        engine.dispose()


@pytest.fixture
def server(database: Database) -> Database:
    """A database with sessions to kill: PostgreSQL sessions are told apart by name."""
    if database.backend == "sqlite":
        pytest.skip("SQLite has no server connection to lose")
    if database.backend == "postgresql":
        url = sa.make_url(database.url).update_query_dict({"application_name": "hub_sql_sink"})
        return Database(database.backend, url.render_as_string(hide_password=False))
    return database


def rows(count: int) -> list[dict[str, Any]]:
    return [{"id": i, "name": f"row {i}", "amount": i / 4} for i in range(count)]


def spec(
    database: Database,
    records: list[dict[str, Any]],
    *,
    sink_type: str = "sql",
    sink_config: dict[str, Any] | None = None,
    partitions: int = 2,
    dead_letters: bool = False,
    schemas: dict[str, TopicSchema] | None = None,
    source_format: str = "records",
) -> PipelineSpec:
    source = SourceSpec(
        name="mem",
        type="memory",
        topic="t",
        key="id",
        config={"records": records, "batch_size": 250, "format": source_format},
    )
    errors = ErrorPolicy(retry_timeout_ms=60_000, max_backoff_ms=200)
    if dead_letters:
        errors = ErrorPolicy("all", "t.dlq", retry_timeout_ms=60_000, max_backoff_ms=200)
    sink = SinkSpec(
        name="db",
        type=sink_type,
        topics=("t",),
        config={"url": database.url, "table": "loaded", **(sink_config or {})},
        errors=errors,
        batch=BatchPolicy(max_records=1000, max_bytes=32 << 10, linger_ms=10_000),
        group="p.db",
    )
    return PipelineSpec(
        name="p",
        path=Path("p.yaml"),
        topics={"t": TopicConfig(partitions=partitions)},
        sources=(source,),
        sinks=(sink,),
        schemas=schemas or {},
    )


def run(data_dir: Path, pipeline: PipelineSpec, plugins: Registry) -> RunResult:
    with LocalLog(data_dir) as log, Store.open(None, data_dir) as store:
        return Runtime([pipeline], log, store, plugins=plugins).run(once=True)


def ids(database: Database, table: str = "loaded") -> tuple[int, int, int]:
    """count(*), count(DISTINCT id), max(id) of ``table``."""
    [found] = database.query(f"SELECT count(*), count(DISTINCT id), max(id) FROM {table}")
    return found[0], found[1], found[2]


def committed(database: Database) -> dict[tuple[str, int], int]:
    partition = database.quote("partition")
    found = database.query(f"SELECT topic, {partition}, next_offset FROM hub_sink_offsets")
    return {(topic, partition): offset for topic, partition, offset in found}


def test_a_run_loads_every_row_once_and_a_rerun_adds_nothing(
    database: Database, plugins: Registry, tmp_path: Path
) -> None:
    pipeline = spec(database, rows(ROWS))
    assert not run(tmp_path, pipeline, plugins).failed
    assert not run(tmp_path, pipeline, plugins).failed

    assert ids(database) == (ROWS, ROWS, ROWS - 1)
    assert sum(committed(database).values()) == ROWS


def test_killed_between_write_and_flush_then_rerun_every_row_lands_once(
    database: Database, plugins: Registry, tmp_path: Path
) -> None:
    Faulty.faults = {("flush", 2): "crash"}  # writes of the 2nd transaction, then "killed"
    first = run(tmp_path, spec(database, rows(ROWS), sink_type="sql_faulty"), plugins)
    assert [s.kind for s in first.failed] == ["sink"]
    loaded = ids(database)[0]
    assert 0 < loaded < ROWS  # the first transaction committed, the second did not
    assert sum(committed(database).values()) == loaded
    with Store.open(None, tmp_path) as store:  # the group's offsets are not what counts
        store.delete_group("p.db")

    assert not run(tmp_path, spec(database, rows(ROWS)), plugins).failed
    assert ids(database) == (ROWS, ROWS, ROWS - 1)


def retries(caplog: pytest.LogCaptureFixture) -> int:
    return sum("retrying" in r.getMessage() for r in caplog.records)


def test_connections_dropped_mid_load_are_retried_and_replayed_exactly_once(
    server: Database, plugins: Registry, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    Faulty.database = server
    Faulty.faults = {
        ("write", 2): "drop-connection",  # inside the first transaction
        ("write", 7): "drop-connection",
        ("flush", 1): "drop-connection",  # the COMMIT itself fails: replayed, then committed
        ("flush", 3): "drop-connection",
    }
    result = run(tmp_path, spec(server, rows(ROWS), sink_type="sql_faulty"), plugins)
    assert not result.failed, [s.error for s in result.failed]
    assert retries(caplog) >= 4
    assert ids(server) == (ROWS, ROWS, ROWS - 1)
    assert sum(committed(server).values()) == ROWS


def test_a_lost_answer_to_commit_is_settled_by_the_offsets_table(
    database: Database, plugins: Registry, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # the COMMIT goes through, then its answer is lost: the retried flush must not replay
    Faulty.faults = {("flush", 1): "lose-commit-answer", ("flush", 3): "lose-commit-answer"}
    result = run(tmp_path, spec(database, rows(ROWS), sink_type="sql_faulty"), plugins)
    assert not result.failed, [s.error for s in result.failed]
    assert retries(caplog) == 2
    assert ids(database) == (ROWS, ROWS, ROWS - 1)


def test_refused_rows_are_dead_lettered_with_the_database_message(
    database: Database, plugins: Registry, tmp_path: Path
) -> None:
    length = "CHECK (length(code) <= 5)" if database.backend == "sqlite" else ""  # no VARCHAR(n)
    database.query(
        "CREATE TABLE loaded (id BIGINT PRIMARY KEY, code VARCHAR(5) NOT NULL "
        f"{length}, amount DOUBLE PRECISION CHECK (amount >= 0))"
    )
    records = [
        {"id": i, "code": "toolong" if i == 17 else f"c{i % 100}", "amount": -1 if i == 400 else i}
        for i in range(1000)
    ]
    records[613]["code"] = None
    pipeline = spec(database, records, dead_letters=True, partitions=1)
    assert not run(tmp_path, pipeline, plugins).failed

    count, distinct, _ = ids(database)
    expected_bad = {17, 400, 613}  # value too long, CHECK, NOT NULL
    assert count == distinct == 1000 - len(expected_bad)
    assert sum(committed(database).values()) == 1000  # dead letters are past, too
    with LocalLog(tmp_path, read_only=True) as log:
        dead = log.read("t.dlq", 0, 0, max_records=100)
    assert sorted(orjson.loads(r.value)["id"] for r in dead) == sorted(expected_bad)
    messages = {orjson.loads(r.value)["id"]: dict(r.headers)["hub.error.message"] for r in dead}
    assert b"refused t-0 offset 613" in messages[613]
    assert any(w in messages[613].lower() for w in (b"null", b"not-null"))
    assert b"check" in messages[400].lower() or b"constraint" in messages[400].lower()


def test_tables_are_created_from_the_topics_registry_schema(
    database: Database, plugins: Registry, tmp_path: Path
) -> None:
    at = dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC)
    records = [{"id": i, "at": at, "name": f"n{i}"} for i in range(50)]
    pipeline = spec(
        database,
        records,
        source_format="arrow",
        schemas={"t": TopicSchema(subject="t-value")},
        sink_config={"key_columns": ["id"], "mode": "upsert"},
    )
    assert not run(tmp_path, pipeline, plugins).failed

    engine = database.engine()
    try:
        with engine.connect() as connection:
            found = {c["name"]: c["type"] for c in sa.inspect(connection).get_columns("loaded")}
    finally:
        engine.dispose()
    assert isinstance(found["at"], sa.DateTime)  # format date-time, from the registry schema
    assert ids(database) == (50, 50, 49)
