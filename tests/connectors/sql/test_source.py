"""The sql source on real databases: incremental reads, ties, restarts, lag, snapshots, tables."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
import sqlalchemy as sa

from connectors.sql import types
from connectors.sql.source import SqlSource
from hub.errors import ConfigError, RetriableError
from hub.sdk import KEY_COLUMN, SourceBatch, SourceContext
from hub.testing import validate_config
from tests.connectors.drive import drain
from tests.connectors.sql.conftest import Database

# -- helpers ------------------------------------------------------------------------------------

TIMESTAMP = {"postgresql": "timestamptz", "mysql": "datetime(6)", "sqlite": "timestamp"}


def dialect_of(url: str) -> str:
    return sa.engine.make_url(url).get_backend_name()


def execute(url: str, *statements: str, params: Any = None) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                if params:
                    conn.execute(sa.text(statement), params)
                else:  # as it is: names may hold % signs
                    conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def q(url: str, name: str) -> str:
    """``name`` quoted for the database at ``url``."""
    return sa.create_engine(url).dialect.identifier_preparer.quote_identifier(name)


def ts(url: str, second: int, micro: int = 0) -> str:
    """A timestamp literal, the same text on every database: 2024-01-01 00:00:00 + second."""
    minute, sec = divmod(second, 60)
    hour, minute = divmod(minute, 60)
    text = f"2024-01-01 {hour:02d}:{minute:02d}:{sec:02d}.{micro:06d}"
    return text + ("+00" if dialect_of(url) == "postgresql" else "")


def create_orders(url: str, table: str = "orders", cursor: str = "updated_at") -> None:
    t, c = q(url, table), q(url, cursor)
    execute(
        url,
        f"CREATE TABLE {t} (id BIGINT NOT NULL PRIMARY KEY, {c} {TIMESTAMP[dialect_of(url)]} "
        "NOT NULL, note VARCHAR(40))",
    )


def insert(url: str, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
    columns = list(rows[0])
    stmt = sa.insert(sa.table(table, *(sa.column(c) for c in columns)))
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(stmt, [dict(r) for r in rows])
    finally:
        engine.dispose()


def open_source(
    config: Mapping[str, Any],
    offsets: Mapping[str, Any] | None = None,
    task: int = 0,
    tasks: int = 1,
) -> SqlSource:
    source = SqlSource()
    context = SourceContext(
        "test", "db", task, tasks, dict(offsets or {}), logging.getLogger("hub.connector.t")
    )
    source.open(validate_config(SqlSource, config), context)
    return source


def table(batch: SourceBatch) -> pa.Table:
    assert isinstance(batch.records, pa.Table)
    return batch.records


def ids(batches: Sequence[SourceBatch]) -> list[int]:
    return [row["id"] for b in batches for row in table(b).to_pylist()]


def read_all(
    config: Mapping[str, Any], offsets: Mapping[str, Any] | None = None
) -> list[SourceBatch]:
    source = open_source(config, offsets)
    try:
        return drain(source)
    finally:
        source.close()


def merged_offsets(batches: Sequence[SourceBatch]) -> dict[str, Any]:
    import orjson

    merged: dict[str, Any] = {}
    for batch in batches:
        merged.update(batch.offsets)
    return orjson.loads(orjson.dumps(merged))  # the store keeps them as JSON


# -- incremental ----------------------------------------------------------------------------------


def test_rows_sharing_a_cursor_value_are_neither_skipped_nor_repeated(database: Database) -> None:
    url = database.url
    create_orders(url)
    # 40 rows share one timestamp: batches of 7 end inside the run of equal values.
    rows = [{"id": i, "updated_at": ts(url, 10), "note": f"n{i}"} for i in range(1, 41)]
    rows += [{"id": i, "updated_at": ts(url, i), "note": None} for i in range(41, 51)]
    insert(url, "orders", rows)
    config = {"url": url, "tables": ["orders"], "cursor": "updated_at", "batch_size": 7}
    batches = read_all(config)
    expected = [*range(1, 41), *range(41, 51)]
    expected = sorted(expected, key=lambda i: (10 if i <= 40 else i, i))
    assert ids(batches) == expected
    assert [len(b) for b in batches] == [7] * 7 + [1]
    for k in range(len(batches)):  # resuming after any batch reads exactly the rest
        resumed = read_all(config, merged_offsets(batches[: k + 1]))
        assert ids(batches[: k + 1]) + ids(resumed) == expected


@pytest.mark.parametrize("cursor_type", ["NUMERIC(12, 3)", "NUMERIC", "DOUBLE PRECISION", "DATE"])
def test_decimal_float_and_date_cursors_resume_exactly(
    database: Database, cursor_type: str
) -> None:
    url = database.url
    if cursor_type == "NUMERIC" and database.backend == "mariadb":
        cursor_type = "DECIMAL(65, 30)"
    if cursor_type == "DOUBLE PRECISION" and database.backend != "postgresql":
        cursor_type = "DOUBLE"
    execute(url, f"CREATE TABLE v (id INTEGER PRIMARY KEY, version {cursor_type} NOT NULL)")
    value = (
        (lambda i: f"2024-01-{i // 3 + 1:02d}")
        if cursor_type == "DATE"
        else (lambda i: i // 3 + 0.125)
    )
    insert(url, "v", [{"id": i, "version": value(i)} for i in range(1, 20)])
    config = {"url": url, "tables": ["v"], "cursor": "version", "batch_size": 4}
    batches = read_all(config)
    assert ids(batches) == list(range(1, 20))
    for k in range(len(batches)):
        offsets = merged_offsets(batches[: k + 1])
        assert ids(batches[: k + 1]) + ids(read_all(config, offsets)) == list(range(1, 20))


def test_offsets_are_the_last_rows_cursor_and_key_as_json(database: Database) -> None:
    url = database.url
    create_orders(url)
    insert(url, "orders", [{"id": 5, "updated_at": ts(url, 3, 250000), "note": "x"}])
    [batch] = read_all({"url": url, "tables": ["orders"], "cursor": "updated_at"})
    after = batch.offsets["orders"]["after"]
    assert list(after) == ["updated_at", "id"]
    assert after["id"] == 5
    assert after["updated_at"].startswith("2024-01-01")
    assert "00:00:03.25" in after["updated_at"].replace("T", " ")


def test_rows_updated_after_they_were_read_are_read_again(database: Database) -> None:
    url = database.url
    create_orders(url)
    insert(url, "orders", [{"id": i, "updated_at": ts(url, i), "note": "a"} for i in range(1, 6)])
    config = {"url": url, "tables": ["orders"], "cursor": "updated_at", "poll_interval": 0}
    source = open_source(config)
    try:
        assert ids(drain(source)) == [1, 2, 3, 4, 5]
        execute(
            url,
            "UPDATE orders SET updated_at = :t, note = 'b' WHERE id IN (2, 4)",
            params={"t": ts(url, 100)},
        )
        insert(url, "orders", [{"id": 6, "updated_at": ts(url, 50), "note": "new"}])
        again = drain(source)
        assert ids(again) == [6, 2, 4]
        assert [r["note"] for r in table(again[0]).to_pylist()] == ["new", "b", "b"]
    finally:
        source.close()


def test_lag_leaves_rows_newer_than_now_minus_lag_for_later(database: Database) -> None:
    url = database.url
    create_orders(url)
    now, hours_ago = {
        "postgresql": ("now()", "now() - interval '2 hours'"),
        "mysql": ("NOW(6)", "NOW(6) - INTERVAL 2 HOUR"),
        "sqlite": (
            "strftime('%Y-%m-%d %H:%M:%f', 'now')",
            "strftime('%Y-%m-%d %H:%M:%f', 'now', '-2 hours')",
        ),
    }[dialect_of(url)]
    execute(
        url,
        f"INSERT INTO orders VALUES (1, {hours_ago}, 'old')",
        f"INSERT INTO orders VALUES (2, {now}, 'recent')",
    )
    base = {"url": url, "tables": ["orders"], "cursor": "updated_at"}
    assert ids(read_all({**base, "lag": "1h"})) == [1]
    assert ids(read_all({**base, "lag": "3h"})) == []
    assert ids(read_all(base)) == [1, 2]


def test_a_caught_up_table_rests_for_the_poll_interval(database: Database) -> None:
    url = database.url
    create_orders(url)
    insert(url, "orders", [{"id": 1, "updated_at": ts(url, 1), "note": "a"}])
    config = {"url": url, "tables": ["orders"], "cursor": "updated_at"}
    resting = open_source({**config, "poll_interval": "1h"})
    eager = open_source({**config, "poll_interval": 0})
    try:
        assert ids(drain(resting)) == [1]
        assert ids(drain(eager)) == [1]
        insert(url, "orders", [{"id": 2, "updated_at": ts(url, 2), "note": "b"}])
        assert resting.poll() is None  # not queried again within the hour
        assert ids(drain(eager)) == [2]
    finally:
        resting.close()
        eager.close()


def kill(database: Database, driver: Any) -> None:
    """Have the server drop a connection (a DB-API connection of the source); on PostgreSQL
    every connection of the source's application too (a pass read through ADBC has one of its
    own)."""
    if database.backend == "postgresql":
        database.query("SELECT pg_terminate_backend(:pid)", pid=driver.info.backend_pid)
        database.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :n",
            n=APPLICATION,
        )
    else:
        database.query(f"KILL CONNECTION {driver.thread_id()}")


APPLICATION = "hub-test-source"


def named(url: str) -> str:
    """``url`` with its connections named, so that ``kill`` finds them all on PostgreSQL."""
    if not url.startswith("postgresql"):
        return url
    return (
        sa.make_url(url)
        .update_query_dict({"application_name": APPLICATION})
        .render_as_string(hide_password=False)
    )


ROWS = 300_000


@pytest.mark.slow
def test_a_connection_dropped_mid_pass_is_retriable_and_nothing_is_lost(
    database: Database,
) -> None:
    if database.backend == "sqlite":
        pytest.skip("SQLite has no server connection to drop")
    url = database.url
    create_orders(url)
    fill = {  # more rows than socket buffers hold, so the pass is still running when killed
        "postgresql": "INSERT INTO orders SELECT g, timestamptz '2024-01-01 00:00:00+00' "
        "+ (g / 1000) * interval '1 second', repeat('n', 40) FROM generate_series(1, {n}) g",
        "mariadb": "INSERT INTO orders SELECT seq, '2024-01-01' + INTERVAL (seq DIV 1000) SECOND, "
        "REPEAT('n', 40) FROM seq_1_to_{n}",
    }[database.backend]
    execute(url, fill.format(n=ROWS))
    config = {"url": named(url), "tables": ["orders"], "cursor": "updated_at", "batch_size": 2000}
    source = open_source(config)
    try:
        batches = [source.poll()]
        kill(database, source._raw.driver_connection)
        errors = 0
        while True:
            try:
                batch = source.poll()
            except RetriableError:  # the runtime retries the poll after a back-off
                errors += 1
                continue
            if batch is None:
                break
            batches.append(batch)
    finally:
        source.close()
    assert errors == 1
    assert ids([b for b in batches if b is not None]) == list(range(1, ROWS + 1))


def test_a_connection_dropped_between_passes_is_replaced(database: Database) -> None:
    if database.backend == "sqlite":
        pytest.skip("SQLite has no server connection to drop")
    url = database.url
    create_orders(url)
    insert(url, "orders", [{"id": 1, "updated_at": ts(url, 1), "note": "a"}])
    source = open_source({"url": url, "tables": ["orders"], "cursor": "updated_at"})
    try:
        driver = source._connection().driver_connection  # the connection passes use...
        source._end_pass()
        kill(database, driver)  # ...dropped while it rests in the pool
        assert ids(drain(source)) == [1]
    finally:
        source.close()


def test_closing_in_the_middle_of_a_pass_stops_its_query(database: Database) -> None:
    url = database.url
    create_orders(url)
    insert(url, "orders", [{"id": i, "updated_at": ts(url, 1), "note": "x"} for i in range(500)])
    config = {"url": url, "tables": ["orders"], "cursor": "updated_at", "batch_size": 10}
    source = open_source(config)
    first = source.poll()
    source.close()  # nothing reads the 490 rows left; the connection is discarded
    assert first is not None
    assert ids(read_all(config, merged_offsets([first]))) == list(range(10, 500))


def test_rows_with_a_null_cursor_are_not_read(database: Database) -> None:
    url = database.url
    execute(url, f"CREATE TABLE t (id INTEGER PRIMARY KEY, v {TIMESTAMP[dialect_of(url)]} NULL)")
    insert(url, "t", [{"id": 1, "v": ts(url, 1)}, {"id": 2, "v": None}])
    assert ids(read_all({"url": url, "tables": ["t"], "cursor": "v"})) == [1]


# -- snapshots -------------------------------------------------------------------------------------


def test_snapshot_reads_every_row_each_run_and_resumes_an_interrupted_run(
    database: Database,
) -> None:
    url = database.url
    create_orders(url)
    insert(url, "orders", [{"id": i, "updated_at": ts(url, 0), "note": "a"} for i in range(1, 24)])
    config = {
        "url": url,
        "tables": ["orders"],
        "mode": "snapshot",
        "batch_size": 5,
        "poll_interval": 0,
    }
    source = open_source(config)
    try:
        first = drain(source)
        assert ids(first) == list(range(1, 24))
        assert first[-1].offsets["orders"]["done"] is True
        assert all(b.offsets["orders"]["done"] is False for b in first[:-1])
        runs = {b.offsets["orders"]["snapshot"] for b in first}
        assert len(runs) == 1
        second = drain(source)  # the next run: every row again
        assert ids(second) == list(range(1, 24))
        assert {b.offsets["orders"]["snapshot"] for b in second} != runs
    finally:
        source.close()
    interrupted = merged_offsets(first[:2])  # a restart after 10 rows of a run
    assert interrupted["orders"]["after"] == {"id": 10}
    assert ids(read_all(config, interrupted)) == list(range(11, 24))
    assert ids(read_all(config, merged_offsets(first))) == list(range(1, 24))  # a new run


def test_a_snapshot_ending_on_a_full_batch_records_the_end_with_an_empty_batch(
    database: Database,
) -> None:
    url = database.url
    create_orders(url)
    insert(url, "orders", [{"id": i, "updated_at": ts(url, 0), "note": "a"} for i in range(1, 11)])
    config = {"url": url, "tables": ["orders"], "mode": "snapshot", "batch_size": 5}
    batches = read_all(config)
    assert [len(b) for b in batches] == [5, 5, 0]
    assert [b.offsets["orders"]["done"] for b in batches] == [False, False, True]


# -- tables, tasks, queries ----------------------------------------------------------------


def test_patterns_give_one_partition_per_table_split_across_tasks(database: Database) -> None:
    url = database.url
    for n, name in enumerate(["sales_eu", "sales_us", "sales_asia", "orders", "salesman"]):
        create_orders(url, name)
        insert(
            url,
            name,
            [{"id": n * 100 + i, "updated_at": ts(url, i), "note": name} for i in range(3)],
        )
    config = {"url": url, "tables": ["orders", "sales_*"], "cursor": "updated_at"}
    alone = read_all(config)
    assert {p for b in alone for p in b.offsets} == {"orders", "sales_eu", "sales_us", "sales_asia"}
    assert all(len(b.offsets) == 1 for b in alone)
    by_task = []
    for task in range(2):
        source = open_source(config, task=task, tasks=2)
        try:
            by_task.append({p for b in drain(source) for p in b.offsets})
        finally:
            source.close()
    assert by_task[0] | by_task[1] == {"orders", "sales_eu", "sales_us", "sales_asia"}
    assert not by_task[0] & by_task[1]
    assert by_task[0]
    assert by_task[1]


def test_tables_created_while_running_are_found_and_dropped_ones_let_go(
    database: Database,
) -> None:
    url = database.url
    create_orders(url, "sales_eu")
    insert(url, "sales_eu", [{"id": 1, "updated_at": ts(url, 1), "note": "eu"}])
    config = {
        "url": url,
        "tables": ["sales_*"],
        "cursor": "updated_at",
        "poll_interval": "1ms",
        "discover_interval": "1ms",
    }
    source = open_source(config)
    try:
        assert ids(drain(source)) == [1]
        create_orders(url, "sales_us")
        insert(url, "sales_us", [{"id": 7, "updated_at": ts(url, 2), "note": "us"}])
        time.sleep(0.01)
        drain(source)  # the pass that ends caught up lists the tables again
        time.sleep(0.01)
        found = drain(source)
        assert ids(found) == [7]
        assert {p for b in found for p in b.offsets} == {"sales_us"}
        execute(url, f"DROP TABLE {q(url, 'sales_eu')}")
        time.sleep(0.01)
        drain(source)
        assert [plan.name for plan in source.plans] == ["sales_us"]
        execute(url, f"DROP TABLE {q(url, 'sales_us')}")
        time.sleep(0.01)
        assert drain(source) == []  # nothing left to read is no failure
        assert source.plans == []
        create_orders(url, "sales_eu")  # back, with the row read before and a new one
        back = [{"id": 1, "updated_at": ts(url, 1), "note": "eu"}]
        insert(url, "sales_eu", [*back, {"id": 2, "updated_at": ts(url, 5), "note": "new"}])
        time.sleep(0.01)
        drain(source)
        time.sleep(0.01)
        assert ids(drain(source)) == [2]  # it resumes where it stood when it went
    finally:
        source.close()


def test_a_custom_query_is_one_partition_named_by_config(database: Database) -> None:
    url = database.url
    create_orders(url)
    insert(
        url,
        "orders",
        [
            {"id": i, "updated_at": ts(url, i // 2), "note": "x" if i % 2 else "y"}
            for i in range(1, 21)
        ],
    )
    config = {
        "url": url,
        "query": "SELECT id, updated_at, note, id * 1.5 AS half FROM orders WHERE note LIKE 'x%'",
        "name": "x_orders",
        "cursor": "updated_at",
        "key": "id",
        "batch_size": 3,
    }
    batches = read_all(config)
    assert ids(batches) == list(range(1, 21, 2))
    assert {p for b in batches for p in b.offsets} == {"x_orders"}
    assert ids(read_all(config, merged_offsets(batches[:2]))) == list(range(13, 21, 2))
    first = table(batches[0])
    assert Decimal(str(first.column("half").to_pylist()[0])) == Decimal("1.5")
    assert first.column("note").to_pylist() == ["x"] * 3
    assert batches[0].schema is not None
    assert batches[0].schema["x-primary-key"] == ["id"]
    if dialect_of(url) != "sqlite":  # SQLite's results carry no types: its text stays text
        assert pa.types.is_timestamp(first.schema.field("updated_at").type)
        assert pa.types.is_decimal(first.schema.field("half").type) or (
            first.schema.field("half").type == types.JSON
        )


HOSTILE = ['or"der', "my table", "order", "größe ✓", "50%"]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_table_and_column_names_are_quoted(database: Database, name: str) -> None:
    url = database.url
    if dialect_of(url) == "mysql" and name == 'or"der':
        name = "or`der"
    create_orders(url, table=name, cursor=name)
    insert(url, name, [{"id": i, name: ts(url, 5), "note": "x"} for i in range(1, 8)])
    config = {"url": url, "tables": [name], "cursor": name, "batch_size": 3}
    batches = read_all(config)
    assert ids(batches) == list(range(1, 8))
    assert {p for b in batches for p in b.offsets} == {name}
    assert ids(read_all(config, merged_offsets(batches[:1]))) == list(range(4, 8))


# -- keys and schemas ----------------------------------------------------------------------


def test_records_are_keyed_by_the_primary_key(database: Database) -> None:
    url = database.url
    execute(
        url,
        "CREATE TABLE pairs (region VARCHAR(10) NOT NULL, n INTEGER NOT NULL, "
        "PRIMARY KEY (region, n))",
    )
    execute(url, "CREATE TABLE single (code VARCHAR(10) PRIMARY KEY, v INTEGER)")
    insert(url, "pairs", [{"region": 'e"u', "n": 1}])
    insert(url, "single", [{"code": "a-1", "v": 1}])
    batches = read_all({"url": url, "tables": ["pairs", "single"], "mode": "snapshot"})
    keys = {
        p: table(b).column(KEY_COLUMN).to_pylist() for b in batches if len(b) for p in b.offsets
    }
    assert keys == {"pairs": ['["e\\"u",1]'], "single": ["a-1"]}
    unkeyed = read_all({"url": url, "tables": ["single"], "mode": "snapshot", "record_key": False})
    assert KEY_COLUMN not in table(unkeyed[0]).column_names


def test_each_batch_declares_the_tables_json_schema(database: Database) -> None:
    url = database.url
    create_orders(url)
    insert(url, "orders", [{"id": 1, "updated_at": ts(url, 1), "note": None}])
    [batch] = read_all({"url": url, "tables": ["orders"], "cursor": "updated_at"})
    schema = batch.schema
    assert schema is not None
    assert schema["title"] == "orders"
    assert schema["required"] == ["id", "updated_at"]
    assert schema["x-primary-key"] == ["id"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["id"] == {"type": "integer", "x-sql-type": "bigint"}
    assert schema["properties"]["note"] == {"type": ["string", "null"], "x-sql-type": "varchar(40)"}


# -- errors ----------------------------------------------------------------------------------------


def test_unknown_tables_and_columns_are_config_errors_listing_what_exists(
    database: Database,
) -> None:
    url = database.url
    create_orders(url)
    with pytest.raises(ConfigError) as missing:
        open_source({"url": url, "tables": ["ordres", "x_*"], "cursor": "updated_at"})
    text = str(missing.value)
    for named in ("'ordres'", "'x_*'", "tables there: orders"):
        assert named in text
    with pytest.raises(ConfigError) as column:
        open_source({"url": url, "tables": ["orders"], "cursor": "updatedat"})
    text = str(column.value)
    for named in ("'orders'", "'updatedat'", "columns: id, updated_at, note"):
        assert named in text
    with pytest.raises(ConfigError, match="key"):
        open_source({"url": url, "tables": ["orders"], "cursor": "updated_at", "key": ["nope"]})
    execute(url, "CREATE TABLE nokey (a INTEGER, b INTEGER)")
    with pytest.raises(ConfigError, match="no primary key"):
        open_source({"url": url, "tables": ["nokey"], "cursor": "a"})


def test_config_that_cannot_work_is_refused_before_connecting() -> None:
    with pytest.raises(ConfigError) as error:
        open_source(
            {"url": "sqlite://", "tables": ["a"], "query": "SELECT 1", "mode": "incremental"}
        )
    text = str(error.value)
    assert "tables, query" in text
    assert "cursor" in text
    with pytest.raises(ConfigError, match="name"):
        open_source({"url": "sqlite://", "query": "SELECT 1 AS a", "mode": "snapshot"})


@pytest.mark.postgres
def test_an_unreachable_server_is_retriable_and_the_password_never_shown() -> None:
    url = "postgresql+psycopg://hub:s3cret@127.0.0.1:1/test"
    with pytest.raises(RetriableError) as error:
        open_source({"url": url, "tables": ["orders"], "cursor": "updated_at"})
    assert "s3cret" not in str(error.value)
    assert "***" in str(error.value)
