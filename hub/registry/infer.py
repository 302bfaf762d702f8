"""JSON Schemas derived from data, and the compatible change that makes a schema fit new data.

A pipeline that registers the schema of what it writes needs the schema of a batch
(``schema_from_arrow`` or ``schema_from_table`` for tables, ``schema_from_values`` for records)
and, when a batch no longer
fits the registered version, the smallest backward-compatible change that makes it fit
(``widen``). JSON types follow what the hub writes into the log (``hub.arrow.encode``), so that
an inferred schema accepts the JSON of the very table it came from:

- decimals are JSON numbers, binary is a base64 string, durations are numbers of seconds;
- zoned timestamps are RFC 3339 ``date-time`` strings, dates ``date`` strings; naive timestamps
  and times of day are written without an offset, which RFC 3339 requires, so they are plain
  strings.

Schemas are draft-07 without ``$schema`` (the registry's default) and open: no
``additionalProperties`` (the Confluent default). ``required`` is left out when empty.
"""

from __future__ import annotations

import copy
import datetime as dt
import decimal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from hub.arrow.columns import field_names
from hub.arrow.types import is_binary, is_list, is_string

__all__ = ["schema_from_arrow", "schema_from_table", "schema_from_values", "widen"]

_NOT_NULL = ["array", "boolean", "number", "object", "string"]
_ANNOTATIONS = ("title", "description", "$comment")
_OPAQUE = ("$ref", "allOf", "anyOf", "oneOf", "not", "if", "$dynamicRef", "$recursiveRef")
"""Keywords whose meaning ``widen`` does not reason about: such schemas are left as they are."""


# -- Arrow -----------------------------------------------------------------------------------


def schema_from_arrow(
    schema: pa.Schema, *, required: Iterable[str] = (), title: str | None = None
) -> dict[str, Any]:
    """A JSON Schema for the rows of tables of ``schema`` (reserved columns left out).

    Columns named in ``required`` are required and non-null; the others accept null. Fields of
    structs are required exactly when Arrow says they are not nullable: the hub writes every
    field of a struct, null or not. Raises ``ValueError`` for a required name that is no column.
    """
    names = field_names(schema)
    wanted = list(dict.fromkeys(required))
    unknown = [name for name in wanted if name not in names]
    if unknown:
        raise ValueError(
            f"required column(s) {', '.join(map(repr, unknown))} are not in the schema "
            f"(columns: {', '.join(names) or 'none'})"
        )
    fields = [(schema.field(name), name in wanted) for name in names]
    result: dict[str, Any] = {} if title is None else {"title": title}
    result.update(_object(fields))
    return result


def schema_from_table(
    table: pa.Table | pa.RecordBatch, *, title: str | None = None
) -> dict[str, Any]:
    """``schema_from_arrow`` for what this batch holds: its columns without nulls are required.

    What a pipeline compares with the registered schema (``widen``): Arrow marks nearly every
    column nullable, so the type alone would ask to make every registered field nullable.
    NaN and infinities count as nulls, since the hub writes them as ``null``.
    """
    names = field_names(table.schema)
    required = [name for name in names if not _has_nulls(table.column(name))]
    return schema_from_arrow(table.schema, required=required, title=title)


def _has_nulls(column: pa.Array | pa.ChunkedArray) -> bool:
    if column.null_count:
        return True
    if pa.types.is_floating(column.type):
        return not pc.all(pc.is_finite(column)).as_py()
    return False


def _object(fields: list[tuple[pa.Field, bool]]) -> dict[str, Any]:
    properties = {
        f.name: _value(f.type) if needed else _nullable(_value(f.type)) for f, needed in fields
    }
    result: dict[str, Any] = {"type": "object", "properties": properties}
    names = [f.name for f, needed in fields if needed]
    if names:
        result["required"] = names
    return result


def _field(f: pa.Field) -> dict[str, Any]:
    return _nullable(_value(f.type)) if f.nullable else _value(f.type)


