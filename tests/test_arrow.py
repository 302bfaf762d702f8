"""Bulk conversions: records and JSON values to Arrow tables and back, keys and topics out.

The vectorized JSON encoder is checked against orjson, value for value, on tables hypothesis
makes of every type a batch carries; the readers are checked for faithful round trips.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import time
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.arrow import (
    JSON_TYPE,
    encode_column,
    is_reserved,
    json_values_to_table,
    keys_from_column,
    split_reserved,
    table_to_json_values,
    text_column,
    to_table,
)
from hub.record import Record
from hub.sdk import KEY_COLUMN, TOPIC_COLUMN
from hub.transforms.errors import RowsFailed

# -- the encoder against orjson ----------------------------------------------------------------


def _reference(value: Any, type_: pa.DataType) -> Any:
    """What a value means in JSON: ``to_pylist`` output as orjson would write it, with maps as
    objects and bytes as base64 (orjson writes neither)."""
    if value is None:
        return None
    if pa.types.is_map(type_):
        return {k: _reference(v, type_.item_type) for k, v in value}
    if pa.types.is_struct(type_):
        return {f.name: _reference(value[f.name], f.type) for f in type_}
    if pa.types.is_list(type_):
        return [_reference(v, type_.value_type) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value


def _expected(table: pa.Table) -> list[Any]:
    fields = [f for f in table.schema if not is_reserved(f.name)]
    return [{f.name: _reference(row[f.name], f.type) for f in fields} for row in table.to_pylist()]


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON values, telling 1 from 1.0 and True from 1 (JSON numbers keep their kind)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


texts = st.text(st.characters(codec="utf-8"), max_size=12)
timestamps = st.datetimes(
    min_value=dt.datetime(1000, 1, 1), max_value=dt.datetime(9999, 12, 31)
).map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000 if d.second % 2 else 0))
COLUMN_TYPES: list[tuple[pa.DataType, st.SearchStrategy[Any]]] = [
    (pa.int64(), st.integers(-(2**63), 2**63 - 1)),
    (pa.uint8(), st.integers(0, 255)),
    (pa.float64(), st.floats()),
    (pa.float32(), st.floats(width=32)),
    (pa.string(), texts),
    (pa.large_string(), texts),
    (pa.bool_(), st.booleans()),
    (pa.timestamp("s"), timestamps.map(lambda d: d.replace(microsecond=0))),
    (pa.timestamp("ms"), timestamps),
    (pa.timestamp("us"), st.datetimes(min_value=dt.datetime(1000, 1, 1))),
    (pa.timestamp("us", "UTC"), st.datetimes(min_value=dt.datetime(1000, 1, 1))),
    # Arrow's time zone rules stop at 2037, Python's go on: same instant, other offset after.
    (pa.timestamp("ms", "Europe/Paris"), timestamps.filter(lambda d: 1900 <= d.year < 2037)),
    (pa.date32(), st.dates(min_value=dt.date(1000, 1, 1))),
    (pa.time64("us"), st.times()),
    (pa.binary(), st.binary(max_size=10)),
    (pa.list_(pa.int64()), st.lists(st.none() | st.integers(-5, 5), max_size=3)),
    (pa.list_(pa.string()), st.lists(st.none() | texts, max_size=3)),
    (
        pa.struct([("a", pa.int64()), ("b", pa.string())]),
        st.fixed_dictionaries(
            {"a": st.none() | st.integers(-(2**63), 2**63 - 1), "b": st.none() | texts}
        ),
    ),
    (
        pa.list_(pa.struct([("x", pa.float64())])),
        st.lists(st.fixed_dictionaries({"x": st.none() | st.floats()}), max_size=2),
    ),
    (
        pa.map_(pa.string(), pa.int64()),
        st.dictionaries(texts, st.integers(-5, 5), max_size=3).map(lambda d: list(d.items())),
    ),
    (pa.null(), st.none()),
]


@st.composite
def tables(draw: st.DrawFn) -> pa.Table:
    rows = draw(st.integers(1, 6))
    chosen = draw(st.lists(st.sampled_from(range(len(COLUMN_TYPES))), min_size=1, max_size=5))
    names = draw(st.lists(texts, min_size=len(chosen), max_size=len(chosen), unique=True))
    columns = []
    for index in chosen:
        type_, values = COLUMN_TYPES[index]
        columns.append(
            pa.array(draw(st.lists(st.none() | values, min_size=rows, max_size=rows)), type_)
        )
    table = pa.table(columns, names=names)
    if draw(st.booleans()) and rows > 1:  # sliced and chunked, as batches are
        table = pa.concat_tables([table.slice(0, 1), table.slice(1)])
    return table


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_json_values_read_back_as_the_rows_orjson_would_write(table: pa.Table) -> None:
    values = table_to_json_values(table)
    assert len(values) == table.num_rows
    for value, expected in zip(values, _expected(table), strict=True):
        assert _same(orjson.loads(value), expected), (value, expected)


@given(st.lists(st.none() | texts, min_size=1, max_size=8))
def test_strings_are_escaped_exactly_as_orjson_escapes_them(strings: list[str | None]) -> None:
    table = pa.table({"s": pa.array(strings, pa.string())})
    assert table_to_json_values(table) == [orjson.dumps({"s": s}) for s in strings]


def test_every_control_character_quote_and_backslash_is_escaped() -> None:
    special = "".join(chr(c) for c in range(32)) + '"\\/é\u2028'
    [value] = table_to_json_values(pa.table({"s": [special]}))
    assert value == orjson.dumps({"s": special})


def test_numbers_keep_their_kind_and_non_finite_floats_become_null() -> None:
    table = pa.table(
        {
            "f": [1.0, -0.0, 1e16, 1.5e-7, 2.5, math.nan, math.inf, -math.inf, None],
            "i": pa.array([1, 0, 2**62, -1, 5, 6, 7, 8, None], pa.int64()),
        }
    )
    rows = [orjson.loads(v) for v in table_to_json_values(table)]
    assert [r["f"] for r in rows] == [1.0, -0.0, 1e16, 1.5e-7, 2.5, None, None, None, None]
    assert all(isinstance(r["f"], float) for r in rows[:5])
    assert table_to_json_values(table)[0] == b'{"f":1.0,"i":1}'


def test_timestamps_are_written_as_python_isoformat_writes_them() -> None:
    moments = [dt.datetime(2024, 5, 1, 12, 0, 0), dt.datetime(2024, 5, 1, 12, 0, 0, 123000)]
    table = pa.table(
        {
            "naive": pa.array(moments, pa.timestamp("ms")),
            "utc": pa.array(moments, pa.timestamp("us", "UTC")),
            "day": pa.array([d.date() for d in moments], pa.date32()),
        }
    )
    assert [orjson.loads(v) for v in table_to_json_values(table)] == [
        {"naive": "2024-05-01T12:00:00", "utc": "2024-05-01T12:00:00+00:00", "day": "2024-05-01"},
        {
            "naive": "2024-05-01T12:00:00.123000",
            "utc": "2024-05-01T12:00:00.123000+00:00",
            "day": "2024-05-01",
        },
    ]


def test_reserved_and_runtime_columns_stay_out_of_values() -> None:
    table = pa.table(
        {"a": [1], KEY_COLUMN: [b"k"], TOPIC_COLUMN: ["t"], "__hub_row": [0], "b": ["x"]}
    )
    assert table_to_json_values(table) == [b'{"a":1,"b":"x"}']


def test_a_table_without_fields_gives_empty_objects_and_no_rows_give_no_values() -> None:
    assert table_to_json_values(pa.table({KEY_COLUMN: [b"a", b"b"]})) == [b"{}", b"{}"]
    assert table_to_json_values(pa.table({"a": pa.array([], pa.int64())})) == []


def test_json_columns_are_written_verbatim() -> None:
    column = pa.ExtensionArray.from_storage(JSON_TYPE, pa.array(['{"x":[1]}', '"s"', None]))
    values = table_to_json_values(pa.table({"j": column}))
    assert values == [b'{"j":{"x":[1]}}', b'{"j":"s"}', b'{"j":null}']


def test_dictionary_columns_are_written_as_their_values() -> None:
    column = pa.array(["a", "b", None, "a"]).dictionary_encode()
    assert table_to_json_values(pa.table({"d": column}))[1] == b'{"d":"b"}'


def test_encode_column_and_text_column_differ_only_for_strings_and_nulls() -> None:
    column = pa.array(["x", None])
    assert encode_column(column).to_pylist() == ['"x"', "null"]
    assert text_column(column).to_pylist() == ["x", None]
    moments = pa.array([dt.datetime(2024, 1, 2, 3, 4, 5)], pa.timestamp("s"))
    assert text_column(moments).to_pylist() == ["2024-01-02T03:04:05"]


# -- reading JSON values --------------------------------------------------------------------


def test_json_values_round_trip_through_a_table() -> None:
    values = [
        b'{"id":1,"price":9.5,"name":"a\\"b","ok":true,"tags":["x"],"c":{"d":1}}',
        b'{"id":2,"price":10.0,"name":"\xc3\xa9","ok":false,"tags":[],"c":{"d":null}}',
    ]
    table = json_values_to_table(values)
    assert table.num_rows == 2
    assert table_to_json_values(table) == values


def test_iso_strings_stay_strings() -> None:
    values = [b'{"day":"2024-01-01","at":"2024-01-01T10:00:00Z","n":{"t":"2024-01-01 10:00:00"}}']
    table = json_values_to_table(values)
    assert table.schema.field("day").type == pa.string()
    assert table_to_json_values(table) == values


def test_iso_strings_stay_strings_in_large_batches_in_their_column_order() -> None:
    values = [
        orjson.dumps({"i": i, "at": "2024-01-01T10:00:00", "s": "x" * 50}) for i in range(5000)
    ]
    values.append(b'{"i":5000,"at":"2024-01-01T10:00:00","s":"y","late":"2024-02-02"}')
    table = json_values_to_table(values)
    assert table.column_names == ["i", "at", "s", "late"]
    assert table.schema.field("at").type == pa.string()
    assert table.schema.field("late").type == pa.string()
    assert table_to_json_values(table)[-1] == values[-1]


def test_absent_fields_read_as_null_and_integers_widen_to_floats() -> None:
    table = json_values_to_table([b'{"a":1}', b'{"b":"x","a":2.5}'])
    assert table.to_pylist() == [{"a": 1.0, "b": None}, {"a": 2.5, "b": "x"}]


def test_values_with_newlines_inside_are_read() -> None:
    values = [b'{\n"a": 1\n}', b'{"a": 2}']
    assert json_values_to_table(values).column("a").to_pylist() == [1, 2]


def test_fields_of_clashing_types_become_json_text_and_are_written_back_verbatim() -> None:
    values = [b'{"a":1,"b":"x"}', b'{"a":"one","b":"y"}', b'{"a":{"n":[1]},"b":"z"}']
    table = json_values_to_table(values)
    assert table.schema.field("a").type == JSON_TYPE
    assert table.schema.field("b").type == pa.string()
    assert table_to_json_values(table) == values


def test_values_that_are_not_objects_are_named_all_at_once() -> None:
    with pytest.raises(RowsFailed, match="not JSON objects") as caught:
        json_values_to_table([b'{"a":1}', b"[1,2]", b"not json", b"3", b'{"a":2}'])
    assert caught.value.rows == [1, 2, 3]


def test_no_values_give_an_empty_table() -> None:
    assert json_values_to_table([]).num_rows == 0


# -- to_table ---------------------------------------------------------------------------------


def test_dicts_become_columns_for_every_key_of_any_row() -> None:
    table = to_table([{"a": 1}, {"b": "x", "a": 2}])
    assert table.column_names == ["a", "b"]
    assert table.to_pylist() == [{"a": 1, "b": None}, {"a": 2, "b": "x"}]


def test_dicts_of_clashing_types_keep_every_value() -> None:
    table = to_table([{"a": 1}, {"a": "x"}, {"a": 2**70}])
    values = table_to_json_values(table)
    assert [json.loads(v) for v in values] == [{"a": 1}, {"a": "x"}, {"a": 2**70}]
    assert json_values_to_table(values).column("a").type == JSON_TYPE


def test_records_bring_their_keys_as_bytes() -> None:
    table = to_table(
        [
            Record({"a": 1}, key="k1"),
            Record({"a": 2}),
            Record({"a": 3}, key=b"\xff"),
            Record({"a": 4}, key=7),
        ]
    )
    _, keys, _ = split_reserved(table)
    assert keys == [b"k1", None, b"\xff", b"7"]
    assert table_to_json_values(table)[0] == b'{"a":1}'


def test_records_with_json_bytes_are_read_in_bulk_and_without_keys_have_no_key_column() -> None:
    table = to_table([Record(b'{"a":1}'), Record(b'{"a":2}')])
    assert table.column_names == ["a"]


def test_records_with_a_bad_value_name_it() -> None:
    with pytest.raises(RowsFailed) as caught:
        to_table([Record({"a": 1}), Record(b"{bad"), Record(None)])
    assert caught.value.rows == [1]


def test_arrow_data_passes_as_a_table() -> None:
    batch = pa.record_batch({"a": [1, 2]})
    assert to_table(batch).equals(pa.table({"a": [1, 2]}))
    assert to_table([]).num_rows == 0


# -- keys and topics ------------------------------------------------------------------------


def test_keys_follow_the_produce_key_field_rule() -> None:
    from hub.cli.produce import key_text

    rows = [{"k": "text"}, {"k": 12}, {"k": 1.5}, {"k": True}, {"k": None}, {"k": {"x": [1]}}, {}]
    table = to_table(rows)
    assert keys_from_column(table, "k") == [key_text(row, "k") for row in rows]


def test_keys_from_a_nested_or_absent_field() -> None:
    table = to_table([{"c": {"id": 5}}, {"c": None}])
    assert keys_from_column(table, "c.id") == [b"5", None]
    assert keys_from_column(table, "nope") == [None, None]


def test_split_reserved_takes_keys_and_topics_out() -> None:
    table = pa.table({"a": [1, 2], KEY_COLUMN: pa.array([b"x", None]), TOPIC_COLUMN: ["t1", "t2"]})
    rest, keys, topics = split_reserved(table)
    assert rest.column_names == ["a"]
    assert keys == [b"x", None]
    assert topics == ["t1", "t2"]
    assert split_reserved(pa.table({"a": [1]}))[1:] == (None, None)


def test_rows_without_a_topic_go_to_the_default_or_fail() -> None:
    table = pa.table({"a": [1, 2], TOPIC_COLUMN: ["t1", None]})
    assert split_reserved(table, default_topic="main")[2] == ["t1", "main"]
    with pytest.raises(RowsFailed) as caught:
        split_reserved(table)
    assert caught.value.rows == [1]


# -- throughput -----------------------------------------------------------------------------


def benchmark_table(rows: int) -> pa.Table:
    """The issue's benchmark shape: int, float, string, bool, timestamp as ISO text."""
    rng = np.random.default_rng(1)
    seconds = rng.integers(1_600_000_000, 1_700_000_000, rows).astype("datetime64[s]")
    return pa.table(
        {
            "id": pa.array(np.arange(rows)),
            "price": pa.array(np.round(rng.random(rows) * 1000, 2)),
            "name": pa.array([f"customer {i}" for i in range(rows)]),
            "active": pa.array(rng.random(rows) > 0.5),
            "created_at": pc.replace_substring(pc.cast(pa.array(seconds), pa.string()), " ", "T"),
        }
    )


def _best_rate(rows: int, action: Any, rounds: int = 3) -> float:
    best = math.inf
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return rows / best


@pytest.mark.slow
def test_a_million_rows_convert_at_more_than_a_million_rows_per_second() -> None:
    """Run with ``-s`` to see the rates (2-core dev box: encode ~2.7M rows/s, read ~2.5M)."""
    table = benchmark_table(1_000_000)
    values = table_to_json_values(table)
    assert orjson.loads(values[-1])["id"] == 999_999
    rates = {
        "table_to_json_values": _best_rate(table.num_rows, lambda: table_to_json_values(table)),
        "json_values_to_table": _best_rate(table.num_rows, lambda: json_values_to_table(values)),
        "keys_from_column(id)": _best_rate(table.num_rows, lambda: keys_from_column(table, "id")),
    }
    for name, rate in rates.items():
        print(f"{name}: {rate:,.0f} rows/s")
    assert rates["table_to_json_values"] > 1_000_000  # a floor for noisy CI machines
