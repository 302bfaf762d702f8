"""SQL column types as Arrow types and JSON Schemas, the same on every database.

A reflected column gets a ``Kind``: the Arrow type its values take in a batch, and the JSON
Schema of the JSON the hub writes for them (``hub.arrow`` encodes the Arrow types; the schema says
what comes out, so that it validates the very records it describes). The table of SQL types,
Arrow types and JSON is in docs/sql.md ("Source: SQL columns to JSON").

Columns that may hold NULL accept ``null`` too; NOT NULL columns (and primary keys) are required.
Each property also carries ``x-sql-type`` in the words the ``sql`` sink creates columns from
(``smallint``, ``integer``, ``bigint``, ``numeric(p,s)``, ``double``, ``boolean``, ``text``,
``varchar(n)``, ``uuid``, ``date``, ``timestamp``, ``timestamptz``, ``time``, ``json``, ``bytes``;
unsigned bigint is ``numeric(20,0)``), so a table copied through the hub keeps its types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

JSON = pa.json_(pa.string())
NON_FINITE = pa.array(["NaN", "Infinity", "-Infinity", "nan", "inf", "-inf"])


@dataclass(frozen=True, slots=True)
class Kind:
    """How the values of one column are typed in batches and described in schemas."""

    name: str
    arrow: pa.DataType | None  # None: inferred from the values of each batch
    schema: Mapping[str, Any] = field(default_factory=dict)
    may_write_null: bool = False  # NaN and infinities are written as null even when NOT NULL


def _k(name: str, arrow: pa.DataType | None, schema: Mapping[str, Any], **kw: Any) -> Kind:
    return Kind(name, arrow, schema, **kw)


INT16 = _k("integer", pa.int16(), {"type": "integer"})
INT32 = _k("integer", pa.int32(), {"type": "integer"})
INT64 = _k("integer", pa.int64(), {"type": "integer"})
UINT64 = _k("integer", pa.uint64(), {"type": "integer"})
NUMBER_TEXT = _k("number_text", JSON, {"type": "number"}, may_write_null=True)
FLOAT = _k("float", pa.float64(), {"type": "number"}, may_write_null=True)
BOOLEAN = _k("boolean", pa.bool_(), {"type": "boolean"})
STRING = _k("string", pa.string(), {"type": "string"})
UUID = _k("uuid", pa.string(), {"type": "string", "format": "uuid"})
DATE = _k("date", pa.date32(), {"type": "string", "format": "date"})
TIMESTAMP = _k("timestamp", pa.timestamp("us"), {"type": "string"})
TIMESTAMPTZ = _k(
    "timestamptz", pa.timestamp("us", "UTC"), {"type": "string", "format": "date-time"}
)
TIME = _k("time", pa.string(), {"type": "string"})
JSON_DOC = _k("json", JSON, {})
BINARY = _k("binary", pa.binary(), {"type": "string", "contentEncoding": "base64"})
OTHER = _k("text", pa.string(), {"type": "string"})
AUTO = _k("auto", None, {})


def decimal_kind(precision: int | None, scale: int | None) -> Kind:
    """decimal128/256 for a declared precision; the server's text for an unconstrained one."""
    if not precision or precision > 76:
        return NUMBER_TEXT
    scale = scale or 0
    arrow = pa.decimal128(precision, scale) if precision <= 38 else pa.decimal256(precision, scale)
    return Kind("decimal", arrow, {"type": "number"})


def kind_of(sql_type: Any, dialect: str, *, json_hint: bool = False) -> Kind:
    """The ``Kind`` of a reflected SQLAlchemy type on ``dialect`` (``postgresql``, ``mysql``...).

    ``json_hint`` marks a MariaDB LONGTEXT that is JSON (a ``json_valid`` check constraint).
    """
    import sqlalchemy as sa

    name = type(sql_type).__name__.upper()
    if json_hint or isinstance(sql_type, sa.JSON):
        return JSON_DOC
    if isinstance(sql_type, sa.Boolean):
        return BOOLEAN
    if isinstance(sql_type, sa.Integer):
        return _integer(sql_type, dialect, name)
    if isinstance(sql_type, sa.Float) or name in ("REAL", "DOUBLE", "DOUBLE_PRECISION", "FLOAT"):
        return FLOAT
    if isinstance(sql_type, sa.Numeric):
        return decimal_kind(getattr(sql_type, "precision", None), getattr(sql_type, "scale", None))
    if isinstance(sql_type, sa.Uuid):
        return UUID
    if isinstance(sql_type, sa.DateTime):
        aware = bool(getattr(sql_type, "timezone", False)) or (
            dialect in ("mysql", "mariadb") and name == "TIMESTAMP"
        )
        return TIMESTAMPTZ if aware and dialect != "sqlite" else TIMESTAMP
    if isinstance(sql_type, sa.Date):
        return DATE
    if isinstance(sql_type, sa.Time):
        return TIME
    if isinstance(sql_type, sa.LargeBinary | sa.types._Binary):
        return BINARY
    if isinstance(sql_type, sa.String) and not isinstance(sql_type, sa.Interval):
        return STRING
    return OTHER


