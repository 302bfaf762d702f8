"""Conditions: SQL WHERE syntax parsed by sqlglot, bound to Arrow, evaluated on whole tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.errors import ConfigError
from hub.expressions import compile_condition
from hub.transforms.errors import FieldNotFoundError


@pytest.fixture
def orders() -> pa.Table:
    return pa.table(
        {
            "id": [1, 2, 3, 4],
            "amount": [10.0, 250.5, None, 99.0],
            "currency": ["EUR", "usd", "EUR", None],
            "paid": [True, False, None, True],
            "at": pa.array(
                [dt.datetime(2024, 1, 1), dt.datetime(2024, 6, 1), None, dt.datetime(2020, 1, 1)],
                pa.timestamp("s"),
            ),
            "customer": [
                {"tier": "gold", "age": 40},
                {"tier": "basic", "age": 20},
                None,
                {"tier": None, "age": 31},
            ],
            "tags": [["a"], [], None, ["a", "b"]],
            "a.b": [1, 2, 3, 4],
        }
    )


def matching(condition: str, table: pa.Table) -> list[int]:
    mask = compile_condition(condition).mask(table).to_pylist()
    return [table.column("id")[i].as_py() for i, hit in enumerate(mask) if hit]


@pytest.mark.parametrize(
    ("condition", "ids"),
    [
        ("amount > 50", [2, 4]),
        ("amount >= 99 AND currency = 'EUR'", []),
        ("amount < 50 OR currency IS NULL", [1, 4]),
        ("NOT amount > 50", [1]),
        ("currency <> 'EUR'", [2]),
        ("currency != 'EUR'", [2]),
        ("id IN (1, 3, 5)", [1, 3]),
        ("id NOT IN (1, 3)", [2, 4]),
        ("currency IN ('EUR', NULL)", [1, 3]),
        ("amount IN (10, 99.0)", [1, 4]),
        ("id BETWEEN 2 AND 3", [2, 3]),
        ("id NOT BETWEEN 2 AND 3", [1, 4]),
        ("currency LIKE 'E%'", [1, 3]),
        ("currency LIKE '_s_'", [2]),
        ("currency ILIKE 'US%'", [2]),
        ("currency NOT LIKE 'E%'", [2]),
        ("amount IS NULL", [3]),
        ("amount IS NOT NULL", [1, 2, 4]),
        ("paid", [1, 4]),
        ("paid IS TRUE", [1, 4]),
        ("paid IS FALSE", [2]),
        ("paid = TRUE AND NOT paid = FALSE", [1, 4]),
        ("amount * 2 + 1 > 200", [2]),
        ("amount / 4 = 2.5", [1]),
        ("id % 2 = 0", [2, 4]),
        ("-id < -3", [4]),
        ("abs(amount - 100) < 5", [4]),
        ("lower(currency) = 'eur'", [1, 3]),
        ("upper(currency) = 'USD'", [2]),
        ("length(currency) = 3", [1, 2, 3]),
        ("length(tags) = 2", [4]),
        ("coalesce(amount, 0) = 0", [3]),
        ("coalesce(currency, 'none') = 'none'", [4]),
        ("customer.tier = 'gold'", [1]),
        ("customer.age > 30", [1, 4]),
        ('"a.b" = 2', [2]),
        ("a.b = 3", [3]),
        ("at > '2023-06-01'", [1, 2]),
        ("at BETWEEN '2024-01-01' AND '2024-01-02'", [1]),
        ("at < now() - INTERVAL '1' DAY", [1, 2, 4]),
        ("at < current_timestamp", [1, 2, 4]),
        ("at > TIMESTAMP '2024-03-01'", [2]),
        ("at - INTERVAL '7' DAY < '2020-01-01'", [4]),
        ("CAST(id AS VARCHAR) = '2'", [2]),
        ("CAST(amount AS BIGINT) = 99", [4]),
        ("amount = NULL", []),
        ("TRUE", [1, 2, 3, 4]),
        ("(id = 1 OR id = 2) AND amount > 100", [2]),
    ],
)
def test_conditions_select_the_rows_sql_would(
    condition: str, ids: list[int], orders: pa.Table
) -> None:
    assert matching(condition, orders) == ids


def test_null_never_matches_and_its_negation_does_not_either(orders: pa.Table) -> None:
    assert 3 not in matching("amount > 0", orders)
    assert 3 not in matching("NOT amount > 0", orders)


def test_matches_evaluates_one_record() -> None:
    condition = compile_condition("amount > 100 AND customer.tier = 'gold'")
    assert condition.matches({"amount": 150, "customer": {"tier": "gold"}})
    assert not condition.matches({"amount": 150, "customer": {"tier": "basic"}})
    assert not condition.matches({"amount": None, "customer": {"tier": "gold"}})


def test_a_condition_is_compiled_once_and_bound_once_per_schema(orders: pa.Table) -> None:
    condition = compile_condition("amount > 50")
    first = condition.expression(orders.schema)
    assert condition.expression(orders.schema) is first
    assert condition.fields == ["amount"]


def test_row_order_is_kept_across_chunks() -> None:
    table = pa.concat_tables(
        [pa.table({"n": list(range(i, i + 1000))}) for i in range(0, 5000, 1000)]
    )
    mask = compile_condition("n % 3 = 0").mask(table)
    assert mask.to_pylist() == [n % 3 == 0 for n in range(5000)]


def test_an_empty_table_gives_an_empty_mask() -> None:
    assert len(compile_condition("a > 1").mask(pa.table({"a": pa.array([], pa.int64())}))) == 0


@given(
    st.lists(st.none() | st.integers(-100, 100), min_size=1, max_size=30), st.integers(-100, 100)
)
def test_masks_agree_with_python(values: list[int | None], bound: int) -> None:
    table = pa.table({"x": pa.array(values, pa.int64())})
    mask = compile_condition(f"x > {bound} OR x IS NULL AND {bound} > 0").mask(table)
    assert mask.to_pylist() == [
        (v is not None and v > bound) or (v is None and bound > 0) for v in values
    ]


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("amount >", r"column 8 \('>'\)"),
        ("amount > 1 garbage", r"column 12 \('garbage'\)"),
        ("", "empty"),
        ("   ", "empty"),
        ("amount = 'x", "left open"),
        ("foo(amount) > 1", r"unknown function foo\(\)"),
        ("id IN (SELECT 1)", "Subquery is not supported"),
        ("amount > 1; DROP TABLE x", "not valid"),
        ("length(currency, 2) > 1", "Length takes no"),
        ("tags[1] = 'a'", "Bracket is not supported"),
    ],
)
def test_bad_syntax_is_a_config_error_saying_where_and_what_is_allowed(
    text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        compile_condition(text)
    assert any(hint in str(caught.value) for hint in ("allowed", "Strings take"))


def test_an_unknown_field_names_it_and_the_fields_there_are(orders: pa.Table) -> None:
    condition = compile_condition("amont > 1")
    with pytest.raises(
        FieldNotFoundError, match=r"'amont'.*fields: id, amount, currency"
    ) as caught:
        condition.mask(orders)
    assert caught.value.rows == [0, 1, 2, 3]


def test_a_double_quoted_string_gets_a_hint(orders: pa.Table) -> None:
    with pytest.raises(FieldNotFoundError, match="use single quotes: 'EUR'"):
        compile_condition('currency = "EUR"').mask(orders)


def test_missing_fields_can_read_as_null_for_sparse_records(orders: pa.Table) -> None:
    condition = compile_condition("discount > 0 OR id = 1", missing="null")
    assert condition.mask(orders).to_pylist() == [True, False, False, False]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("currency > 1", "compares field currency"),
        ("amount + currency > 1", "arithmetic on currency"),
        ("amount", "not true or false"),
        ("at > 'yesterday'", "not an ISO 8601"),
        ("lower(amount) = 'x'", "lower"),
        ("amount LIKE 'x%'", "LIKE works on strings"),
        ("CAST(id AS BLOB) = 1", "CAST to .* is not supported"),
        ("at > now() - INTERVAL '1' FORTNIGHT", "INTERVAL unit"),
        ("NOT amount", "not true or false"),
    ],
)
def test_type_errors_are_config_errors_that_say_how_to_fix_them(
    text: str, message: str, orders: pa.Table
) -> None:
    with pytest.raises(ConfigError, match=message):
        compile_condition(text).mask(orders)


def test_conditions_on_fields_of_mixed_types_compare_json_text() -> None:
    from hub.arrow import json_values_to_table

    table = json_values_to_table([b'{"v":1}', b'{"v":"x"}', b'{"v":null}'])
    assert compile_condition("v = 'x'").mask(table).to_pylist() == [False, True, False]
    assert compile_condition("v = 1").mask(table).to_pylist() == [True, False, False]


def test_conditions_on_dictionary_columns() -> None:
    table = pa.table({"c": pa.array(["a", "b", "a"]).dictionary_encode()})
    assert compile_condition("c = 'a'").mask(table).to_pylist() == [True, False, True]


def test_timestamps_with_a_zone_compare_with_naive_literals_as_utc() -> None:
    moments: list[Any] = [dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC)]
    table = pa.table({"at": pa.array(moments, pa.timestamp("us", "UTC"))})
    assert compile_condition("at = '2024-01-01T12:00:00'").mask(table).to_pylist() == [True]
    assert compile_condition("at = '2024-01-01T13:00:00+01:00'").mask(table).to_pylist() == [True]


def test_string_timestamps_compare_with_now() -> None:
    table = pa.table({"at": ["2020-01-01T00:00:00", "2999-01-01T00:00:00"]})
    assert compile_condition("at < now()").mask(table).to_pylist() == [True, False]
