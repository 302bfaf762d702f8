"""JSON Schema and Arrow -> SQL types: the table documented in ``connectors.sql.ddl``."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite

from connectors.sql import ddl
from connectors.sql.sink_columns import columns_from_arrow, columns_from_schema
from hub.errors import FatalError

DIALECTS = {
    "postgresql": postgresql.dialect(),
    "mysql": mysql.dialect(),
    "sqlite": sqlite.dialect(),
}

# property -> (PostgreSQL, MariaDB/MySQL, SQLite) as each dialect spells the created type
MAPPING: list[tuple[dict[str, Any], tuple[str, str, str]]] = [
    ({"type": "integer"}, ("BIGINT", "BIGINT", "BIGINT")),
    ({"type": "number"}, ("DOUBLE PRECISION", "DOUBLE", "DOUBLE")),
    ({"type": "number", "format": "decimal"}, ("NUMERIC", "NUMERIC(65, 30)", "NUMERIC")),
    ({"type": "number", "x-sql-type": "numeric(12, 2)"}, ("NUMERIC(12, 2)",) * 3),
    ({"type": "boolean"}, ("BOOLEAN", "BOOL", "BOOLEAN")),
    ({"type": "string"}, ("TEXT", "LONGTEXT", "TEXT")),
    ({"type": "string", "maxLength": 5}, ("VARCHAR(5)",) * 3),
    ({"type": "string", "format": "date"}, ("DATE",) * 3),
    (
        {"type": "string", "format": "date-time"},
        ("TIMESTAMP WITH TIME ZONE", "DATETIME(6)", "DATETIME"),
    ),
    ({"type": "string", "format": "time"}, ("TIME WITHOUT TIME ZONE", "TIME(6)", "TIME")),
    ({"type": "string", "format": "uuid"}, ("UUID", "CHAR(36)", "CHAR(36)")),
    ({"type": "string", "contentEncoding": "base64"}, ("BYTEA", "LONGBLOB", "BLOB")),
    ({"type": "object"}, ("JSONB", "JSON", "JSON")),
    ({"type": "array", "items": {"type": "integer"}}, ("JSONB", "JSON", "JSON")),
    ({}, ("JSONB", "JSON", "JSON")),
    ({"type": ["integer", "string"]}, ("JSONB", "JSON", "JSON")),
    ({"type": ["integer", "number", "null"]}, ("DOUBLE PRECISION", "DOUBLE", "DOUBLE")),
    ({"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]}, ("DATE",) * 3),
    (
        {"type": "string", "x-sql-type": "timestamp"},
        ("TIMESTAMP WITHOUT TIME ZONE", "DATETIME(6)", "DATETIME"),
    ),
]  # fmt: skip


def spelled(prop: dict[str, Any], dialect: str, *, key: bool = False) -> str:
    [spec] = columns_from_schema({"type": "object", "properties": {"f": prop}})
    return str(ddl.sql_type(spec, dialect, key=key).compile(dialect=DIALECTS[dialect]))


@pytest.mark.parametrize(("prop", "expected"), MAPPING)
def test_json_schema_maps_to_the_documented_sql_types(
    prop: dict[str, Any], expected: tuple[str, str, str]
) -> None:
    assert (
        spelled(prop, "postgresql"),
        spelled(prop, "mysql"),
        spelled(prop, "sqlite"),
    ) == expected


def test_a_string_key_without_max_length_is_a_varchar_on_mariadb_only() -> None:
    assert spelled({"type": "string"}, "mysql", key=True) == "VARCHAR(255)"
    assert spelled({"type": "string"}, "postgresql", key=True) == "TEXT"


def test_required_fields_are_not_null_unless_their_type_admits_null() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": ["integer", "null"]}, "c": {}},
        "required": ["a", "b"],
    }
    assert [(s.name, s.nullable) for s in columns_from_schema(schema)] == [
        ("a", False),
        ("b", True),
        ("c", True),
    ]


def test_an_unknown_x_sql_type_stops_naming_the_field() -> None:
    with pytest.raises(FatalError, match=r"'f'.*x-sql-type 'money'"):
        spelled({"type": "number", "x-sql-type": "money"}, "postgresql")


def test_arrow_types_map_to_families() -> None:
    schema = pa.schema(
        [
            ("i", pa.int32()),
            ("f", pa.float64()),
            ("b", pa.bool_()),
            ("s", pa.string()),
            ("t", pa.timestamp("ms", "UTC")),
            ("n", pa.timestamp("ms")),
            ("d", pa.date32()),
            ("x", pa.struct([("a", pa.int64())])),
            ("l", pa.list_(pa.int64())),
            ("bin", pa.binary()),
            ("dec", pa.decimal128(10, 2)),
            ("nothing", pa.null()),
        ]
    )
    found = {s.name: (s.family, s.naive) for s in columns_from_arrow(schema)}
    assert found == {
        "i": ("integer", False),
        "f": ("number", False),
        "b": ("boolean", False),
        "s": ("string", False),
        "t": ("datetime", False),
        "n": ("datetime", True),
        "d": ("date", False),
        "x": ("json", False),
        "l": ("json", False),
        "bin": ("bytes", False),
        "dec": ("number", False),
    }


def test_family_of_reflected_types() -> None:
    assert ddl.family_of(sa.BigInteger()) == "integer"
    assert ddl.family_of(postgresql.JSONB()) == "json"
    assert ddl.family_of(mysql.TINYINT(display_width=1)) == "bool_int"
    assert ddl.family_of(sa.Numeric(10, 2)) == "number"
    assert ddl.family_of(postgresql.BYTEA()) == "bytes"
    assert ddl.family_of(sa.types.NullType()) == "other"
