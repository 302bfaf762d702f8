"""Inferred schemas accept the JSON the hub writes for their data; ``widen`` evolves compatibly."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import jsonschema_rs
import orjson
import pyarrow as pa
import pytest

from hub.arrow import JSON_TYPE, dicts_to_table, table_to_json_values
from hub.registry.infer import schema_from_arrow, schema_from_table, schema_from_values, widen
from hub.sdk import KEY_COLUMN


def accepts(schema: dict[str, Any], values: list[bytes]) -> list[int]:
    """The rows of ``values`` the schema rejects (formats asserted)."""
    validator = jsonschema_rs.Draft7Validator(schema, validate_formats=True)
    return [i for i, v in enumerate(values) if not validator.is_valid(orjson.loads(v))]


def every_type_table() -> pa.Table:
    utc = pa.timestamp("us", tz="UTC")
    return pa.table(
        {
            "i": pa.array([1, None], pa.int32()),
            "u": pa.array([2**64 - 1, 0], pa.uint64()),
            "f": pa.array([1.5, float("nan")], pa.float32()),
            "d": pa.array([decimal.Decimal("1.25"), None], pa.decimal128(5, 2)),
            "b": [True, None],
            "s": ["x", None],
            "ls": pa.array(["y", "z"], pa.large_string()),
            "cat": pa.array(["a", "b"]).dictionary_encode(),
            "bin": pa.array([b"\x00\x01", None]),
            "ts": pa.array([0, 1_700_000_000_000_000], utc),
            "zoned": pa.array([0, None], pa.timestamp("s", tz="Europe/Paris")),
            "naive": pa.array([0, 1], pa.timestamp("ms")),
            "day": pa.array([0, 19_000], pa.date32()),
            "time": pa.array([0, 3_600_000_000], pa.time64("us")),
            "nothing": pa.nulls(2),
            "st": pa.array(
                [{"a": 1, "b": "x"}, None], pa.struct([("a", pa.int64()), ("b", pa.string())])
            ),
            "li": pa.array([[1, None], None], pa.list_(pa.int64())),
            "m": pa.array([[("k", 1)], None], pa.map_(pa.string(), pa.int64())),
            "j": pa.ExtensionArray.from_storage(JSON_TYPE, pa.array(['{"a":1}', "2"])),
        }
    )


def test_every_type_maps_to_the_json_the_hub_writes() -> None:
    schema = schema_from_arrow(every_type_table().schema)
    properties = schema["properties"]
    assert properties["i"] == {"type": ["integer", "null"]}
    assert properties["f"] == {"type": ["number", "null"]}
    assert properties["d"] == {"type": ["number", "null"]}
    assert properties["cat"] == {"type": ["string", "null"]}
    assert properties["bin"] == {"type": ["string", "null"], "contentEncoding": "base64"}
    assert properties["ts"] == {"type": ["string", "null"], "format": "date-time"}
    assert properties["naive"] == {"type": ["string", "null"]}  # no offset: not RFC 3339
    assert properties["day"] == {"type": ["string", "null"], "format": "date"}
    assert properties["time"] == {"type": ["string", "null"]}
    assert properties["nothing"] == {"type": "null"}
    assert properties["li"] == {"type": ["array", "null"], "items": {"type": ["integer", "null"]}}
    assert properties["st"]["properties"] == {
        "a": {"type": ["integer", "null"]},
        "b": {"type": ["string", "null"]},
    }
    assert properties["m"]["additionalProperties"] == {"type": ["integer", "null"]}
    assert "additionalProperties" not in schema
    assert "required" not in schema


def test_a_table_validates_against_its_own_inferred_schema() -> None:
    table = every_type_table()
    schema = schema_from_arrow(table.schema)
    assert accepts(schema, table_to_json_values(table)) == []


def test_required_columns_are_required_and_not_null() -> None:
    table = pa.table({"id": [1, 2], "name": ["a", None]})
    schema = schema_from_arrow(table.schema, required=["id"], title="people")
    assert schema == {
        "title": "people",
        "type": "object",
        "properties": {"id": {"type": "integer"}, "name": {"type": ["string", "null"]}},
        "required": ["id"],
    }
    assert accepts(schema, [b'{"name":"a"}', b'{"id":null}', b'{"id":1}']) == [0, 1]


def test_a_table_s_own_schema_requires_the_columns_without_nulls() -> None:
    table = pa.table({"id": [1, 2], "name": ["a", None], "score": [1.0, float("nan")]})
    schema = schema_from_table(table)
    assert schema["required"] == ["id"]
    assert schema["properties"]["score"] == {"type": ["number", "null"]}
    assert accepts(schema, table_to_json_values(table)) == []


def test_struct_fields_that_are_not_nullable_are_required() -> None:
    type_ = pa.struct([pa.field("a", pa.int64(), nullable=False), ("b", pa.string())])
    schema = schema_from_arrow(pa.schema([("s", type_)]))
    assert schema["properties"]["s"]["required"] == ["a"]
    assert schema["properties"]["s"]["properties"]["a"] == {"type": "integer"}


def test_reserved_columns_are_left_out() -> None:
    schema = schema_from_arrow(pa.schema([("a", pa.int64()), (KEY_COLUMN, pa.binary())]))
    assert list(schema["properties"]) == ["a"]


def test_a_required_name_that_is_no_column_is_refused() -> None:
    with pytest.raises(ValueError, match="'nope'"):
        schema_from_arrow(pa.schema([("a", pa.int64())]), required=["nope"])


# -- from values -----------------------------------------------------------------------------


def test_fields_missing_or_null_somewhere_are_optional_and_nullable() -> None:
    rows = [{"id": 1, "name": "a", "note": None}, {"id": 2, "score": 1.5}]
    assert schema_from_values(rows) == {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": ["string", "null"]},
            "note": {"type": "null"},
            "score": {"type": ["number", "null"]},
        },
        "required": ["id"],
    }


def test_integers_and_floats_together_are_numbers_and_other_mixes_list_their_types() -> None:
    rows = [{"n": 1, "x": "a"}, {"n": 2.5, "x": 3}, {"n": 3, "x": True}]
    properties = schema_from_values(rows)["properties"]
    assert properties["n"] == {"type": "number"}
    assert properties["x"] == {"type": ["boolean", "integer", "string"]}


def test_nested_objects_and_arrays_are_inferred_from_every_value() -> None:
    rows = [
        {"address": {"zip": "1"}, "tags": ["a"]},
        {"address": {"zip": "2", "city": "x"}, "tags": [1, None]},
    ]
    properties = schema_from_values(rows)["properties"]
    assert properties["address"] == {
        "type": "object",
        "properties": {"zip": {"type": "string"}, "city": {"type": ["string", "null"]}},
        "required": ["zip"],
    }
    assert properties["tags"] == {"type": "array", "items": {"type": ["integer", "string", "null"]}}


def test_python_values_take_the_json_form_the_hub_gives_them() -> None:
    utc = dt.UTC
    rows = [
        {
            "at": dt.datetime(2024, 1, 1, tzinfo=utc),
            "naive": dt.datetime(2024, 1, 1),
            "day": dt.date(2024, 1, 1),
            "raw": b"\x00",
            "amount": decimal.Decimal("1.5"),
        }
    ]
    schema = schema_from_values(rows)
    properties = schema["properties"]
    assert properties["at"] == {"type": "string", "format": "date-time"}
    assert properties["naive"] == {"type": "string"}
    assert properties["day"] == {"type": "string", "format": "date"}
    assert properties["raw"] == {"type": "string", "contentEncoding": "base64"}
    assert properties["amount"] == {"type": "number"}
    assert accepts(schema, table_to_json_values(dicts_to_table(rows))) == []


def test_rows_validate_against_the_schema_inferred_from_them() -> None:
    rows = [
        {"a": 1, "b": [1, 2.5], "c": {"d": None}},
        {"a": 2.5, "c": {"d": "x", "e": [{"f": 1}]}},
        {"a": None, "b": [], "g": False},
    ]
    schema = schema_from_values(rows)
    assert accepts(schema, [orjson.dumps(row) for row in rows]) == []


def test_a_row_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(TypeError, match="row 1"):
        schema_from_values([{"a": 1}, [1, 2]])  # type: ignore[list-item]


def test_no_rows_give_an_empty_object_schema() -> None:
    assert schema_from_values([]) == {"type": "object", "properties": {}}


# -- widen -----------------------------------------------------------------------------------

EXISTING: dict[str, Any] = {
    "title": "order",
    "type": "object",
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "qty": {"type": "integer", "maximum": 10},
        "status": {"type": "string", "enum": ["new", "paid"]},
        "address": {"type": "object", "properties": {"zip": {"type": "string"}}},
    },
    "required": ["id", "status"],
}


def observed(**properties: Any) -> dict[str, Any]:
    base = {
        "id": {"type": "integer"},
        "qty": {"type": "integer"},
        "status": {"type": "string"},
        "address": {"type": "object", "properties": {"zip": {"type": "string"}}},
    }
    base.update(properties)
    return {"type": "object", "properties": base, "required": ["id"]}


def test_nothing_new_gives_none() -> None:
    assert widen(EXISTING, observed()) is None
    assert widen(EXISTING, schema_from_table(pa.table({"id": pa.array([5], pa.int8())}))) is None


def test_a_new_field_becomes_an_optional_nullable_property() -> None:
    wider = widen(EXISTING, observed(note={"type": "string"}))
    assert wider is not None
    assert wider["properties"]["note"] == {"type": ["string", "null"]}
    assert wider["required"] == ["id", "status"]
    assert wider["title"] == "order"
    assert {k: v for k, v in wider["properties"].items() if k != "note"} == EXISTING["properties"]


def test_new_fields_inside_objects_are_added_too() -> None:
    address = {
        "type": "object",
        "properties": {"zip": {"type": "string"}, "city": {"type": "string"}},
    }
    wider = widen(EXISTING, observed(address=address))
    assert wider is not None
    assert wider["properties"]["address"]["properties"]["city"] == {"type": ["string", "null"]}


def test_integer_widens_to_number_keeping_constraints() -> None:
    wider = widen(EXISTING, observed(qty={"type": "number"}))
    assert wider is not None
    assert wider["properties"]["qty"] == {"type": "number", "maximum": 10}


def test_null_is_added_to_the_type_and_to_an_enum() -> None:
    wider = widen(EXISTING, observed(status={"type": ["string", "null"]}))
    assert wider is not None
    assert wider["properties"]["status"] == {
        "type": ["string", "null"],
        "enum": ["new", "paid", None],
    }


def test_an_incompatible_change_takes_the_observed_type_plainly() -> None:
    wider = widen(EXISTING, observed(status={"type": "integer"}))
    assert wider is not None
    assert wider["properties"]["status"] == {"type": "integer"}


def test_a_string_format_the_data_lacks_is_replaced() -> None:
    existing = {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}}}
    naive = {"type": "object", "properties": {"at": {"type": "string"}}}
    assert widen(existing, naive) == {"type": "object", "properties": {"at": {"type": "string"}}}
    zoned = {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}}}
    assert widen(naive, zoned) is None


def test_array_items_are_widened() -> None:
    existing = {
        "type": "object",
        "properties": {"xs": {"type": "array", "items": {"type": "integer"}}},
    }
    seen = {"type": "object", "properties": {"xs": {"type": "array", "items": {"type": "number"}}}}
    wider = widen(existing, seen)
    assert wider is not None
    assert wider["properties"]["xs"]["items"] == {"type": "number"}


def test_schemas_with_combinators_are_left_alone() -> None:
    existing = {"type": "object", "properties": {"x": {"anyOf": [{"type": "string"}]}}}
    seen = {"type": "object", "properties": {"x": {"type": "integer"}}}
    assert widen(existing, seen) is None


def test_widen_never_changes_its_arguments() -> None:
    existing = orjson.loads(orjson.dumps(EXISTING))
    seen = observed(qty={"type": "number"}, note={"type": "string"})
    before = orjson.dumps(seen)
    wider = widen(existing, seen)
    assert wider is not None
    wider["properties"]["id"]["minimum"] = 99
    assert existing == EXISTING
    assert orjson.dumps(seen) == before


def test_the_widened_schema_accepts_the_new_data() -> None:
    old = pa.table({"id": [1], "qty": [3]})
    new = pa.table({"id": [2], "qty": [2.5], "note": ["x"]})
    registered = schema_from_arrow(old.schema, required=["id"])
    wider = widen(registered, schema_from_arrow(new.schema, required=["id"]))
    assert wider is not None
    assert accepts(wider, table_to_json_values(new)) == []
    assert accepts(wider, table_to_json_values(old)) == []
