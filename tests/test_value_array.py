"""``ValueArray``: an Arrow binary array that behaves as the list of values it holds."""

from __future__ import annotations

import pyarrow as pa
import pytest

from hub.arrow import ValueArray, join_values, present_values

VALUES = [b'{"a":1}', None, b'{"a":2}', b"", b'{"a":3}']


@pytest.fixture
def array() -> ValueArray:
    return ValueArray(pa.array(VALUES, pa.binary()))


def test_it_reads_as_the_list(array: ValueArray) -> None:
    assert len(array) == len(VALUES)
    assert list(array) == VALUES
    assert [array[i] for i in range(-5, 5)] == VALUES + VALUES
    assert array == VALUES
    assert array != VALUES[:-1]
    assert None in array
    assert b'{"a":2}' in array
    assert b"nope" not in array
    assert array.count(None) == 1
    assert array.index(b"") == 3


def test_slices_stay_arrays_and_match_list_slices(array: ValueArray) -> None:
    for start, stop in [(0, 5), (1, 3), (4, 2), (-2, None), (None, -1), (7, 9)]:
        piece = array[start:stop]
        assert isinstance(piece, ValueArray)
        assert piece == VALUES[start:stop]
    assert array[::2] == VALUES[::2]


def test_strings_and_chunked_arrays_become_binary() -> None:
    chunked = pa.chunked_array([pa.array(["x", "y"]), pa.array(["z"])])
    assert ValueArray(chunked) == [b"x", b"y", b"z"]


def test_join_is_the_bytes_join_of_the_present_values(array: ValueArray) -> None:
    present = [v for v in VALUES if v is not None]
    assert array.join(b"\n") == b"\n".join(present)
    assert array.join(b"\n", end=b"\n") == b"\n".join(present) + b"\n"
    assert join_values(present, b",", end=b";") == b",".join(present) + b";"
    assert ValueArray(pa.array([], pa.binary())).join(b"\n", end=b"\n") == b""
    assert ValueArray(pa.array([None], pa.binary())).join(b"\n") == b""


def test_present_values_drops_nulls_and_keeps_the_form(array: ValueArray) -> None:
    present = present_values(array)
    assert isinstance(present, ValueArray)
    assert present == [v for v in VALUES if v is not None]
    assert present_values([b"a", None]) == [b"a"]


def test_prefixes_are_added_and_removed_in_bulk() -> None:
    values = ValueArray(pa.array([b"{}", b"[1]"], pa.binary()))
    framed = values.prefixed(b"\x00\x00\x00\x00\x07")
    assert framed == [b"\x00\x00\x00\x00\x07{}", b"\x00\x00\x00\x00\x07[1]"]
    assert framed.without_prefix(b"\x00\x00\x00\x00\x07") == values
    assert framed.without_prefix(b"\x00\x00\x00\x00\x08") is None
    assert ValueArray(pa.array([b"\x00", None], pa.binary())).without_prefix(b"\x00") is None


def test_take_picks_rows_in_order(array: ValueArray) -> None:
    assert array.take([4, 0, 0]) == [VALUES[4], VALUES[0], VALUES[0]]


def test_looking_at_a_few_values_does_not_convert_them_all() -> None:
    """``values[0]`` and ``values[-1]`` (as unframing does) read two scalars, not the array."""
    array = ValueArray(pa.array([b"%d" % i for i in range(1000)], pa.binary()))
    assert (array[0], array[-1]) == (b"0", b"999")
    assert array._values is None
    assert [array[i] for i in range(1000)] == [b"%d" % i for i in range(1000)]
