"""Tables created from registry schemas and Arrow types, evolved, and the changes that stop."""

from __future__ import annotations

import datetime as dt
import decimal
import logging
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from connectors.sql import ddl
from hub.errors import FatalError, RecordError
from hub.sdk import SinkContext
from tests.connectors.sql.conftest import Database
from tests.connectors.sql.test_sink import _close_sinks, batch, columns, open_sink, select

__all__ = ["_close_sinks"]  # an autouse fixture: sinks are closed after each test

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "amount": {"type": "number"},
        "price": {"type": "number", "format": "decimal"},
        "ok": {"type": "boolean"},
        "name": {"type": "string", "maxLength": 20},
        "day": {"type": "string", "format": "date"},
        "at": {"type": "string", "format": "date-time"},
        "uid": {"type": "string", "format": "uuid"},
        "blob": {"type": "string", "contentEncoding": "base64"},
        "doc": {"type": "object"},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["id", "name"],
}
ROW = {
    "id": 1,
    "amount": 2.5,
    "price": 12.25,
    "ok": True,
    "name": 'a, "b"\nc',
    "day": "2024-02-29",
    "at": "2024-01-01T10:00:00+02:00",
    "uid": "0b5f3e1c-8d1a-4c3e-9a57-2f1f0c3e4d5a",
    "blob": "aGVsbG8=",
    "doc": {"a": [1, {"b": None}], "s": "x,y"},
    "tags": ["p", "q"],
}
EMPTY = {"id": 2, "name": "", **{k: None for k in ROW if k not in ("id", "name")}}


@pytest.mark.parametrize("copy", [True, False], ids=["copy", "insert"])
def test_a_table_created_from_the_registry_schema_holds_every_type(
    database: Database, copy: bool
) -> None:
    if not copy and database.backend != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    sink = open_sink(database, key_columns=["id"], copy=copy)
    sink.write(batch([ROW, EMPTY], schema=SCHEMA))
    sink.flush()
    sink.close()

    found = columns(database, "orders")
    assert found["id"].get("primary_key")
    assert not found["name"]["nullable"]
    assert found["amount"]["nullable"]
    first, second = select(database, "orders")
    assert first["id"] == 1
    assert first["amount"] == 2.5
    assert decimal.Decimal(str(first["price"])) == decimal.Decimal("12.25")
    assert bool(first["ok"]) is True
    assert first["name"] == 'a, "b"\nc'
    assert str(first["day"]) == "2024-02-29"
    assert _utc(first["at"]) == dt.datetime(2024, 1, 1, 8, 0, tzinfo=dt.UTC)
    assert str(first["uid"]) == ROW["uid"]
    assert bytes(first["blob"]) == b"hello"
    assert _json(first["doc"]) == ROW["doc"]
    assert _json(first["tags"]) == ["p", "q"]
    assert second["name"] == ""  # an empty string is not a null
    assert all(second[k] is None for k in ROW if k not in ("id", "name"))


def _utc(value: Any) -> dt.datetime:
    if isinstance(value, str):  # SQLite keeps DATETIME as text: UTC, as the sink wrote it
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _json(value: Any) -> Any:
    import orjson

    return orjson.loads(value) if isinstance(value, str | bytes) else value


def test_a_table_created_from_arrow_types_without_a_schema(database: Database) -> None:
    sink = open_sink(database)
    sink.write(batch([{"id": 1, "x": 1.5, "ok": True, "s": "a", "o": {"k": 1}, "none": None}]))
    sink.flush()
    sink.close()

    found = columns(database, "orders")
    assert list(found) == ["id", "x", "ok", "s", "o"]  # an all-null field makes no column
    engine = database.engine()
    families = {n: ddl.family_of(c["type"]) for n, c in found.items()}
    engine.dispose()
    assert families["id"] == "integer"
    assert families["x"] == "number"
    assert families["ok"] in ("boolean", "bool_int")
    assert families["s"] == "string"
    assert families["o"] in ("json", "string")  # MariaDB's JSON is LONGTEXT with a check


def test_auto_evolve_adds_a_nullable_column_when_the_schema_gains_a_field(
    database: Database,
) -> None:
    v1 = {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]}
    v2 = {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "note": {"type": "string"}},
        "required": ["id", "note"],
    }
    sink = open_sink(database, auto_evolve=True)
    sink.write(batch([{"id": 1}], schema=v1))
    sink.write(batch([{"id": 2, "note": "new"}], start=1, schema=v2))
    sink.flush()
    sink.close()

    assert columns(database, "orders")["note"]["nullable"]  # rows written before have none
    assert select(database, "orders") == [{"id": 1, "note": None}, {"id": 2, "note": "new"}]


def test_a_new_field_without_auto_evolve_stops_naming_the_option(database: Database) -> None:
    sink = open_sink(database)
    sink.write(batch([{"id": 1}]))
    with pytest.raises(FatalError, match=r"no column 'note'.*auto_evolve: true"):
        sink.write(batch([{"id": 2, "note": "x"}], start=1))
    sink.close()


