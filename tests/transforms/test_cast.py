"""cast: every target type, and failures isolated to their rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from hub.transforms.cast import Cast
from hub.transforms.errors import RowsFailed
from tests.transforms.support import rows


def cast(values: list[Any], target: str, type_: pa.DataType | None = None) -> list[Any]:
    table = pa.table({"v": pa.array(values, type_)})
    return Cast({"fields": {"v": target}}).apply(table).column("v").to_pylist()


UTC = dt.UTC


@pytest.mark.parametrize(
    ("values", "target", "expected"),
    [
        ([" 42", "-7", None], "integer", [42, -7, None]),
        ([4.0, None], "integer", [4, None]),
        ([True, False], "integer", [1, 0]),
        (["1.5", "1e3", " 2 "], "number", [1.5, 1000.0, 2.0]),
        ([1, None], "number", [1.0, None]),
        ([1.0, 2.5, None], "string", ["1.0", "2.5", None]),
        ([True], "string", ["true"]),
        (["x"], "string", ["x"]),
        (["TRUE", "false", "1", "0", " True "], "boolean", [True, False, True, False, True]),
        ([0, 3, None], "boolean", [False, True, None]),
        (
            ["2024-01-01", "2024-01-01T10:00:00+01:00", "2024-01-01 10:00:00Z", None],
            "timestamp",
            [
                dt.datetime(2024, 1, 1, tzinfo=UTC),
                dt.datetime(2024, 1, 1, 9, tzinfo=UTC),
                dt.datetime(2024, 1, 1, 10, tzinfo=UTC),
                None,
            ],
        ),
        ([1_700_000_000_000], "timestamp", [dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)]),
        (["2024-02-29", "2024-02-29T23:00:00Z"], "date", [dt.date(2024, 2, 29)] * 2),
    ],
)
def test_values_convert(values: list[Any], target: str, expected: list[Any]) -> None:
    assert cast(values, target) == expected


def test_timestamps_convert_to_epoch_milliseconds_and_to_strings() -> None:
    moment = [dt.datetime(2024, 1, 1, 0, 0, 1)]
    assert cast(moment, "integer", pa.timestamp("s")) == [1_704_067_201_000]
    assert cast(moment, "string", pa.timestamp("s")) == ["2024-01-01T00:00:01"]


def test_cast_timestamps_are_written_as_iso_in_utc() -> None:
    table = Cast({"fields": {"v": "timestamp"}}).apply(pa.table({"v": ["2024-01-01T12:00:00"]}))
    assert rows(table) == [{"v": "2024-01-01T12:00:00+00:00"}]


def test_values_that_do_not_convert_fail_alone(orders: pa.Table) -> None:
    with pytest.raises(
        RowsFailed, match=r"1 value\(s\) of field 'amount' cannot be converted to number, e.g. 'x'"
    ) as caught:
        Cast({"fields": {"amount": "number"}}).apply(orders)
    assert caught.value.rows == [2]


def test_many_failures_are_all_found() -> None:
    values = [str(i) if i % 7 else "bad" for i in range(1000)]
    with pytest.raises(RowsFailed) as caught:
        cast(values, "integer")
    assert caught.value.rows == list(range(0, 1000, 7))


def test_fractions_do_not_become_integers_silently() -> None:
    with pytest.raises(RowsFailed) as caught:
        cast([1.0, 2.5], "integer")
    assert caught.value.rows == [1]


def test_nested_fields_are_cast_in_place() -> None:
    table = pa.table({"s": [{"n": "1", "m": "x"}, None]})
    result = Cast({"fields": {"s.n": "integer", "nope": "integer"}}).apply(table)
    assert result.column("s").to_pylist() == [{"n": 1, "m": "x"}, None]
