"""filter and route."""

from __future__ import annotations

import pyarrow as pa
import pytest

from hub.arrow import split_reserved
from hub.errors import ConfigError
from hub.transforms.errors import FieldNotFoundError, RowsFailed
from hub.transforms.filter import Filter
from hub.transforms.route import Route, parse_template


def test_filter_keeps_matching_rows_in_order(orders: pa.Table) -> None:
    result = Filter({"condition": "currency IN ('EUR', 'USD') AND id > 0"}).apply(orders)
    assert result.column("id").to_pylist() == [1, 2]


def test_filter_drop_removes_matching_rows_and_keeps_null_ones(orders: pa.Table) -> None:
    result = Filter({"condition": "currency = 'EUR'", "drop": True}).apply(orders)
    assert result.column("id").to_pylist() == [2, 3]


def test_filter_on_an_unknown_field_fails_every_row(orders: pa.Table) -> None:
    with pytest.raises(FieldNotFoundError) as caught:
        Filter({"condition": "curency = 'EUR'"}).apply(orders)
    assert caught.value.rows == [0, 1, 2]


def test_route_fills_the_template_per_record(orders: pa.Table) -> None:
    result = Route({"topic": "orders-{currency}.{id}", "default": "orders-other"}).apply(orders)
    _, _, topics = split_reserved(result)
    assert topics == ["orders-EUR.1", "orders-USD.2", "orders-other"]


def test_route_without_default_fails_records_with_null_fields(orders: pa.Table) -> None:
    with pytest.raises(RowsFailed, match="no valid topic") as caught:
        Route({"topic": "orders-{currency}"}).apply(orders)
    assert caught.value.rows == [2]


def test_route_fails_records_whose_topic_is_not_a_topic_name() -> None:
    table = pa.table({"c": ["ok", "not ok", "a/b"]})
    with pytest.raises(RowsFailed, match="t-a/b, t-not ok") as caught:
        Route({"topic": "t-{c}"}).apply(table)
    assert caught.value.rows == [1, 2]


def test_route_reaches_into_nested_fields_and_a_static_template_routes_everything() -> None:
    table = pa.table({"s": [{"r": "eu"}, {"r": "us"}]})
    assert split_reserved(Route({"topic": "x-{s.r}"}).apply(table))[2] == ["x-eu", "x-us"]
    assert split_reserved(Route({"topic": "all"}).apply(table))[2] == ["all", "all"]


def test_templates_parse_fields_and_literal_braces() -> None:
    assert parse_template("a-{x}{{b}}-{ y.z }") == [
        ("a-", False),
        ("x", True),
        ("{b}-", False),
        ("y.z", True),
    ]
    with pytest.raises(ConfigError, match="stray"):
        parse_template("a-{}")
