"""The ``sql`` sink on each database: inserts, upserts, deletes, tables created and evolved."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from connectors.sql.sink import SqlSink
from hub.errors import ConfigError, FatalError, RecordError
from hub.sdk import SinkBatch, SinkContext
from hub.testing import validate_config
from tests.connectors.sql.conftest import Database

GROUP = "p.db"


def batch(
    rows: Sequence[dict[str, Any] | None],
    *,
    start: int = 0,
    keys: Sequence[bytes | None] | None = None,
    topic: str = "orders",
    partition: int = 0,
    schema: dict[str, Any] | None = None,
) -> SinkBatch:
    """``rows`` as a sink batch at offsets ``start``... (``None`` is a tombstone)."""
    count = len(rows)
    return SinkBatch(
        topic,
        partition,
        list(range(start, start + count)),
        [0] * count,
        list(keys) if keys is not None else [None] * count,
        [None if row is None else orjson.dumps(row) for row in rows],
        [()] * count,
        schema,
    )


_opened: list[SqlSink] = []


def open_sink(
    database: Database, sink_context: SinkContext | None = None, **config: Any
) -> SqlSink:
    """An open sink, closed after the test even if it fails (an open transaction would keep
    the scratch database from being dropped)."""
    sink = SqlSink()
    _opened.append(sink)
    config = validate_config(SqlSink, {"url": database.url, **config})
    sink.open(config, sink_context or context())
    return sink


@pytest.fixture(autouse=True)
def _close_sinks(request: pytest.FixtureRequest) -> Iterator[None]:
    """Import this into a test module to have its sinks closed after each test, before its
    database is dropped (set up first, it is torn down last)."""
    for name in ("database", "postgres", "server"):
        if name in request.fixturenames:
            request.getfixturevalue(name)
    yield
    while _opened:
        sink = _opened.pop()
        if hasattr(sink, "_finalizer"):
            sink.close()


def context() -> SinkContext:
    return SinkContext("p", "db", 0, 1, GROUP)


def select(database: Database, table: str, order: str = "id") -> list[dict[str, Any]]:
    """Every row of ``table`` as a dict, in ``order``."""
    engine = database.engine()
    try:
        with engine.connect() as connection:
            names = [c["name"] for c in sa.inspect(connection).get_columns(table)]
            if database.backend == "mariadb":  # SQLAlchemy leaves MySQL's `` doubled
                names = [name.replace("``", "`") for name in names]
            reflected = sa.Table(table, sa.MetaData(), *(sa.Column(n) for n in names))
            rows = connection.execute(sa.select(reflected).order_by(reflected.c[order]))
            return [dict(row._mapping) for row in rows]
    finally:
        engine.dispose()


def visible(database: Database, table: str) -> list[dict[str, Any]]:
    """What other connections see of ``table`` (no table: nothing)."""
    engine = database.engine()
    try:
        with engine.connect() as connection:
            exists = sa.inspect(connection).has_table(table)
    finally:
        engine.dispose()
    return select(database, table) if exists else []


def columns(database: Database, table: str) -> dict[str, dict[str, Any]]:
    engine = database.engine()
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            found = {c["name"]: c for c in inspector.get_columns(table)}
            for name in inspector.get_pk_constraint(table)["constrained_columns"]:
                found[name]["primary_key"] = True
            return found
    finally:
        engine.dispose()


def test_inserted_rows_and_their_offsets_commit_together(database: Database) -> None:
    sink = open_sink(database)
    assert sink.committed_offsets() == {}
    sink.write(batch([{"id": 1, "name": "ada"}, {"id": 2, "name": "grace"}]))
    sink.write(batch([{"id": 3, "name": "alan"}], start=2, partition=1))
    assert visible(database, "orders") == []  # nothing before the flush
    sink.flush()
    sink.close()

    assert [r["name"] for r in select(database, "orders")] == ["ada", "grace", "alan"]
    again = open_sink(database)
    assert again.committed_offsets() == {("orders", 0): 2, ("orders", 1): 3}
    again.close()


def test_unflushed_rows_are_rolled_back_on_close(database: Database) -> None:
    sink = open_sink(database)
    sink.write(batch([{"id": 1}]))
    sink.flush()
    sink.write(batch([{"id": 2}], start=1))
    sink.close()

    assert [r["id"] for r in select(database, "orders")] == [1]
    again = open_sink(database)
    assert again.committed_offsets() == {("orders", 0): 1}
    again.close()


def test_upsert_updates_the_row_with_the_same_key(database: Database) -> None:
    sink = open_sink(database, mode="upsert", key_columns=["id"])
    sink.write(batch([{"id": 1, "name": "ada", "n": 1}, {"id": 2, "name": "grace", "n": 1}]))
    sink.flush()
    # the same key twice in one batch: the last record wins
    sink.write(batch([{"id": 1, "name": "ADA", "n": 2}, {"id": 1, "name": "Ada", "n": 3}], start=2))
    sink.flush()
    sink.close()

    assert select(database, "orders") == [
        {"id": 1, "name": "Ada", "n": 3},
        {"id": 2, "name": "grace", "n": 1},
    ]


def test_upsert_without_key_columns_is_refused_naming_the_option(database: Database) -> None:
    with pytest.raises(ConfigError, match="key_columns"):
        open_sink(database, mode="upsert")


def test_upsert_into_a_table_without_a_unique_key_stops(database: Database) -> None:
    database.query("CREATE TABLE orders (id INTEGER, name VARCHAR(20))")
    sink = open_sink(database, mode="upsert", key_columns=["id"])
    with pytest.raises(FatalError, match=r"unique constraint on \(id\)"):
        sink.write(batch([{"id": 1, "name": "ada"}]))
    sink.close()


def test_a_tombstone_deletes_the_row_of_its_key_in_order(database: Database) -> None:
    sink = open_sink(database, mode="upsert", key_columns=["id"], delete_on_tombstone=True)
    sink.write(batch([{"id": 1, "v": "a"}, {"id": 2, "v": "b"}, {"id": 3, "v": "c"}]))
    sink.flush()
    # delete 1; write 2 again then delete it; delete 3 then write it again
    rows = [None, {"id": 2, "v": "B"}, None, None, {"id": 3, "v": "C"}]
    keys = [b"1", b"2", b"2", b"3", b"3"]
    sink.write(batch(rows, start=3, keys=keys))
    sink.flush()
    sink.close()

    assert select(database, "orders") == [{"id": 3, "v": "C"}]


@pytest.mark.parametrize(
    ("key", "survivor"),
    [
        (b'{"tenant":"a","id":1}', {"tenant": "b", "id": 1}),
        # the sql source keys a composite primary key as a JSON array in key order
        (b'["b",1]', {"tenant": "a", "id": 1}),
    ],
    ids=["json-object", "json-array-as-the-sql-source-writes-it"],
)
def test_a_tombstone_key_of_several_key_columns_deletes_its_row(
    database: Database, key: bytes, survivor: dict[str, Any]
) -> None:
    sink = open_sink(
        database, mode="upsert", key_columns=["tenant", "id"], delete_on_tombstone=True
    )
    sink.write(batch([{"tenant": "a", "id": 1}, {"tenant": "b", "id": 1}]))
    sink.write(batch([None], start=2, keys=[key]))
    sink.flush()
    sink.close()

    assert select(database, "orders") == [survivor]


def test_tombstones_are_skipped_unless_asked_to_delete(database: Database) -> None:
    sink = open_sink(database)
    sink.write(batch([{"id": 1}, None, {"id": 2}], keys=[b"1", b"1", b"2"]))
    sink.flush()
    sink.close()

    assert [r["id"] for r in select(database, "orders")] == [1, 2]


def test_a_tombstone_that_names_no_key_is_a_record_error(database: Database) -> None:
    sink = open_sink(database, key_columns=["tenant", "id"], delete_on_tombstone=True)
    sink.write(batch([{"tenant": "a", "id": 1}]))
    with pytest.raises(RecordError, match="not a JSON object with the key columns"):
        sink.write(batch([None], start=1, keys=[b"1"]))
    sink.flush()  # the rest of the transaction is intact
    sink.close()
    assert select(database, "orders") == [{"tenant": "a", "id": 1}]


def test_a_missing_table_without_auto_create_stops(database: Database) -> None:
    sink = open_sink(database, auto_create=False)
    with pytest.raises(FatalError, match=r"'orders' does not exist.*auto_create"):
        sink.write(batch([{"id": 1}]))
    sink.close()


def test_table_names_come_from_a_template_over_the_topic(database: Database) -> None:
    sink = open_sink(database, table="raw_{topic}")
    sink.write(batch([{"id": 1}], topic="eu.orders-v2"))
    sink.flush()
    sink.close()

    assert select(database, "raw_eu.orders-v2") == [{"id": 1}]


@pytest.mark.parametrize("table", ["{table}", "{topic!r}", "{"])
def test_a_bad_table_template_is_refused_naming_the_option(table: str) -> None:
    with pytest.raises(ConfigError, match="table"):
        open_sink(Database("sqlite", "sqlite://"), table=table)


def test_a_redelivered_batch_is_not_written_twice(database: Database) -> None:
    sink = open_sink(database)
    sink.write(batch([{"id": 1}, {"id": 2}]))
    sink.write(batch([{"id": 1}, {"id": 2}, {"id": 3}]))  # offsets 0, 1 again, and 2
    sink.flush()
    sink.close()

    assert [r["id"] for r in select(database, "orders")] == [1, 2, 3]


def test_a_refused_batch_is_rolled_back_alone_with_the_database_message(
    database: Database,
) -> None:
    database.query("CREATE TABLE orders (id BIGINT PRIMARY KEY, code VARCHAR(5) NOT NULL)")
    sink = open_sink(database)
    sink.write(batch([{"id": 1, "code": "a"}]))
    with pytest.raises(RecordError) as refused:
        sink.write(batch([{"id": 2, "code": "b"}, {"id": 3, "code": None}], start=1))
    message = str(refused.value)
    assert "offsets 1..2" in message
    assert "'orders'" in message
    assert any(word in message.lower() for word in ("null", "not-null", "cannot be null"))
    sink.write(batch([{"id": 2, "code": "b"}], start=1))  # as the runtime's halving would
    sink.write(batch([{"id": 4, "code": "d"}], start=3))
    sink.flush()
    sink.close()

    assert [r["id"] for r in select(database, "orders")] == [1, 2, 4]
    again = open_sink(database)
    assert again.committed_offsets() == {("orders", 0): 4}  # the refused offset 2 included
    again.close()


HOSTILE_TABLE = 'we"ird `table` select'
HOSTILE = ["select", 'a "quoted" name', "naïve café", "with space", "back`tick", "order"]


def test_hostile_table_and_column_names_round_trip(database: Database) -> None:
    sink = open_sink(database, table=HOSTILE_TABLE, mode="upsert", key_columns=["select"])
    rows = [{name: f"{name}-{i}" for name in HOSTILE} for i in range(3)]
    sink.write(batch(rows))
    sink.write(batch([{**rows[0], "order": "again"}], start=3))
    sink.flush()
    sink.close()

    found = select(database, HOSTILE_TABLE, order="select")
    assert [list(r) for r in found] == [HOSTILE] * 3
    assert found[0]["order"] == "again"
    assert found[1] == rows[1]
