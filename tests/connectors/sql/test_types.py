"""The sql source's type mapping: every type on every database, as the JSON the hub writes."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import jsonschema
import pyarrow as pa
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite

from connectors.sql import types
from connectors.sql.pgcopy import hex_to_binary
from connectors.sql.source_arrow import to_arrow
from hub.arrow import split_reserved, table_to_json_values
from hub.errors import FatalError
from tests.connectors.drive import drain
from tests.connectors.sql.conftest import Database
from tests.connectors.sql.test_source import dialect_of, open_source, table

TEXT = 'héllo "quoted" \\ back\nslash\ttab ✓ 😀'
BIG = Decimal("12345678901234567890.123456789")
UUID = "123e4567-e89b-12d3-a456-426614174000"

DDL = {
    "postgresql": """CREATE TABLE everything (
        id INTEGER PRIMARY KEY, i16 SMALLINT, i32 INTEGER, i64 BIGINT,
        amount NUMERIC(38, 9), wide NUMERIC(60, 20), num NUMERIC, f8 DOUBLE PRECISION, f4 REAL,
        b BOOLEAN, t TEXT, v VARCHAR(20), d DATE, ts TIMESTAMP, tstz TIMESTAMPTZ,
        j JSON, jb JSONB, u UUID, raw BYTEA)""",
    "mysql": """CREATE TABLE everything (
        id INTEGER PRIMARY KEY, i16 SMALLINT, i32 INTEGER, i64 BIGINT, u64 BIGINT UNSIGNED,
        amount DECIMAL(38, 9), wide DECIMAL(60, 20), f8 DOUBLE, f4 FLOAT,
        b BOOLEAN, t TEXT, v VARCHAR(20), d DATE, ts DATETIME(6), tstz TIMESTAMP(6) NULL,
        j JSON, u UUID, raw BLOB)""",
    "sqlite": """CREATE TABLE everything (
        id INTEGER PRIMARY KEY, i16 SMALLINT, i32 INTEGER, i64 BIGINT,
        amount NUMERIC(38, 9), f8 DOUBLE, f4 REAL,
        b BOOLEAN, t TEXT, v VARCHAR(20), d DATE, ts TIMESTAMP,
        j JSON, u UUID, raw BLOB)""",
}

# Row 1: edge values; row 2: NULL everywhere; row 3: more edges.
ROWS = {
    "postgresql": [
        "1, -32768, 2147483647, -9223372036854775808, 12345678901234567890.123456789, "
        "-1234567890123456789012345678901234567890.12345678901234567890, "
        "123456789012345678901234567890.123456789012345, '-0.0', 0.1, true, :t, '', "
        "'2024-02-29', '2024-05-01 12:30:00.25', '2024-05-01 12:30:00.25+02', "
        '\'{"a": [1, 2.50, null], "big": 12345678901234567890.123456789}\', '
        f"'{{\"b\": {{\"c\": true}}}}', '{UUID}', '\\x00ff10'",
        "2" + ", NULL" * 18,
        "3, 0, 0, 0, -0.000000001, 0, 'NaN', 'NaN', '-Infinity', false, 'x', 'y', '0001-01-01', "
        "'1970-01-01 00:00:00', '1999-12-31 23:59:59.999999-08', '[]', '\"s\"', "
        f"'{UUID.upper()}', ''",
    ],
    "mysql": [
        "1, -32768, 2147483647, -9223372036854775808, 18446744073709551615, "
        "12345678901234567890.123456789, "
        "-1234567890123456789012345678901234567890.12345678901234567890, '-0.0', 0.1, true, :t, "
        "'', '2024-02-29', '2024-05-01 12:30:00.25', '2024-05-01 10:30:00.25', "
        '\'{"a": [1, 2.50, null], "big": 12345678901234567890.123456789}\', '
        f"'{UUID}', x'00ff10'",
        "2" + ", NULL" * 17,
        "3, 0, 0, 0, 0, -0.000000001, 0, 1e308, -1.5, false, 'x', 'y', '1000-01-01', "
        "'1970-01-01 00:00:00', '2000-01-01 07:59:59.999999', '[]', "
        f"'{UUID.upper()}', ''",
    ],
    "sqlite": [
        "1, -32768, 2147483647, -9223372036854775808, 12345.678901, '-0.0', 0.1, 1, :t, '', "
        "'2024-02-29', '2024-05-01 12:30:00.250000', "
        '\'{"a": [1, 2.50, null], "big": 12345678901234567890.123456789}\', '
        f"'{UUID}', x'00ff10'",
        "2" + ", NULL" * 14,
        "3, 0, 0, 0, -0.5, 1e308, -1.5, 0, 'x', 'y', '0001-01-01', '1970-01-01 00:00:00', "
        "'not json', 'abc', x''",
    ],
}

EXPECTED: dict[str, list[dict[str, Any]]] = {
    "postgresql": [
        {
            "id": 1, "i16": -32768, "i32": 2147483647, "i64": -9223372036854775808,
            "amount": BIG,
            "wide": Decimal("-1234567890123456789012345678901234567890.12345678901234567890"),
            "num": Decimal("123456789012345678901234567890.123456789012345"),
            "f8": Decimal("-0.0"), "f4": Decimal("0.1"), "b": True, "t": TEXT, "v": "",
            "d": "2024-02-29", "ts": "2024-05-01T12:30:00.250000",
            "tstz": "2024-05-01T10:30:00.250000+00:00",
            "j": {"a": [1, Decimal("2.50"), None], "big": BIG}, "jb": {"b": {"c": True}},
            "u": UUID, "raw": "AP8Q",
        },
        {"id": 2},  # and NULL everywhere else: filled in below
        {
            "id": 3, "i16": 0, "i32": 0, "i64": 0, "amount": Decimal("-0.000000001"),
            "wide": Decimal(0), "num": None, "f8": None, "f4": None, "b": False, "t": "x",
            "v": "y", "d": "0001-01-01", "ts": "1970-01-01T00:00:00",
            "tstz": "2000-01-01T07:59:59.999999+00:00", "j": [], "jb": "s", "u": UUID,
            "raw": "",
        },
    ],
    "mysql": [
        {
            "id": 1, "i16": -32768, "i32": 2147483647, "i64": -9223372036854775808,
            "u64": 18446744073709551615, "amount": BIG,
            "wide": Decimal("-1234567890123456789012345678901234567890.12345678901234567890"),
            "f8": Decimal("-0.0"), "f4": Decimal("0.1"), "b": True, "t": TEXT, "v": "",
            "d": "2024-02-29", "ts": "2024-05-01T12:30:00.250000",
            "tstz": "2024-05-01T10:30:00.250000+00:00",
            "j": {"a": [1, Decimal("2.50"), None], "big": BIG}, "u": UUID, "raw": "AP8Q",
        },
        {"id": 2},  # and NULL everywhere else: filled in below
        {
            "id": 3, "i16": 0, "i32": 0, "i64": 0, "u64": 0, "amount": Decimal("-0.000000001"),
            "wide": Decimal(0), "f8": Decimal("1e308"), "f4": Decimal("-1.5"), "b": False,
            "t": "x", "v": "y", "d": "1000-01-01", "ts": "1970-01-01T00:00:00",
            "tstz": "2000-01-01T07:59:59.999999+00:00", "j": [], "u": UUID.lower(), "raw": "",
        },
    ],
    "sqlite": [
        {
            "id": 1, "i16": -32768, "i32": 2147483647, "i64": -9223372036854775808,
            "amount": Decimal("12345.678901"), "f8": Decimal("-0.0"), "f4": Decimal("0.1"),
            "b": True, "t": TEXT, "v": "", "d": "2024-02-29", "ts": "2024-05-01T12:30:00.250000",
            "j": {"a": [1, Decimal("2.50"), None], "big": BIG}, "u": UUID, "raw": "AP8Q",
        },
        {"id": 2},  # and NULL everywhere else: filled in below
        {
            "id": 3, "i16": 0, "i32": 0, "i64": 0, "amount": Decimal("-0.5"),
            "f8": Decimal("1e308"), "f4": Decimal("-1.5"), "b": False, "t": "x", "v": "y",
            "d": "0001-01-01", "ts": "1970-01-01T00:00:00", "j": "not json", "u": "abc", "raw": "",
        },
    ],
}  # fmt: skip
for _rows in EXPECTED.values():
    _rows[1] = {"id": 2} | dict.fromkeys(list(_rows[0])[1:])


def create_everything(url: str) -> None:
    engine = sa.create_engine(url)
    dialect = dialect_of(url)
    try:
        with engine.begin() as conn:
            if dialect == "mysql":
                conn.exec_driver_sql("SET time_zone = '+00:00'")
            conn.exec_driver_sql(DDL[dialect].replace("\n", " "))
            for values in ROWS[dialect]:
                conn.execute(sa.text(f"INSERT INTO everything VALUES ({values})"), {"t": TEXT})
    finally:
        engine.dispose()


def written(url: str) -> tuple[list[bytes], Any, pa.Schema]:
    """What the hub appends for the table: JSON values (as the runtime encodes them), the
    declared schema and the batch's Arrow schema."""
    source = open_source({"url": url, "tables": ["everything"], "mode": "snapshot"})
    try:
        [batch] = drain(source)
    finally:
        source.close()
    table, keys, _ = split_reserved(batch.records)
    assert keys == [b"1", b"2", b"3"]
    return table_to_json_values(table), batch.schema, table.schema


