"""The columns a batch asks for: a registry schema's properties (or Arrow fields) as specs.

A ``ColumnSpec`` is what the data says about a column (its value family, nullability, length,
precision) before any database is chosen; ``ddl.sql_type`` turns it into a SQL type. Each
top-level property of the topic's schema is a column, NOT NULL when it is ``required`` and its
type does not admit null; ``anyOf``/``oneOf`` of one type and null is that type, nullable; several
types, no type, objects and arrays are JSON (integer and number together are a number).
``"x-sql-type"`` on a property overrides the mapping (see ``ddl``). Arrow types map the same way:
integers -> integer, floats -> number, decimals -> numeric, timestamps with a zone -> a zoned
date-time, structs, lists and maps -> JSON; an all-null Arrow field makes no column.

``ACCEPTS`` says which value families a column of a (reflected) family can hold: a field whose
family is not among them is a narrowing, which stops the sink.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hub.errors import FatalError

if TYPE_CHECKING:
    import pyarrow as pa

FAMILIES = ("integer", "number", "boolean", "string", "date", "datetime", "time", "uuid", "bytes")
_ANY = frozenset((*FAMILIES, "json"))
ACCEPTS: dict[str, frozenset[str]] = {
    "json": _ANY,
    "string": _ANY,  # written as text (nested values as JSON)
    "other": _ANY,  # a type we do not know: the database decides, value by value
    "number": frozenset(("integer", "number")),
    "integer": frozenset(("integer",)),
    "boolean": frozenset(("boolean",)),
    "bool_int": frozenset(("boolean", "integer")),  # MySQL's BOOL is TINYINT(1)
    "datetime": frozenset(("datetime", "date")),
    "date": frozenset(("date",)),
    "time": frozenset(("time",)),
    "uuid": frozenset(("uuid",)),
    "bytes": frozenset(("bytes",)),
}
"""Which value families a column of each family can hold: anything else is a narrowing."""

_X_SQL = re.compile(
    r"^\s*(?P<name>[a-z]+(?: precision| with time zone)?)\s*"
    r"(?:\(\s*(?P<a>\d+)\s*(?:,\s*(?P<b>\d+)\s*)?\))?\s*$"
)
_X_FAMILIES = {
    "bigint": "integer", "integer": "integer", "int": "integer", "smallint": "integer",
    "double": "number", "double precision": "number", "real": "number", "float": "number",
    "numeric": "number", "decimal": "number", "boolean": "boolean", "bool": "boolean",
    "text": "string", "varchar": "string", "date": "date", "time": "time",
    "timestamp": "datetime", "timestamptz": "datetime", "timestamp with time zone": "datetime",
    "uuid": "uuid", "bytes": "bytes", "bytea": "bytes", "blob": "bytes", "json": "json",
    "jsonb": "json",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """A column the data asks for: its value family and what shapes its SQL type."""

    name: str
    family: str
    nullable: bool = True
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    numeric: bool = False
    naive: bool = False  # timestamp without time zone
    small: str | None = None  # smallint/integer/real: the x-sql-type asked for


# -- JSON Schema -----------------------------------------------------------------------------
def columns_from_schema(schema: Mapping[str, Any]) -> list[ColumnSpec]:
    """One column per top-level property of a registry schema, in the schema's order."""
    properties = schema.get("properties")
    if schema.get("type") not in ("object", None, ["object"]) or not isinstance(properties, dict):
        return []
    required = set(schema.get("required") or ())
    return [_from_property(name, prop, name in required) for name, prop in properties.items()]


