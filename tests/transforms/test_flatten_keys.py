"""flatten and value_to_key."""

from __future__ import annotations

import pyarrow as pa

from hub.arrow import split_reserved
from hub.sdk import KEY_COLUMN
from hub.transforms.flatten import Flatten
from hub.transforms.value_to_key import ValueToKey
from tests.transforms.support import rows


def test_flatten_names_nested_fields_by_their_path_in_place(orders: pa.Table) -> None:
    result = Flatten({}).apply(orders)
    assert result.column_names == [
        "id", "amount", "currency", "card", "customer.name", "customer.address.city",
    ]  # fmt: skip
    assert rows(result)[1]["customer.address.city"] is None
    assert rows(result)[2]["customer.name"] is None


def test_flatten_with_another_separator_leaves_lists_and_reserved_columns() -> None:
    table = pa.table({"a": [{"b": [{"c": 1}]}], KEY_COLUMN: [b"k"]})
    result = Flatten({"separator": "_"}).apply(table)
    assert result.column_names == ["a_b", KEY_COLUMN]
    assert rows(result) == [{"a_b": [{"c": 1}]}]


def test_flatten_without_structs_returns_the_batch() -> None:
    table = pa.table({"a": [1]})
    assert Flatten({}).apply(table) is table


def test_one_field_gives_its_text_as_key(orders: pa.Table) -> None:
    result = ValueToKey({"fields": ["currency"]}).apply(orders)
    _, keys, _ = split_reserved(result)
    assert keys == [b"EUR", b"USD", None]
    assert "currency" in result.column_names


def test_numbers_and_nested_fields_give_their_json_text(orders: pa.Table) -> None:
    _, keys, _ = split_reserved(ValueToKey({"fields": ["id"]}).apply(orders))
    assert keys == [b"1", b"2", b"3"]
    _, keys, _ = split_reserved(ValueToKey({"fields": ["customer.name"]}).apply(orders))
    assert keys == [b"Ann", b"Bo", None]


def test_several_fields_give_a_json_object(orders: pa.Table) -> None:
    _, keys, _ = split_reserved(ValueToKey({"fields": ["currency", "id", "nope"]}).apply(orders))
    assert keys == [
        b'{"currency":"EUR","id":1,"nope":null}',
        b'{"currency":"USD","id":2,"nope":null}',
        b'{"currency":null,"id":3,"nope":null}',
    ]