def test_every_type_round_trips_to_exact_json(database: Database) -> None:
    url = database.url
    create_everything(url)
    values, _, _ = written(url)
    records = [json.loads(v, parse_float=Decimal) for v in values]
    expected = EXPECTED[dialect_of(url)]
    assert records == expected
    for record, want in zip(records, expected, strict=True):
        assert list(record) == list(want)  # column order kept
    first = values[0].decode()
    assert '"big": 12345678901234567890.123456789' in first  # JSON documents written as they are
    if dialect_of(url) != "sqlite":  # SQLite keeps no big decimals
        assert '"amount":12345678901234567890.123456789' in first  # a number, printed exactly
    if dialect_of(url) == "postgresql":  # MariaDB and SQLite store -0.0 as 0
        assert '"f8":-0.0' in first  # negative zero keeps its sign


def test_the_declared_schema_validates_what_is_written(database: Database) -> None:
    url = database.url
    create_everything(url)
    values, schema, _ = written(url)
    validator = jsonschema.Draft7Validator(schema)
    for value in values:
        assert list(validator.iter_errors(json.loads(value))) == []
    assert schema["required"] == ["id"]
    properties = schema["properties"]
    integer = "bigint" if dialect_of(url) == "sqlite" else "integer"
    assert properties["id"] == {"type": "integer", "x-sql-type": integer}
    assert properties["amount"] == {"type": ["number", "null"], "x-sql-type": "numeric(38,9)"}
    assert properties["f8"]["type"] == ["number", "null"]
    assert properties["b"]["type"] == ["boolean", "null"]
    assert properties["d"] == {"type": ["string", "null"], "format": "date", "x-sql-type": "date"}
    assert properties["u"]["format"] == "uuid"
    assert properties["raw"]["contentEncoding"] == "base64"
    assert properties["j"] == {"x-sql-type": "json"}
    if dialect_of(url) != "sqlite":
        assert properties["tstz"]["format"] == "date-time"
        assert properties["tstz"]["x-sql-type"] == "timestamptz"
    assert properties["ts"] == {"type": ["string", "null"], "x-sql-type": "timestamp"}


