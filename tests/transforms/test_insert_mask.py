"""insert and mask."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from hub.transforms.insert import Insert
from hub.transforms.mask import Mask
from tests.transforms.support import rows


def test_insert_sets_static_values_of_any_json_type() -> None:
    table = pa.table({"a": [1, 2]})
    result = Insert(
        {"fields": {"src": "crm", "n": 1, "tags": ["x"], "meta": {"v": 2}, "a": None}}
    ).apply(table)
    assert rows(result) == [{"a": None, "src": "crm", "n": 1, "tags": ["x"], "meta": {"v": 2}}] * 2


def test_insert_now_is_the_batch_time_in_utc() -> None:
    before = dt.datetime.now(dt.UTC)
    result = Insert({"fields": {"at": {"now": True}}}).apply(pa.table({"a": [1, 2]}))
    stamps = result.column("at").to_pylist()
    assert stamps[0] == stamps[1]
    moment = dt.datetime.fromisoformat(stamps[0])
    assert moment.tzinfo is not None
    assert before - dt.timedelta(seconds=1) <= moment <= dt.datetime.now(dt.UTC)


def test_mask_replaces_values_and_keeps_nulls(orders: pa.Table) -> None:
    result = Mask({"fields": ["card", "customer.name", "nope"]}).apply(orders)
    assert result.column("card").to_pylist() == ["****", None, "****"]
    assert [r["customer"] for r in rows(result)][:2] == [
        {"name": "****", "address": {"city": "Oslo"}},
        {"name": "****", "address": None},
    ]


def test_mask_keeps_the_last_characters_of_long_enough_values(orders: pa.Table) -> None:
    result = Mask({"fields": ["card"], "replacement": "#", "keep_last": 4}).apply(orders)
    assert result.column("card").to_pylist() == ["#1111", None, "#"]


def test_mask_counts_characters_not_bytes_and_masks_numbers_as_text() -> None:
    table = pa.table({"s": ["héllo"], "n": [123456]})
    result = Mask({"fields": ["s", "n"], "keep_last": 3}).apply(table)
    assert rows(result) == [{"s": "****llo", "n": "****456"}]
