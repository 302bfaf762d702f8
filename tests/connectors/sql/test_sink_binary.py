"""PostgreSQL's fast paths: binary COPY encoding, the streamed insert and its fallbacks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import orjson
import pyarrow as pa
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from connectors.sql import sink_binary as binary
from connectors.sql import sink_stream
from hub.errors import RecordError
from tests.conftest import POSTGRES_URL, _scratch
from tests.connectors.sql.conftest import Database
from tests.connectors.sql.test_sink import _close_sinks, batch, open_sink, select

__all__ = ["_close_sinks"]  # an autouse fixture: sinks are closed after each test

pytestmark = pytest.mark.postgres

COLUMNS = (
    "b BIGINT, i INTEGER, s SMALLINT, d DOUBLE PRECISION, r REAL, ok BOOLEAN, t TEXT, "
    "v VARCHAR(10), at TIMESTAMPTZ, naive TIMESTAMP, day DATE, doc JSONB, plain JSON, gone TEXT"
)


@pytest.fixture
def postgres() -> Iterator[Database]:
    with _scratch(POSTGRES_URL) as url:
        yield Database("postgresql", url)


def test_sqlalchemy_types_map_to_binary_kinds() -> None:
    assert binary.kind_of(sa.BigInteger()) == "int8"
    assert binary.kind_of(sa.Integer()) == "int4"
    assert binary.kind_of(sa.SmallInteger()) == "int2"
    assert binary.kind_of(pg.DOUBLE_PRECISION()) == "float8"
    assert binary.kind_of(pg.REAL()) == "float4"
    assert binary.kind_of(sa.Boolean()) == "bool"
    assert binary.kind_of(sa.String(5)) == "text"
    assert binary.kind_of(sa.DateTime(timezone=True)) == "timestamptz"
    assert binary.kind_of(sa.DateTime()) == "timestamp"
    assert binary.kind_of(sa.Date()) == "date"
    assert binary.kind_of(pg.JSONB()) == "jsonb"
    assert binary.kind_of(sa.JSON()) == "json"
    for other in (sa.Numeric(10, 2), sa.Uuid(), pg.BYTEA(), sa.Time(), pg.ARRAY(sa.Integer)):
        assert binary.kind_of(other) is None


def test_binary_rows_load_exactly_what_arrow_holds(postgres: Database) -> None:
    at = dt.datetime(2024, 1, 1, 8, tzinfo=dt.UTC)
    table = pa.table(
        {
            "b": pa.array([1, None, -(2**62)], pa.int64()),
            "i": pa.array([2, 3, None], pa.int64()),
            "s": pa.array([None, 4, 5], pa.int64()),
            "d": [1.5, None, -0.0],
            "r": [0.25, 2, None],
            "ok": [True, None, False],
            "t": ["naïve café", "", None],
            "v": ['q"u,o\nte', None, "x"],
            "at": ["2024-01-01T10:00:00+02:00", None, "2024-01-01T08:00:00Z"],
            "naive": pa.array([dt.datetime(2024, 1, 1, 10), None, None], pa.timestamp("us")),
            "day": ["2024-02-29", None, "1999-12-31"],
            "doc": pa.array(['{"a": [1, null]}', None, '"text"'], pa.json_(pa.string())),
            "plain": pa.array(["[1,2]", "null", None], pa.json_(pa.string())),
            "gone": pa.nulls(3),
        }
    )
    kinds = ["int8", "int4", "int2", "float8", "float4", "bool", "text", "text"]
    kinds += ["timestamptz", "timestamp", "date", "jsonb", "json", "text"]
    postgres.query(f"CREATE TABLE typed ({COLUMNS})")
    data = binary.HEADER + binary.encode(table, kinds).to_pybytes() + binary.TRAILER
    engine = postgres.engine()
    try:
        with engine.begin() as connection:
            driver = connection.connection.driver_connection
            with (
                driver.cursor() as cursor,
                cursor.copy("COPY typed FROM STDIN (FORMAT binary)") as c,
            ):
                c.write(data)
    finally:
        engine.dispose()

    rows = select(postgres, "typed", order="d")
    by_b = {row["b"]: row for row in rows}
    first, second, third = by_b[1], by_b[None], by_b[-(2**62)]
    assert (first["i"], first["s"], first["d"], first["r"], first["ok"]) == (
        2,
        None,
        1.5,
        0.25,
        True,
    )
    assert (first["t"], first["v"]) == ("naïve café", 'q"u,o\nte')
    assert first["at"] == at
    assert first["naive"] == dt.datetime(2024, 1, 1, 10)
    assert first["day"] == dt.date(2024, 2, 29)
    assert first["doc"] == {"a": [1, None]}
    assert first["plain"] == [1, 2]
    assert second["t"] == ""  # an empty string, not a null
    assert second["plain"] is None or second["plain"] == "null"
    assert third["ok"] is False
    assert third["at"] == at
    assert third["doc"] == "text"
    assert all(row["gone"] is None for row in rows)


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        (pa.array(["x"]), "int8"),
        (pa.array([1.5]), "int8"),
        (pa.array([2**40]), "int4"),
        (pa.array(["2024-01-01 10:00"]), "timestamptz"),
        (pa.array([1]), "bool"),
    ],
)
def test_values_binary_cannot_take_are_refused_for_the_csv_path(
    column: pa.Array, kind: str
) -> None:
    with pytest.raises(binary.Unsupported):
        binary.encode(pa.table({"c": column}), [kind])


def rows(start: int, count: int, **extra: Any) -> list[dict[str, Any]]:
    return [{"id": i, "name": f"n{i}", **extra} for i in range(start, start + count)]


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which way each batch went: ``stream`` or ``fallback``."""
    seen: list[str] = []
    real = sink_stream.stream_insert

    def spy(*args: Any) -> None:
        try:
            real(*args)
        except sink_stream.Fallback:
            seen.append("fallback")
            raise
        seen.append("stream")

    monkeypatch.setattr("connectors.sql.sink.stream_insert", spy)
    monkeypatch.setattr(sink_stream, "CHUNK_ROWS", 7)  # several chunks per batch
    return seen