def test_arrow_types_are_the_same_on_every_database(database: Database) -> None:
    url = database.url
    create_everything(url)
    _, _, schema = written(url)
    sqlite = dialect_of(url) == "sqlite"
    assert schema.field("i16").type == (pa.int64() if sqlite else pa.int16())
    assert schema.field("i64").type == pa.int64()
    assert schema.field("amount").type == pa.decimal128(38, 9)
    assert schema.field("f8").type == pa.float64()
    assert schema.field("b").type == pa.bool_()
    assert schema.field("d").type == pa.date32()
    assert schema.field("ts").type == pa.timestamp("us")
    assert schema.field("j").type == types.JSON
    assert schema.field("raw").type == pa.binary()
    if not sqlite:
        assert schema.field("tstz").type == pa.timestamp("us", "UTC")
        assert schema.field("wide").type == pa.decimal256(60, 20)


# -- the mapping itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql_type", "dialect", "kind", "x_sql_type"),
    [
        (sa.SmallInteger(), "postgresql", types.INT16, "smallint"),
        (sa.Integer(), "postgresql", types.INT32, "integer"),
        (sa.BigInteger(), "postgresql", types.INT64, "bigint"),
        (mysql.BIGINT(unsigned=True), "mysql", types.UINT64, "numeric(20,0)"),
        (mysql.INTEGER(unsigned=True), "mysql", types.INT64, "bigint"),
        (mysql.TINYINT(display_width=1), "mysql", types.BOOLEAN, "boolean"),
        (mysql.TINYINT(display_width=4), "mysql", types.INT16, "smallint"),
        (sa.Integer(), "sqlite", types.INT64, "bigint"),
        (sa.Numeric(12, 2), "postgresql", types.decimal_kind(12, 2), "numeric(12,2)"),
        (sa.Numeric(), "postgresql", types.NUMBER_TEXT, "numeric"),
        (postgresql.DOUBLE_PRECISION(), "postgresql", types.FLOAT, "double"),
        (sa.REAL(), "postgresql", types.FLOAT, "double"),
        (sa.Boolean(), "sqlite", types.BOOLEAN, "boolean"),
        (sa.String(20), "postgresql", types.STRING, "varchar(20)"),
        (sa.Text(), "postgresql", types.STRING, "text"),
        (postgresql.UUID(), "postgresql", types.UUID, "uuid"),
        (sa.Date(), "postgresql", types.DATE, "date"),
        (postgresql.TIMESTAMP(), "postgresql", types.TIMESTAMP, "timestamp"),
        (postgresql.TIMESTAMP(timezone=True), "postgresql", types.TIMESTAMPTZ, "timestamptz"),
        (mysql.TIMESTAMP(), "mysql", types.TIMESTAMPTZ, "timestamptz"),
        (mysql.DATETIME(), "mysql", types.TIMESTAMP, "timestamp"),
        (sqlite.TIMESTAMP(), "sqlite", types.TIMESTAMP, "timestamp"),
        (sa.Time(), "postgresql", types.TIME, "time"),
        (postgresql.JSONB(), "postgresql", types.JSON_DOC, "json"),
        (postgresql.BYTEA(), "postgresql", types.BINARY, "bytes"),
        (mysql.LONGBLOB(), "mysql", types.BINARY, "bytes"),
        (postgresql.INTERVAL(), "postgresql", types.OTHER, "text"),
        (postgresql.ARRAY(sa.Integer()), "postgresql", types.OTHER, "text"),
        (sa.types.NullType(), "postgresql", types.OTHER, "text"),
    ],
)
def test_sql_types_map_to_kinds(
    sql_type: Any, dialect: str, kind: types.Kind, x_sql_type: str
) -> None:
    assert types.kind_of(sql_type, dialect) == kind
    assert types.x_sql_type(kind, sql_type) == x_sql_type


