"""rename, drop, keep."""

from __future__ import annotations

import pyarrow as pa
import pytest

from hub.errors import ConfigError
from hub.sdk import KEY_COLUMN
from hub.transforms.fields import Drop, Keep, Rename
from tests.transforms.support import rows


def test_rename_renames_in_place(orders: pa.Table) -> None:
    result = Rename({"fields": {"amount": "total", "nope": "x"}}).apply(orders)
    assert result.column_names == ["id", "total", "currency", "card", "customer"]


def test_renaming_onto_an_existing_field_replaces_it() -> None:
    table = pa.table({"a": [1], "b": [2], "c": [3]})
    assert rows(Rename({"fields": {"a": "b"}}).apply(table)) == [{"b": 1, "c": 3}]


def test_renames_can_swap_fields() -> None:
    table = pa.table({"a": [1], "b": [2]})
    assert rows(Rename({"fields": {"a": "b", "b": "a"}}).apply(table)) == [{"b": 1, "a": 2}]


def test_two_fields_cannot_get_the_same_name() -> None:
    with pytest.raises(ConfigError, match="several fields are renamed to x"):
        Rename({"fields": {"a": "x", "b": "x"}})


def test_drop_removes_fields_and_nested_fields(orders: pa.Table) -> None:
    result = Drop({"fields": ["card", "customer.address", "nope", "customer.nope"]}).apply(orders)
    assert rows(result)[0] == {
        "id": 1,
        "amount": "10.5",
        "currency": "EUR",
        "customer": {"name": "Ann"},
    }
    assert rows(result)[2]["customer"] is None


def test_keep_keeps_listed_fields_in_the_batch_order_and_the_reserved_columns() -> None:
    table = pa.table({"a": [1], "b": [2], "c": [3], KEY_COLUMN: [b"k"]})
    result = Keep({"fields": ["c", "a", "nope"]}).apply(table)
    assert result.column_names == ["a", "c", KEY_COLUMN]