def _from_property(name: str, prop: Any, required: bool) -> ColumnSpec:
    prop = prop if isinstance(prop, dict) else {}
    prop, optional = _unwrap_null(prop)
    types = prop.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    nullable = optional or not required or "null" in types or not types
    types = [t for t in types if t != "null"]
    if "x-sql-type" in prop:
        return _x_sql_type(name, str(prop["x-sql-type"]), nullable)
    if not types and "enum" in prop and all(isinstance(v, str | None) for v in prop["enum"]):
        types = ["string"]
    if len(types) != 1:
        if types and set(types) <= {"integer", "number"}:
            return ColumnSpec(name, "number", nullable)
        return ColumnSpec(name, "json", nullable)
    kind = types[0]
    if kind in ("integer", "boolean"):
        return ColumnSpec(name, kind, nullable)
    if kind == "number":
        return ColumnSpec(name, "number", nullable, numeric=prop.get("format") == "decimal")
    if kind == "string":
        if prop.get("contentEncoding") == "base64":
            return ColumnSpec(name, "bytes", nullable)
        family = {"date": "date", "date-time": "datetime", "time": "time", "uuid": "uuid"}
        found = family.get(str(prop.get("format")), "string")
        length = prop.get("maxLength") if found == "string" else None
        return ColumnSpec(name, found, nullable, length=length if isinstance(length, int) else None)
    return ColumnSpec(name, "json", nullable)


def _unwrap_null(prop: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """``{"anyOf": [X, {"type": "null"}]}`` (or oneOf) -> (X, nullable)."""
    for word in ("anyOf", "oneOf"):
        options = prop.get(word)
        if isinstance(options, list):
            real = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
            if len(real) == 1 and isinstance(real[0], dict):
                merged = {k: v for k, v in prop.items() if k != word}
                return {**merged, **real[0]}, len(real) < len(options)
    return prop, False


def _x_sql_type(name: str, text: str, nullable: bool) -> ColumnSpec:
    match = _X_SQL.match(text.lower())
    family = _X_FAMILIES.get(match["name"]) if match else None
    if match is None or family is None:
        raise FatalError(
            f"sql sink: field {name!r} asks for x-sql-type {text!r}, which the sink does not "
            f"know; use one of {', '.join(sorted(_X_FAMILIES))}, numeric(p,s) or varchar(n)"
        )
    kind, a, b = match["name"], match["a"], match["b"]
    a_, b_ = (int(a) if a else None), (int(b) if b else None)
    return ColumnSpec(
        name,
        family,
        nullable,
        length=a_ if kind == "varchar" else None,
        precision=a_ if kind in ("numeric", "decimal") else None,
        scale=b_ if kind in ("numeric", "decimal") else None,
        numeric=kind in ("numeric", "decimal"),
        naive=kind == "timestamp",
        small=kind if kind in ("smallint", "integer", "int", "real") else None,
    )


# -- Arrow -----------------------------------------------------------------------------------
def columns_from_arrow(schema: pa.Schema) -> list[ColumnSpec]:
    """One column per Arrow field with a type (all-null fields make none), reserved ``__``
    columns left out."""
    found = []
    for field in schema:
        if field.name.startswith("__"):
            continue
        spec = arrow_column(field.name, field.type)
        if spec is not None:
            found.append(spec)
    return found


def arrow_column(name: str, type_: pa.DataType) -> ColumnSpec | None:
    import pyarrow as pa

    t = pa.types
    if t.is_dictionary(type_):
        return arrow_column(name, type_.value_type)
    if isinstance(type_, pa.BaseExtensionType):
        return ColumnSpec(name, "json") if type_.extension_name == "arrow.json" else None
    if t.is_null(type_):
        return None
    if t.is_boolean(type_):
        return ColumnSpec(name, "boolean")
    if t.is_integer(type_):
        return ColumnSpec(name, "integer")
    if t.is_floating(type_):
        return ColumnSpec(name, "number")
    if t.is_decimal(type_):
        return ColumnSpec(
            name, "number", precision=type_.precision, scale=type_.scale, numeric=True
        )
    if t.is_string(type_) or t.is_large_string(type_) or t.is_string_view(type_):
        return ColumnSpec(name, "string")
    if t.is_binary(type_) or t.is_large_binary(type_) or t.is_fixed_size_binary(type_):
        return ColumnSpec(name, "bytes")
    if t.is_timestamp(type_):
        return ColumnSpec(name, "datetime", naive=type_.tz is None)
    if t.is_date(type_):
        return ColumnSpec(name, "date")
    if t.is_time(type_):
        return ColumnSpec(name, "time")
    return ColumnSpec(name, "json")