def test_mariadb_longtext_checked_as_json_is_json() -> None:
    assert types.kind_of(mysql.LONGTEXT(), "mysql", json_hint=True) == types.JSON_DOC
    assert types.kind_of(mysql.LONGTEXT(), "mysql") == types.STRING


def test_decimals_wider_than_decimal256_keep_the_servers_text() -> None:
    assert types.decimal_kind(76, 10).arrow == pa.decimal256(76, 10)
    assert types.decimal_kind(77, 10) == types.NUMBER_TEXT
    texts = types.number_texts(pa.array(["1.50", "NaN", None, "-Infinity", "1e400"]))
    assert texts.type == types.JSON
    assert texts.storage.to_pylist() == ["1.50", None, None, None, "1e400"]


def test_hex_text_decodes_to_binary_in_bulk() -> None:
    texts = pa.array(["00ff10", None, "", "DEADbeef"]).slice(0)
    assert hex_to_binary(texts).to_pylist() == [b"\x00\xff\x10", None, b"", b"\xde\xad\xbe\xef"]
    assert hex_to_binary(pa.array([], pa.string())).to_pylist() == []


def test_mariadb_times_and_sqlite_texts_convert() -> None:
    times = to_arrow([dt.timedelta(hours=-1, microseconds=500), dt.timedelta(hours=30)], types.TIME)
    assert times.to_pylist() == ["-00:59:59.9995", "30:00:00"]
    stamps = to_arrow(["2024-05-01 12:30:00.250000", None], types.TIMESTAMP)
    assert stamps.to_pylist() == [dt.datetime(2024, 5, 1, 12, 30, 0, 250000), None]
    assert to_arrow([1, 0, None], types.BOOLEAN).to_pylist() == [True, False, None]
    mixed = to_arrow([1, "a", 2.5], types.STRING)
    assert mixed.to_pylist() == ["1", "a", "2.5"]