def test_a_narrower_column_stops_naming_table_column_and_both_types(database: Database) -> None:
    v1 = {"type": "object", "properties": {"id": {"type": "integer"}, "n": {"type": "integer"}}}
    v2 = {"type": "object", "properties": {"id": {"type": "integer"}, "n": {"type": "number"}}}
    sink = open_sink(database, auto_evolve=True)
    sink.write(batch([{"id": 1, "n": 1}], schema=v1))
    sink.flush()
    with pytest.raises(FatalError) as stopped:
        sink.write(batch([{"id": 2, "n": 1.5}], start=1, schema=v2))
    sink.close()
    message = str(stopped.value)
    assert "table 'orders' column 'n' is BIGINT" in message
    assert "type number (DOUBLE" in message


def test_a_dropped_required_field_stops_naming_the_not_null_column(database: Database) -> None:
    v1 = {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        "required": ["id", "name"],
    }
    v2 = {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]}
    sink = open_sink(database, auto_evolve=True)
    sink.write(batch([{"id": 1, "name": "a"}], schema=v1))
    with pytest.raises(FatalError, match=r"column 'name' is .*NOT NULL.*no longer has that field"):
        sink.write(batch([{"id": 2}], start=1, schema=v2))
    sink.close()


def test_an_overlong_table_name_stops_instead_of_being_truncated(database: Database) -> None:
    if database.backend == "sqlite":
        pytest.skip("SQLite has no identifier length limit")
    sink = open_sink(database, table="t" * 70)
    with pytest.raises(FatalError, match="longer than"):
        sink.write(batch([{"id": 1}]))
    sink.close()


def test_a_values_type_error_is_a_record_error(database: Database) -> None:
    schema = {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}}}
    sink = open_sink(database)
    sink.write(batch([{"at": "2024-01-01T00:00:00Z"}], schema=schema))
    with pytest.raises(RecordError):
        sink.write(batch([{"at": "not a time"}], start=1, schema=schema))
    sink.flush()
    sink.close()
    assert len(select(database, "orders", order="at")) == 1


def test_auto_evolve_relaxes_not_null_when_the_schema_admits_null(database: Database) -> None:
    v1 = {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        "required": ["id", "name"],
    }
    v2 = {**v1, "properties": {**v1["properties"], "name": {"type": ["string", "null"]}}}
    sink = open_sink(database, auto_evolve=True, key_columns=["id"])
    sink.write(batch([{"id": 1, "name": "a"}], schema=v1))
    sink.flush()
    assert not columns(database, "orders")["name"]["nullable"]
    sink.write(batch([{"id": 2, "name": None}], start=1, schema=v2))
    sink.flush()
    assert columns(database, "orders")["name"]["nullable"]
    assert select(database, "orders") == [{"id": 1, "name": "a"}, {"id": 2, "name": None}]


V1_NAME_REQUIRED = {
    "type": "object",
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    "required": ["id", "name"],
}
V2_NAME_NULLABLE = {
    **V1_NAME_REQUIRED,
    "properties": {"id": {"type": "integer"}, "name": {"type": ["string", "null"]}},
}


def test_the_sink_lets_the_runtime_save_dead_letters_before_any_commit(
    database: Database,
) -> None:
    """Offsets commit with the rows at flush, and on MariaDB also before DDL (which commits
    the open transaction): the runtime is told first each time, while the offsets in the
    database are still the old ones, so the dead letters of what was skipped are on disk
    before any committed offset passes them."""
    seen: list[list[tuple[Any, ...]]] = []

    def before_commit() -> None:
        seen.append(database.query("SELECT topic, next_offset FROM hub_sink_offsets"))

    hook = SinkContext("p", "db", 0, 1, "p.db", before_commit=before_commit)
    sink = open_sink(database, hook, auto_evolve=True, key_columns=["id"])
    sink.write(batch([{"id": 1, "name": "a"}], schema=V1_NAME_REQUIRED))
    n = {"n": {"type": "integer"}}
    wider = {**V1_NAME_REQUIRED, "properties": {**V1_NAME_REQUIRED["properties"], **n}}
    sink.write(batch([{"id": 2, "name": "b", "n": 5}], start=1, schema=wider))  # ADD COLUMN
    sink.flush()

    before_ddl = [[]] if database.backend == "mariadb" else []
    after_ddl = [("orders", 1)] if database.backend == "mariadb" else []
    assert seen == [*before_ddl, after_ddl]
    assert database.query("SELECT topic, next_offset FROM hub_sink_offsets") == [("orders", 2)]