def _integer(sql_type: Any, dialect: str, name: str) -> Kind:
    import sqlalchemy as sa

    unsigned = bool(getattr(sql_type, "unsigned", False))
    if dialect == "sqlite":
        return INT64
    if name == "TINYINT" and getattr(sql_type, "display_width", None) == 1 and not unsigned:
        return BOOLEAN  # MariaDB's BOOLEAN is TINYINT(1)
    if isinstance(sql_type, sa.BigInteger):
        return UINT64 if unsigned else INT64
    if isinstance(sql_type, sa.SmallInteger) or name == "TINYINT":
        return INT32 if unsigned else INT16
    return INT64 if unsigned else INT32


_PG_NAMES: dict[str, Kind] = {
    "int2": INT16,
    "int4": INT32,
    "int8": INT64,
    "oid": INT64,
    "float4": FLOAT,
    "float8": FLOAT,
    "bool": BOOLEAN,
    "text": STRING,
    "varchar": STRING,
    "bpchar": STRING,
    "name": STRING,
    "citext": STRING,
    "uuid": UUID,
    "date": DATE,
    "timestamp": TIMESTAMP,
    "timestamptz": TIMESTAMPTZ,
    "time": TIME,
    "json": JSON_DOC,
    "jsonb": JSON_DOC,
    "bytea": BINARY,
}


def kind_of_pg(type_name: str | None, precision: int | None, scale: int | None) -> Kind:
    """The ``Kind`` of a PostgreSQL result column, from its type name (queries have no table
    to reflect: their columns come from the result description)."""
    if type_name == "numeric":
        return decimal_kind(precision, scale)
    return _PG_NAMES.get(type_name or "", OTHER)


_X_SQL_TYPES = {
    "number_text": "numeric",
    "float": "double",
    "boolean": "boolean",
    "uuid": "uuid",
    "date": "date",
    "timestamp": "timestamp",
    "timestamptz": "timestamptz",
    "time": "time",
    "json": "json",
    "binary": "bytes",
    "text": "text",
}


def x_sql_type(kind: Kind, sql_type: Any = None) -> str | None:
    """The column's type in the words ``x-sql-type`` uses (what the ``sql`` sink creates):
    ``bigint``, ``numeric(38,9)``, ``varchar(20)``, ``timestamptz``...; ``None`` if unknown."""
    arrow = kind.arrow
    if kind.name == "integer" and arrow is not None:
        if arrow == pa.uint64():
            return "numeric(20,0)"  # past bigint's range
        return {16: "smallint", 32: "integer"}.get(arrow.bit_width, "bigint")
    if kind.name == "decimal" and isinstance(arrow, pa.Decimal128Type | pa.Decimal256Type):
        return f"numeric({arrow.precision},{arrow.scale})"
    if kind.name == "string":
        length = getattr(sql_type, "length", None)
        return f"varchar({length})" if isinstance(length, int) and length > 0 else "text"
    return _X_SQL_TYPES.get(kind.name)


def column_schema(kind: Kind, nullable: bool, sql_type: str | None) -> dict[str, Any]:
    """The JSON Schema of one column's JSON values."""
    schema = dict(kind.schema)
    types = schema.get("type")
    if types is not None and (nullable or kind.may_write_null):
        schema["type"] = [types, "null"]
    if sql_type:
        schema["x-sql-type"] = sql_type
    return schema


def from_text(texts: pa.Array, kind: Kind) -> pa.Array | None:
    """A column the server gave as text (a string array), in ``kind``'s Arrow type: decimals
    exactly (NaN and infinities as null), unconstrained numerics and JSON as ``arrow.json``;
    ``None`` for the other kinds."""
    if kind.name == "decimal":
        texts = pc.if_else(pc.is_in(texts, NON_FINITE), pa.scalar(None, pa.string()), texts)
        return pc.cast(texts, kind.arrow)
    if kind.name == "number_text":
        return number_texts(texts)
    if kind.name == "json":
        return pa.ExtensionArray.from_storage(JSON, texts)
    return None


def number_texts(texts: pa.Array) -> pa.Array:
    """Decimal texts as ``arrow.json`` numbers; NaN and infinities (no JSON form) as null."""
    texts = pc.if_else(pc.is_in(texts, NON_FINITE), pa.scalar(None, pa.string()), texts)
    return pa.ExtensionArray.from_storage(JSON, texts)