def _value(type_: pa.DataType) -> dict[str, Any]:
    """The schema of the non-null values of ``type_``, as ``hub.arrow.encode`` writes them."""
    if pa.types.is_dictionary(type_):
        return _value(type_.value_type)
    if isinstance(type_, pa.BaseExtensionType):
        if type_.extension_name == "arrow.json":  # values of clashing types, kept as JSON text
            return {"type": list(_NOT_NULL)}
        return _value(type_.storage_type)
    if pa.types.is_null(type_):
        return {"type": "null"}
    if pa.types.is_boolean(type_):
        return {"type": "boolean"}
    if pa.types.is_integer(type_):
        return {"type": "integer"}
    if pa.types.is_floating(type_) or pa.types.is_decimal(type_) or pa.types.is_duration(type_):
        return {"type": "number"}
    if is_string(type_):
        return {"type": "string"}
    if is_binary(type_):
        return {"type": "string", "contentEncoding": "base64"}
    if pa.types.is_timestamp(type_):
        return {"type": "string", "format": "date-time"} if type_.tz else {"type": "string"}
    if pa.types.is_date(type_):
        return {"type": "string", "format": "date"}
    if pa.types.is_time(type_):
        return {"type": "string"}
    if pa.types.is_struct(type_):
        return _object([(f, not f.nullable) for f in type_])
    if pa.types.is_map(type_):
        return {"type": "object", "additionalProperties": _field(type_.item_field)}
    if is_list(type_):
        return {"type": "array", "items": _field(type_.value_field)}
    if pa.types.is_union(type_):
        return {"anyOf": [_nullable(_value(f.type)) for f in type_]}
    return {}  # a type without a JSON form of its own: any value


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` that also accepts null (a schema without ``type`` already does)."""
    types = schema.get("type")
    if types is None or types == "null" or (isinstance(types, list) and "null" in types):
        return schema
    result = dict(schema)
    result["type"] = [*types, "null"] if isinstance(types, list) else [types, "null"]
    if "enum" in result and None not in result["enum"]:
        result["enum"] = [*result["enum"], None]
    return result


# -- JSON-like values ------------------------------------------------------------------------


@dataclass(slots=True)
class _Shape:
    """What the values seen at one place (a field, the items of arrays) have been like."""

    types: set[str] = field(default_factory=set)
    strings: set[tuple[str, str | None]] = field(default_factory=set)
    """``(keyword, value)`` each string implies: ``("format", "date")``, or ``("", None)``."""
    objects: int = 0
    properties: dict[str, _Shape] = field(default_factory=dict)
    filled: dict[str, int] = field(default_factory=dict)
    """Per property, in how many of the ``objects`` it was present and not null."""
    items: _Shape | None = None

    def add(self, value: Any) -> None:
        if value is None:
            self.types.add("null")
        elif isinstance(value, bool):
            self.types.add("boolean")
        elif isinstance(value, int):
            self.types.add("integer")
        elif isinstance(value, float | decimal.Decimal):
            self.types.add("number")
        elif isinstance(value, Mapping):
            self.add_object(value)
        elif isinstance(value, list | tuple):
            self.types.add("array")
            items = self.items = self.items or _Shape()
            for item in value:
                items.add(item)
        else:
            self.types.add("string")
            self.strings.add(_string_kind(value))

    def add_object(self, value: Mapping[str, Any]) -> None:
        self.types.add("object")
        self.objects += 1
        for name, item in value.items():
            shape = self.properties.get(name)
            if shape is None:
                shape = self.properties[name] = _Shape()
                self.filled[name] = 0
            shape.add(item)
            if item is not None:
                self.filled[name] += 1

    def schema(self, *, nullable: bool = False) -> dict[str, Any]:
        types = self.types - {"null"}
        if "number" in types:
            types.discard("integer")
        if not types:
            return {"type": "null"}
        ordered = sorted(types)
        result: dict[str, Any] = {"type": ordered[0] if len(ordered) == 1 else ordered}
        if "string" in types and len(self.strings) == 1:
            keyword, value = next(iter(self.strings))
            if keyword:
                result[keyword] = value
        if "array" in types and self.items is not None and self.items.types:
            result["items"] = self.items.schema(nullable="null" in self.items.types)
        if "object" in types:
            result["properties"] = {
                name: shape.schema(nullable=self.filled[name] < self.objects)
                for name, shape in self.properties.items()
            }
            required = [n for n in self.properties if self.filled[n] == self.objects]
            if required:
                result["required"] = required
        return _nullable(result) if nullable or "null" in self.types else result


def _string_kind(value: Any) -> tuple[str, str | None]:
    """What a value that is written as a JSON string says about its strings."""
    if isinstance(value, dt.datetime):
        return ("format", "date-time") if value.tzinfo is not None else ("", None)
    if isinstance(value, dt.date):
        return ("format", "date")
    if isinstance(value, bytes | bytearray | memoryview):
        return ("contentEncoding", "base64")
    return ("", None)


def schema_from_values(values: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A JSON Schema for rows like ``values`` (dicts, as record-based sources produce).

    Every field of any row is a property; one present and non-null in every row is required,
    the others accept null. Integers and floats mixed are numbers; other mixes give a list of
    types. Strings carry a ``format`` only when every value was a ``datetime`` (zoned) or a
    ``date``: the content of plain strings is never guessed at.
    """
    shape = _Shape(types={"object"})
    for row, value in enumerate(values):
        if not isinstance(value, Mapping):
            raise TypeError(f"row {row} is a {type(value).__name__}, not a JSON object")
        shape.add_object(value)
    result = shape.schema()
    result.setdefault("properties", {})
    return result


# -- evolution -------------------------------------------------------------------------------


def widen(existing: Mapping[str, Any], observed: Mapping[str, Any]) -> dict[str, Any] | None:
    """The schema to register so that data described by ``observed`` fits, or ``None``.

    ``None`` means ``existing`` already takes that data (or no compatible change would help).
    Changes are backward compatible: new fields become optional nullable properties, integer
    widens to number, null is added to a type. Everything else of ``existing`` is kept, its
    ``required`` list included: rows without a required field are the data's fault, for
    validation to report. A change that cannot be made compatibly (a string field now holding
    integers) takes the observed schema plainly at that place; the registry's compatibility
    check refuses it and the pipeline reports it. Schemas using ``$ref`` or combinators are left
    as they are at that place.
    """
    wider = _widen(existing, observed)
    return None if wider is None else copy.deepcopy(wider)


def _widen(existing: Any, observed: Any) -> Any | None:
    if existing is False:
        return copy.deepcopy(observed)
    if not isinstance(existing, Mapping) or not isinstance(observed, Mapping):
        return None
    if any(key in existing for key in _OPAQUE) or any(key in observed for key in _OPAQUE):
        return None
    held, seen = _types(existing), _types(observed)
    result: dict[str, Any] | None = None
    if held is not None and seen is not None:
        missing = [t for t in seen if not _covers(held, t)]
        if any(t not in ("null", "number") for t in missing) or (
            "number" in missing and "integer" not in held
        ):
            return _plain(existing, observed)
        if missing:
            result = dict(existing)
            result["type"] = _widened_types(held, missing)
            if "null" in missing and "enum" in result and None not in result["enum"]:
                result["enum"] = [*result["enum"], None]
    if seen is None:  # nothing known of the observed values' types: nothing to reason about
        return result
    shared = seen if held is None else [t for t in seen if _covers(held, t)]
    for widen_part in (_widen_object, _widen_array, _widen_string):
        changes = widen_part(existing, observed, shared)
        if changes:
            result = dict(existing) if result is None else result
            for key, value in changes.items():
                if value is None:
                    result.pop(key, None)
                else:
                    result[key] = value
    return result


def _widen_object(
    existing: Mapping[str, Any], observed: Mapping[str, Any], shared: list[str]
) -> dict[str, Any]:
    if "object" not in shared:
        return {}
    held = existing.get("properties", {})
    if not isinstance(held, Mapping):
        return {}
    properties = dict(held)
    changed = False
    for name, schema in observed.get("properties", {}).items():
        if name in held:
            wider = _widen(held[name], schema)
        else:
            wider = (
                _nullable(copy.deepcopy(dict(schema))) if isinstance(schema, Mapping) else schema
            )
        if wider is not None:
            properties[name] = wider
            changed = True
    return {"properties": properties} if changed else {}


def _widen_array(
    existing: Mapping[str, Any], observed: Mapping[str, Any], shared: list[str]
) -> dict[str, Any]:
    if "array" not in shared or "items" not in observed or "items" not in existing:
        return {}
    wider = _widen(existing["items"], observed["items"])
    return {} if wider is None else {"items": wider}


def _widen_string(
    existing: Mapping[str, Any], observed: Mapping[str, Any], shared: list[str]
) -> dict[str, Any]:
    """A format or encoding the observed strings do not have is replaced by theirs (or none)."""
    if "string" not in shared:
        return {}
    return {
        key: observed.get(key)
        for key in ("format", "contentEncoding")
        if key in existing and existing[key] != observed.get(key)
    }


def _types(schema: Mapping[str, Any]) -> list[str] | None:
    types = schema.get("type")
    if types is None:
        return None
    return [types] if isinstance(types, str) else list(types)


def _covers(held: list[str], type_: str) -> bool:
    return type_ in held or (type_ == "integer" and "number" in held)


def _widened_types(held: list[str], missing: list[str]) -> str | list[str]:
    types = ["number" if t == "integer" and "number" in missing else t for t in held]
    if "null" in missing:
        types.append("null")
    types = list(dict.fromkeys(types))
    return types[0] if len(types) == 1 else types


def _plain(existing: Mapping[str, Any], observed: Mapping[str, Any]) -> dict[str, Any]:
    """The observed schema, with the existing one's annotations: an incompatible change."""
    result = {key: existing[key] for key in _ANNOTATIONS if key in existing}
    result.update(copy.deepcopy(dict(observed)))
    return result