def test_sqlite_rebuilds_a_table_to_drop_not_null_keeping_its_rows_and_constraints(
    tmp_path: Path,
) -> None:
    """SQLite has no ALTER COLUMN: the sink builds the table again, in its transaction, with
    the rows, the primary key, defaults, CHECK and UNIQUE constraints and indexes it had."""
    database = Database("sqlite", f"sqlite:///{tmp_path / 'rebuild.db'}")
    database.query(
        'CREATE TABLE "or ders" (id INTEGER PRIMARY KEY, name TEXT NOT NULL, '
        "code TEXT NOT NULL DEFAULT 'x' CHECK (length(code) < 5), UNIQUE (name, code))"
    )
    database.query('CREATE INDEX "by code" ON "or ders" (code) WHERE code <> \'x\'')
    database.query("INSERT INTO \"or ders\" (id, name) VALUES (1, 'a')")
    sink = open_sink(database, table="or ders", auto_evolve=True, mode="upsert", key_columns=["id"])
    sink.write(batch([{"id": 2, "name": "b"}], schema=V1_NAME_REQUIRED))
    sink.write(
        batch([{"id": 3, "name": None}, {"id": 2, "name": "c"}], start=1, schema=V2_NAME_NULLABLE)
    )
    sink.flush()

    assert select(database, "or ders") == [
        {"id": 1, "name": "a", "code": "x"},
        {"id": 2, "name": "c", "code": "x"},
        {"id": 3, "name": None, "code": "x"},
    ]
    found = columns(database, "or ders")
    assert found["name"]["nullable"]
    assert not found["code"]["nullable"]
    assert found["id"].get("primary_key")
    schema_sql = database.query("SELECT sql FROM sqlite_master WHERE tbl_name = 'or ders'")
    texts = " ".join(row[0] for row in schema_sql if row[0])
    for kept in ["CHECK (length(code) < 5)", "UNIQUE (name, code)", "WHERE code <> 'x'"]:
        assert kept in texts
    assert 'CREATE INDEX "by code"' in texts
    with pytest.raises(sa.exc.IntegrityError, match="CHECK"):
        database.query("INSERT INTO \"or ders\" (id, name, code) VALUES (9, 'z', 'toolong')")


def test_sqlite_does_not_rebuild_a_table_a_view_reads_even_under_a_quoted_name(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A view names the table quoted (``"we""ird"``): it is found all the same, and the table,
    which the view would outlive broken, is left as it is."""
    database = Database("sqlite", f"sqlite:///{tmp_path / 'view.db'}")
    database.query('CREATE TABLE "we""ird" (id INTEGER PRIMARY KEY, name TEXT NOT NULL)')
    database.query('CREATE VIEW names AS SELECT name FROM "we""ird"')
    sink = open_sink(database, table='we"ird', auto_evolve=True)
    sink.write(batch([{"id": 1, "name": "a"}], schema=V1_NAME_REQUIRED))
    with caplog.at_level(logging.WARNING), pytest.raises(RecordError, match="NOT NULL"):
        sink.write(batch([{"id": 2, "name": None}], start=1, schema=V2_NAME_NULLABLE))
    assert "view 'names' may read it" in caplog.text
    sink.flush()
    assert database.query("SELECT name FROM names") == [("a",)]


def test_sqlite_does_not_rebuild_a_table_with_a_trigger(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A rebuild would drop the trigger: the table stays as it is, the sink says why, and a
    null there is refused row by row (errors policy) as the database refuses it."""
    database = Database("sqlite", f"sqlite:///{tmp_path / 'trigger.db'}")
    database.query("CREATE TABLE orders (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    database.query("CREATE TABLE audit (id INTEGER)")
    database.query(
        "CREATE TRIGGER audited AFTER INSERT ON orders BEGIN INSERT INTO audit VALUES (new.id); END"
    )
    sink = open_sink(database, auto_evolve=True)
    sink.write(batch([{"id": 1, "name": "a"}], schema=V1_NAME_REQUIRED))
    with caplog.at_level(logging.WARNING), pytest.raises(RecordError, match="NOT NULL"):
        sink.write(batch([{"id": 2, "name": None}], start=1, schema=V2_NAME_NULLABLE))
    assert "trigger 'audited' is defined on it" in caplog.text
    assert not columns(database, "orders")["name"]["nullable"]


def test_an_unconstrained_decimal_column_holds_wide_values(database: Database) -> None:
    """MariaDB has no unconstrained DECIMAL: the sink creates the widest, DECIMAL(65,30), so a
    value with 33 integer digits lands instead of overflowing."""
    sink = open_sink(database, key_columns=["id"])
    wide = {"type": "object", "properties": {"id": {"type": "integer"}, **_PRICE}}
    sink.write(batch([{"id": 1, "price": 1.5e33}, {"id": 2, "price": 0.125}], schema=wide))
    sink.flush()
    sink.close()

    first, second = select(database, "orders")
    assert float(first["price"]) == pytest.approx(1.5e33)
    assert decimal.Decimal(str(second["price"])) == decimal.Decimal("0.125")


_PRICE = {"price": {"type": "number", "format": "decimal"}}