def test_values_arrow_cannot_hold_are_fatal_naming_the_column(database: Database) -> None:
    if database.backend != "postgresql":
        pytest.skip("infinite timestamps are PostgreSQL's")
    database.query("CREATE TABLE edge (id INTEGER PRIMARY KEY, t TIMESTAMPTZ)")
    database.query("INSERT INTO edge VALUES (1, 'infinity')")
    source = open_source({"url": database.url, "tables": ["edge"], "mode": "snapshot"})
    try:
        with pytest.raises(FatalError, match=r"column 't'.*'infinity'"):
            source.poll()
    finally:
        source.close()


def test_postgresql_reads_the_same_through_adbc_as_through_copy(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tables of the kinds ADBC covers are read through it; what it gives equals, type for type
    and value for value, what the COPY path gives."""
    if database.backend != "postgresql":
        pytest.skip("ADBC reads PostgreSQL")
    from connectors.sql import pgadbc

    database.query(
        "CREATE TABLE kinds (id BIGINT PRIMARY KEY, i2 SMALLINT, i4 INTEGER, f4 REAL, "
        "f8 DOUBLE PRECISION, ok BOOLEAN, s TEXT, v VARCHAR(10), d DATE, t TIMESTAMP, "
        "tz TIMESTAMPTZ, dec NUMERIC(12, 2), num NUMERIC, j JSON, jb JSONB, b BYTEA)"
    )
    database.query(
        "INSERT INTO kinds VALUES (1, -2, 40000, 1.5, 0.1, true, 'a,\"b\"\nc', 'x', "
        "'2024-02-29', '2024-01-01 10:00:00.000001', '2024-01-01 10:00:00+02', 12.25, "
        "123456789012345678901234567890.000000000000000001, '{\"a\": [1, null]}', "
        "'{\"b\": 2.50}', '\\x00ff'), (2, NULL, NULL, 'NaN', 'Infinity', NULL, NULL, NULL, "
        "NULL, NULL, NULL, NULL, 'NaN', NULL, NULL, NULL)"
    )
    config = {"url": database.url, "tables": ["kinds"], "mode": "snapshot"}
    with_adbc = table(drain_one(config, adbc=True))
    monkeypatch.setattr(pgadbc, "readable", lambda relation: False)
    with_copy = table(drain_one(config, adbc=False))
    assert with_adbc.schema.equals(with_copy.schema)
    assert _same_with_nan(with_adbc, with_copy)
    wide = "123456789012345678901234567890.000000000000000001"
    assert with_adbc.column("num").to_pylist()[0] == wide


def drain_one(config: dict[str, Any], *, adbc: bool) -> Any:
    from connectors.sql import pgadbc

    source = open_source(config)
    try:
        assert pgadbc.readable(source.plans[0].relation) is adbc
        batch = source.poll()
        assert batch is not None
        return batch
    finally:
        source.close()


def _same_with_nan(left: Any, right: Any) -> bool:
    """Equal row for row, NaN counting as equal to NaN."""
    import math

    def norm(value: Any) -> Any:
        return "NaN" if isinstance(value, float) and math.isnan(value) else value

    return [{k: norm(v) for k, v in row.items()} for row in left.to_pylist()] == [
        {k: norm(v) for k, v in row.items()} for row in right.to_pylist()
    ]