def test_known_tables_get_streamed_inserts_in_chunks(
    postgres: Database, streamed: list[str]
) -> None:
    sink = open_sink(postgres)
    sink.write(batch(rows(0, 20)))  # creates the table: the regular path
    sink.write(batch(rows(20, 30), start=20))
    sink.write(batch([*rows(50, 5), None], start=50, keys=[None] * 6))  # a skipped tombstone
    sink.flush()

    assert streamed == ["stream", "stream"]
    assert [r["id"] for r in select(postgres, "orders")] == list(range(55))


def test_a_new_field_falls_back_to_the_regular_path_and_evolves(
    postgres: Database, streamed: list[str]
) -> None:
    sink = open_sink(postgres, auto_evolve=True)
    sink.write(batch(rows(0, 10)))
    sink.write(batch(rows(10, 10) + rows(20, 5, note="new"), start=10))
    sink.flush()

    assert streamed == ["fallback"]
    found = select(postgres, "orders")
    assert len(found) == 25
    assert [r["note"] for r in found[-6:]] == [None, "new", "new", "new", "new", "new"]


def test_the_first_chunk_names_the_columns_a_later_one_may_not_add_to(
    postgres: Database, streamed: list[str]
) -> None:
    """The COPY's columns come from the first chunk's rows: a field only later rows have
    takes the regular path; one only the first rows have streams. Either way a row without a
    field that others of its batch have gets NULL there, as on the regular path."""
    postgres.query("CREATE TABLE orders (id BIGINT, name TEXT, note TEXT DEFAULT 'none')")
    sink = open_sink(postgres)
    sink.write(batch(rows(20, 1, note="known")))  # the table is known from here on
    sink.write(batch(rows(0, 7) + rows(7, 3, note="late"), start=1))
    sink.write(batch(rows(10, 7, note="early") + rows(17, 3), start=11))
    sink.flush()

    assert streamed == ["fallback", "stream"]
    notes = [r["note"] for r in select(postgres, "orders")]
    assert notes == [None] * 7 + ["late"] * 3 + ["early"] * 7 + [None] * 3 + ["known"]


def test_a_value_of_another_type_falls_back_and_is_refused_with_its_offsets(
    postgres: Database, streamed: list[str]
) -> None:
    sink = open_sink(postgres)
    sink.write(batch(rows(0, 10)))
    bad = rows(10, 10)
    bad[8]["id"] = "eighteen"
    with pytest.raises(RecordError, match=r"offsets 10\.\.19.*bigint"):
        sink.write(batch(bad, start=10))
    sink.write(batch(rows(10, 8), start=10))
    sink.flush()

    assert streamed[0] == "fallback"
    assert len(select(postgres, "orders")) == 18


def test_a_constraint_violation_while_streaming_is_a_record_error(
    postgres: Database, streamed: list[str]
) -> None:
    postgres.query("CREATE TABLE orders (id BIGINT PRIMARY KEY, name TEXT NOT NULL)")
    sink = open_sink(postgres)
    sink.write(batch(rows(0, 10)))
    sink.write(batch(rows(10, 10), start=10))
    with pytest.raises(RecordError, match="duplicate key"):
        sink.write(batch(rows(15, 10), start=20))
    sink.flush()

    assert "stream" in streamed
    assert len(select(postgres, "orders")) == 20


def test_tables_with_columns_binary_does_not_cover_are_not_streamed(
    postgres: Database, streamed: list[str]
) -> None:
    postgres.query("CREATE TABLE orders (id BIGINT, name TEXT, price NUMERIC(10, 2))")
    sink = open_sink(postgres)
    sink.write(batch(rows(0, 10, price=1.25)))
    sink.write(batch(rows(10, 10, price=2.5), start=10))
    sink.flush()

    assert streamed == ["fallback"]
    assert [str(r["price"]) for r in select(postgres, "orders")][-1] == "2.50"


def test_json_columns_keep_each_value_as_it_was_written(postgres: Database) -> None:
    sink = open_sink(postgres)
    docs = [{"id": 0, "doc": {"a": 1}}, {"id": 1, "doc": {"b": [1, "x"]}}, {"id": 2, "doc": "s"}]
    sink.write(batch(docs))
    sink.write(batch([{"id": 3, "doc": {"c": None}}, {"id": 4, "doc": {"d": 2}}], start=3))
    sink.flush()

    found = [orjson.loads(orjson.dumps(r["doc"])) for r in select(postgres, "orders")]
    assert found == [{"a": 1}, {"b": [1, "x"]}, "s", {"c": None}, {"d": 2}]
