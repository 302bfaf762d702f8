"""The vectorized codec of plain records: the same bytes as the per-record encoder, and a decoder
that returns exactly the values written or nothing at all."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.arrow.value_array import ValueArray
from hub.log.plain_arrays import decode_plain_values, encode_plain_values
from hub.log.recordbatch import (
    HEADER_SIZE,
    VECTORIZED_MIN,
    RecordBatch,
    _decode_records,
    _encode_general,
    _encode_plain,
    encode_batch,
)

# Sizes on both sides of each varint width, zero bytes, and the registry's wire prefix (whose
# zeros look like record boundaries to the decoder's first pass).
value = st.one_of(
    st.binary(max_size=70),
    st.binary(min_size=8185, max_size=8200),
    st.binary(max_size=40).map(lambda b: b"\x00\x00\x00\x00\x01" + b),
    st.sampled_from([b"", b"\x00", b"\x00\x00", b"\x00\x00\x00", b"\x01\x00\x00"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(value, min_size=1, max_size=60), st.integers(0, 1))
def test_encoding_matches_the_per_record_encoder(values: list[bytes], start: int) -> None:
    encoded = encode_plain_values(pa.array(values, pa.binary()), start)
    assert encoded == _encode_plain(values, start=start)


@settings(max_examples=150, deadline=None)
@given(st.lists(value, min_size=1, max_size=60), st.integers(0, 1))
def test_decoding_returns_what_was_encoded(values: list[bytes], start: int) -> None:
    encoded = encode_plain_values(pa.array(values, pa.binary()), start)
    decoded = decode_plain_values(encoded, 0, start, len(values) + start)
    assert decoded is not None
    assert decoded.values.to_pylist() == values
    assert decoded.keys is None


key = st.none() | st.binary(max_size=70)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(value, key), min_size=1, max_size=60), st.integers(0, 1))
def test_keyed_records_round_trip_as_the_per_record_encoder_writes_them(
    records: list[tuple[bytes, bytes | None]], start: int
) -> None:
    values = [v for v, _ in records]
    keys = [k for _, k in records]
    encoded = encode_plain_values(pa.array(values, pa.binary()), start, pa.array(keys, pa.binary()))
    if start == 0:
        assert encoded == _encode_general(values, keys, None, None)
    decoded = decode_plain_values(encoded, 0, start, len(values) + start)
    assert decoded is not None
    assert decoded.values.to_pylist() == values
    assert (decoded.keys.to_pylist() if decoded.keys is not None else [None] * len(keys)) == keys


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(value, key), min_size=1, max_size=30),
    st.booleans(),
    st.randoms(use_true_random=False),
)
def test_a_damaged_section_decodes_as_the_general_decoder_reads_it_or_not_at_all(
    records: list[tuple[bytes, bytes | None]], keyed: bool, rng: random.Random
) -> None:
    """Whatever byte changes, the fast decoder never returns values or keys other than those
    the general decoder finds in the same bytes: it returns None, and the general decoder then
    reports the damage."""
    values = [v for v, _ in records]
    keys = pa.array([k for _, k in records], pa.binary()) if keyed else None
    damaged = bytearray(encode_plain_values(pa.array(values, pa.binary()), keys=keys))
    where = rng.randrange(len(damaged))
    damaged[where] ^= rng.randrange(1, 256)
    decoded = decode_plain_values(bytes(damaged), 0, 0, len(values))
    if decoded is not None:
        general = _decode_records(bytes(HEADER_SIZE) + damaged, len(values), 0, 0)
        assert general.values == decoded.values.to_pylist()
        found = decoded.keys.to_pylist() if decoded.keys is not None else [None] * len(values)
        assert general.keys == found
        assert general.headers == [()] * len(values)
        assert general.offsets == list(range(len(values)))
        assert general.timestamps == [0] * len(values)


def test_a_section_with_more_or_fewer_records_than_counted_is_refused() -> None:
    encoded = encode_plain_values(pa.array([b"a", b"b", b"c"], pa.binary()))
    assert decode_plain_values(encoded, 0, 0, 2) is None
    assert decode_plain_values(encoded, 0, 0, 4) is None
    assert decode_plain_values(encoded + b"\x00", 0, 0, 3) is None


def test_null_values_are_not_plain() -> None:
    with pytest.raises(ValueError, match="null"):
        encode_plain_values(pa.array([b"a", None], pa.binary()))


def _values(count: int) -> list[bytes]:
    return [b'{"id":%d,"name":"n%d"}' % (i, i % 7) for i in range(count)]


@pytest.mark.parametrize("count", [VECTORIZED_MIN, 20_000])
def test_a_batch_of_an_array_is_the_batch_of_its_list(count: int) -> None:
    """Same bytes on disk whichever form the values had: past the per-record encoder's tables
    (16,384 records) too."""
    values = _values(count)
    marker = [(("marker", b"{}"),)] + [()] * (count - 1)
    for headers in (None, marker):
        from_list = encode_batch(0, values, headers=headers, timestamp=7)
        from_array = encode_batch(0, ValueArray(pa.array(values)), headers=headers, timestamp=7)
        assert from_array == from_list
        columns = RecordBatch.parse(from_array).columns()
        assert isinstance(columns.values, ValueArray)
        assert columns.values == values
        assert list(columns.offsets) == list(range(count))
        assert columns.headers[0] == (headers[0] if headers else ())


def test_a_batch_with_a_value_too_long_for_the_fast_path_decodes_the_general_way() -> None:
    values = _values(VECTORIZED_MIN)
    values[100] = b"x" * (3 << 20)  # a record length of 4 varint bytes
    columns = RecordBatch.parse(encode_batch(0, ValueArray(pa.array(values)))).columns()
    assert list(columns.values) == values


@pytest.mark.parametrize("marked", [False, True])
def test_a_keyed_batch_of_an_array_is_the_batch_of_its_list(marked: bool) -> None:
    values = _values(VECTORIZED_MIN + 10)
    keys: list[bytes | None] = [b"k%d" % (i % 9) if i % 4 else None for i in range(len(values))]
    headers = [(("marker", b"{}"),)] + [()] * (len(values) - 1) if marked else None
    from_list = encode_batch(0, values, keys=keys, headers=headers)
    from_array = encode_batch(0, ValueArray(pa.array(values)), keys=keys, headers=headers)
    assert from_array == from_list
    columns = RecordBatch.parse(from_array).columns()
    assert isinstance(columns.values, ValueArray)
    assert columns.keys == keys
    assert list(columns.values) == values


def test_the_section_starts_after_the_batch_header() -> None:
    values = _values(VECTORIZED_MIN)
    batch = encode_batch(0, values)
    decoded = decode_plain_values(batch, HEADER_SIZE, 0, len(values))
    assert decoded is not None
    assert decoded.values.to_pylist() == values
