"""Joining the log's batches into larger sink writes."""

from __future__ import annotations

import pyarrow as pa

from hub.arrow import ValueArray
from hub.pipeline.sink_batches import coalesce
from hub.sdk import SinkBatch

PERSON = {"type": "object"}


def batch(first: int, count: int, *, schema: object = None, arrays: bool = True) -> SinkBatch:
    values = [b'{"n":%d}' % i for i in range(first, first + count)]
    return SinkBatch(
        "t",
        0,
        list(range(first, first + count)),
        [7] * count,
        [None] * count,
        ValueArray(pa.array(values, pa.binary())) if arrays else values,
        [()] * count,
        schema,  # type: ignore[arg-type]
    )


def test_consecutive_batches_become_one_write_up_to_max_records() -> None:
    joined = list(coalesce([batch(0, 3), batch(3, 3), batch(6, 3)], max_records=7))

    assert [list(b.offsets) for b in joined] == [[0, 1, 2, 3, 4, 5], [6, 7, 8]]
    assert isinstance(joined[0].values, ValueArray)
    assert list(joined[0].values) == [b'{"n":%d}' % i for i in range(6)]
    assert joined[0].timestamps == [7] * 6


def test_a_batch_larger_than_max_records_stays_whole() -> None:
    assert [len(b) for b in coalesce([batch(0, 5), batch(5, 1)], max_records=2)] == [5, 1]


def test_batches_of_other_schemas_are_not_joined() -> None:
    runs = [batch(0, 2), batch(2, 2, schema=PERSON), batch(4, 2, schema=PERSON)]

    joined = list(coalesce(runs, max_records=100))

    assert [(list(b.offsets), b.schema) for b in joined] == [
        ([0, 1], None),
        ([2, 3, 4, 5], PERSON),
    ]


def test_values_of_mixed_forms_join_as_a_list() -> None:
    [joined] = coalesce([batch(0, 2), batch(2, 2, arrays=False)], max_records=10)

    assert joined.values == [b'{"n":0}', b'{"n":1}', b'{"n":2}', b'{"n":3}']
