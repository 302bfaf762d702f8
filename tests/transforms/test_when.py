"""apply_when: a transform on the matching rows only, every row in its place."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from hub.arrow import JSON_TYPE, split_reserved
from hub.expressions import compile_condition
from hub.sdk import Transform
from hub.transforms import apply_when
from hub.transforms.cast import Cast
from hub.transforms.errors import RowsFailed
from hub.transforms.filter import Filter
from hub.transforms.insert import Insert
from hub.transforms.mask import Mask
from hub.transforms.route import Route
from tests.transforms.support import rows


@pytest.fixture
def table() -> pa.Table:
    return pa.table({"n": list(range(10)), "s": [str(i) if i != 7 else "x" for i in range(10)]})


def test_only_matching_rows_change_and_every_row_keeps_its_place(table: pa.Table) -> None:
    result = apply_when(Mask({"fields": ["s"]}), compile_condition("n % 2 = 0"), table)
    assert result.column("n").to_pylist() == list(range(10))
    assert result.column("s").to_pylist()[:4] == ["****", "1", "****", "3"]


def test_rows_a_conditional_filter_drops_are_gone_and_the_rest_keep_their_order(
    table: pa.Table,
) -> None:
    result = apply_when(Filter({"condition": "n > 100"}), compile_condition("n >= 5"), table)
    assert result.column("n").to_pylist() == [0, 1, 2, 3, 4]


def test_added_fields_are_null_in_the_other_rows(table: pa.Table) -> None:
    result = apply_when(Insert({"fields": {"big": True}}), compile_condition("n > 7"), table)
    assert result.column("big").to_pylist() == [None] * 8 + [True, True]


def test_a_conditional_route_leaves_the_other_rows_to_the_default_topic(table: pa.Table) -> None:
    result = apply_when(Route({"topic": "big"}), compile_condition("n > 7"), table)
    assert split_reserved(result, default_topic="main")[2] == ["main"] * 8 + ["big", "big"]


def test_a_conditional_cast_unifies_types_as_json_text(table: pa.Table) -> None:
    result = apply_when(Cast({"fields": {"s": "integer"}}), compile_condition("n < 3"), table)
    assert result.schema.field("s").type == JSON_TYPE
    assert [r["s"] for r in rows(result)][:5] == [0, 1, 2, "3", "4"]


def test_failing_rows_are_named_by_their_place_in_the_whole_batch(table: pa.Table) -> None:
    with pytest.raises(RowsFailed) as caught:
        apply_when(Cast({"fields": {"s": "integer"}}), compile_condition("n > 4"), table)
    assert caught.value.rows == [7]


def test_when_nothing_or_everything_matches(table: pa.Table) -> None:
    mask = Mask({"fields": ["s"]})
    assert apply_when(mask, compile_condition("n > 100"), table) is table
    assert (
        apply_when(mask, compile_condition("n >= 0"), table).column("s").to_pylist()
        == ["****"] * 10
    )


class _Forgetful(Transform):
    """A record-wise transform that builds new dicts: it loses the runtime's columns."""

    type = "forgetful"

    def apply_record(self, record: dict[str, Any]) -> dict[str, Any] | None:
        return {"n": record["n"] * 10} if record["n"] != 8 else None


def test_a_record_transform_returning_new_dicts_still_works_under_when(table: pa.Table) -> None:
    # apply_record returns fresh dicts without the reserved position column; the SDK carries
    # reserved columns across record transforms, so rows keep their places.
    out = apply_when(_Forgetful({}), compile_condition("n > 5"), table.select(["n"]))
    assert out.column("n").to_pylist() == [0, 1, 2, 3, 4, 5, 60, 70, 90]
