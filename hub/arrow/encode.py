"""Arrow -> JSON, vectorized: each row's JSON object is assembled by Arrow compute kernels.

Every column is turned into an array of JSON texts with kernels (numbers cast to strings, strings
escaped by substring replacement, timestamps formatted as ISO 8601, structs, lists and maps
assembled recursively), then ``binary_join_element_wise`` glues the field names and texts of
each row together. Python touches each row once, to hand out the final ``bytes``; per-value
Python runs only for types JSON has no obvious form for (binary: base64; unions).

The output equals ``orjson.dumps`` of the rows ``to_pylist`` gives (``bytes`` as base64,
decimals as numbers), except that NaN and infinities become ``null`` as JSON requires, and
``float32`` values are written as the exact ``float64`` they widen to.
"""

from __future__ import annotations

import binascii
from collections.abc import Callable
from typing import TypeAlias, cast

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from hub.arrow.columns import field_names
from hub.arrow.types import in_python_years, is_binary, is_list, is_string
from hub.arrow.value_array import ValueArray

Column: TypeAlias = pa.Array | pa.ChunkedArray
JSON_TYPE = pa.json_(pa.string())
"""Arrow's ``arrow.json`` extension type: each value is already JSON text, written as it is."""

_SHORT_ESCAPES = {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"}


def table_to_json_values(table: pa.Table | pa.RecordBatch) -> list[bytes]:
    """Each row as a compact JSON object, fields in column order, reserved columns left out."""
    return cast("list[bytes]", table_to_json_array(table).to_list())


def table_to_json_array(table: pa.Table | pa.RecordBatch) -> ValueArray:
    """``table_to_json_values`` without a Python object per row: the texts stay in Arrow."""
    if table.num_rows == 0:
        return ValueArray(pa.array([], pa.binary()))
    return ValueArray(encode_rows(table))


def encode_rows(table: pa.Table | pa.RecordBatch) -> pa.ChunkedArray | pa.Array:
    """Each row as a JSON object text (a string array), reserved columns left out."""
    names = field_names(table.schema)
    return _objects(names, [table.column(name) for name in names], table.num_rows)


def _objects(names: list[str], columns: list[Column], rows: int) -> Column:
    """``{"name":value,...}`` per row, assembled by one ``binary_join_element_wise``.

    Runs of constant text (names, punctuation, values known for every row) are merged into
    literals, so only columns that vary per row are joined.
    """
    parts: list[str | Column] = []
    literal = "{"
    for name, column in zip(names, columns, strict=True):
        literal += ("," if len(literal) > 1 or parts else "") + orjson.dumps(name).decode() + ":"
        prefix, texts, suffix = _encode(column)
        if texts is None:
            literal += prefix
            continue
        parts += [literal + prefix, texts]
        literal = suffix
    if not parts:
        return pa.array([literal + "}"] * rows, pa.string())
    return pc.binary_join_element_wise(*parts, literal + "}", "")


def encode_column(column: Column) -> Column:
    """Each value of ``column`` as JSON text (``null`` for nulls): a string array."""
    prefix, texts, suffix = _encode(column)
    if texts is None:
        return pa.array([prefix] * len(column), pa.string())
    if prefix or suffix:
        return pc.binary_join_element_wise(prefix, texts, suffix, "")
    return texts


def json_column(column: Column) -> Column:
    """``column`` as ``arrow.json``: each value's JSON text (nulls stay null). Columns of clashing
    types are unified so: nothing is lost, and the JSON written out is the same."""
    if column.type == JSON_TYPE:
        return column
    texts = encode_column(column)
    if column.null_count:
        texts = pc.if_else(pc.is_valid(column), texts, pa.scalar(None, pa.string()))
    if isinstance(texts, pa.ChunkedArray):
        chunks = [pa.ExtensionArray.from_storage(JSON_TYPE, c) for c in texts.chunks]
        return pa.chunked_array(chunks, JSON_TYPE)
    return pa.ExtensionArray.from_storage(JSON_TYPE, texts)


def text_column(column: Column) -> Column:
    """Each value as text: a string's own text, anything else its JSON text; nulls stay null.

    The rule of ``hub produce --key-field`` (what a string serializer would send as a key);
    timestamps, dates and times read as their ISO 8601 text, bytes as base64, without quotes.
    """
    type_ = _value_type(column.type)
    if pa.types.is_null(type_):
        return pa.nulls(len(column), pa.string())
    if is_string(type_):
        return pc.cast(column, pa.string())
    if type_ == JSON_TYPE:  # mixed types: only its strings need unquoting, per value
        texts = pc.cast(_storage(column), pa.string()).to_pylist()
        loads = orjson.loads
        return pa.array([loads(t) if t and t[0] == '"' else t for t in texts], pa.string())
    if pa.types.is_dictionary(column.type):
        column = pc.cast(column, type_)
    for test, encoder in _QUOTED:
        if test(type_):
            return encoder(column)
    texts = encode_column(column)
    if column.null_count == 0:
        return texts
    return pc.if_else(pc.is_valid(column), texts, pa.scalar(None, pa.string()))


def _encode(column: Column) -> tuple[str, Column | None, str]:
    """``(prefix, texts, suffix)``: JSON texts are ``prefix + text + suffix`` for every row.

    Splitting out the quotes of a string column without nulls lets the caller fold them into the
    neighbouring literals instead of paying a pass to wrap each value. ``texts`` is ``None``
    when every row's text is the prefix alone (a column of nulls).
    """
    type_ = column.type
    if pa.types.is_null(type_):
        return "null", None, ""
    if isinstance(type_, pa.BaseExtensionType):
        if type_.extension_name == "arrow.json":
            return "", _or_null(column, pc.cast(_storage(column), pa.string())), ""
        return _encode(_storage(column))
    if pa.types.is_dictionary(type_):
        return _encode(pc.cast(column, type_.value_type))
    for test, encoder in _QUOTED:
        if test(type_):
            tail = ""
            if encoder is _timestamps:
                texts, tail = _timestamp_parts(column)
            else:
                texts = encoder(column)
            if column.null_count == 0:
                return '"', texts, tail + '"'
            quoted = pc.binary_join_element_wise('"', texts, tail + '"', "")
            return "", _or_null(column, quoted), ""
    for test, encoder in _UNQUOTED:
        if test(type_):
            return "", _or_null(column, encoder(column)), ""
    return "", _python(column), ""


def _or_null(column: Column, texts: Column) -> Column:
    """``texts`` with ``null`` wherever the value (or its text) is null."""
    if column.null_count == 0 and texts.null_count == 0:
        return texts
    return pc.fill_null(texts, "null")


def _storage(column: Column) -> Column:
    if isinstance(column, pa.ChunkedArray):
        return pa.chunked_array([c.storage for c in column.chunks], column.type.storage_type)
    return column.storage


# -- scalars ---------------------------------------------------------------------------------


def _integers(column: Column) -> Column:
    return pc.cast(column, pa.string())


def _booleans(column: Column) -> Column:
    return pc.if_else(column, "true", "false")


def _floats(column: Column) -> Column:
    """Shortest round-trip text; whole numbers keep a ``.0`` so they read back as floats."""
    if column.type != pa.float64():
        column = pc.cast(column, pa.float64())
    texts = pc.cast(column, pa.string())
    finite = pc.is_finite(column)
    whole = pc.and_(finite, pc.equal(column, pc.floor(column)))
    if pc.any(whole).as_py():
        bare = pc.and_not(whole, pc.match_substring(texts, "e"))
        texts = pc.if_else(bare, pc.binary_join_element_wise(texts, ".0", ""), texts)
    if not pc.all(finite).as_py():
        texts = pc.if_else(finite, texts, pa.scalar(None, pa.string()))
    return texts


def _decimals(column: Column) -> Column:
    return pc.cast(column, pa.string())


def _durations(column: Column) -> Column:
    """Seconds, as a number: JSON has no duration type and orjson writes none."""
    per_second = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[column.type.unit]
    seconds = pc.divide(pc.cast(column, pa.float64()), float(per_second))
    return _floats(seconds)


# -- quoted scalars (the text between the quotes) --------------------------------------------


def _strings(column: Column) -> Column:
    if not pa.types.is_string(column.type):
        column = pc.cast(column, pa.string())
    return escape(column)


def escape(column: Column) -> Column:
    """Strings escaped for the inside of a JSON string: ``\\``, ``"`` and control characters.

    The check for anything to escape scans the raw data buffer at once; strings that need no
    escaping (nearly all of them) cost no kernel pass.
    """
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    found = set()
    for chunk in chunks:
        found |= _special_bytes(chunk)
    if not found:
        return column
    if 0x5C in found:
        column = pc.replace_substring(column, "\\", "\\\\")
    if 0x22 in found:
        column = pc.replace_substring(column, '"', '\\"')
    for byte in sorted(found - {0x5C, 0x22}):
        replacement = _SHORT_ESCAPES.get(byte, f"\\u{byte:04x}")
        column = pc.replace_substring(column, chr(byte), replacement)
    return column


def _special_bytes(chunk: pa.Array) -> set[int]:
    """The bytes of ``chunk``'s values that JSON needs escaped (UTF-8 never has them inside a
    multi-byte character, so a byte scan is exact)."""
    if len(chunk) == 0:
        return set()
    width = 8 if pa.types.is_large_string(chunk.type) else 4
    buffers = chunk.buffers()
    offsets = np.frombuffer(
        buffers[1],
        dtype=np.int64 if width == 8 else np.int32,
        count=len(chunk) + 1,
        offset=chunk.offset * width,
    )
    if buffers[2] is None:
        return set()
    data = np.frombuffer(buffers[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    control = data < 0x20
    quote = data == 0x22
    backslash = data == 0x5C
    found: set[int] = set()
    if control.any():
        found.update(int(b) for b in np.unique(data[control]))
    if quote.any():
        found.add(0x22)
    if backslash.any():
        found.add(0x5C)
    return found


def _binaries(column: Column) -> Column:
    """Base64, the way JSON carries bytes; one Python call per value (Arrow has no kernel)."""
    encode = binascii.b2a_base64
    values = [None if v is None else encode(v, newline=False) for v in column.to_pylist()]
    return pa.array(values, pa.string())


def _timestamps(column: Column) -> Column:
    """ISO 8601 as Python's ``isoformat`` writes it: ``T``, microseconds only when not zero,
    the offset as ``+HH:MM`` for zoned timestamps (in their zone's local time)."""
    texts, tail = _timestamp_parts(column)
    return pc.binary_join_element_wise(texts, tail, "") if tail else texts


def _timestamp_parts(column: Column) -> tuple[Column, str]:
    """``_timestamps`` as texts and a tail common to all (a UTC offset), which the caller can
    fold into the literal that follows instead of paying a pass to append it."""
    type_ = column.type
    unit = "ns" if type_.unit == "ns" else "us"
    if type_.tz is not None and type_.tz not in ("UTC", "Etc/UTC", "+00:00", "Z"):
        if type_.unit != unit:
            column = pc.cast(column, pa.timestamp(unit, type_.tz))
        texts = pc.strftime(column, "%Y-%m-%dT%H:%M:%S%Ez")
        return pc.replace_substring(texts, "." + "0" * len(unit) * 3, "", max_replacements=1), ""
    # UTC is formatted as naive time plus a fixed suffix: Arrow's zoned formatting goes through
    # the time-zone database for every value, several times slower.
    tail = "" if type_.tz is None else "+00:00"
    naive = pc.cast(column, pa.timestamp(type_.unit)) if type_.tz is not None else column
    seconds = _whole_seconds(naive)
    if seconds is not None:  # the usual case: no fraction to trim, the date in its 10 places
        return pc.utf8_replace_slice(pc.cast(seconds, pa.string()), 10, 11, "T"), tail
    if type_.unit != unit:
        naive = pc.cast(naive, pa.timestamp(unit))
    texts = pc.replace_substring(pc.cast(naive, pa.string()), " ", "T", max_replacements=1)
    zero = "." + "0" * (9 if unit == "ns" else 6)
    return pc.replace_substring(texts, zero, "", max_replacements=1), tail


def _whole_seconds(naive: Column) -> Column | None:
    """The timestamps in whole seconds of years 1 to 9999, or None if any is not one."""
    try:
        seconds = pc.cast(naive, pa.timestamp("s"), safe=True)
    except pa.ArrowInvalid:  # a fraction of a second
        return None
    return seconds if in_python_years(seconds) else None


def _dates(column: Column) -> Column:
    if not pa.types.is_date32(column.type):
        column = pc.cast(column, pa.date32())
    return pc.cast(column, pa.string())


def _times(column: Column) -> Column:
    unit = "ns" if column.type.unit == "ns" else "us"
    column = pc.cast(column, pa.time64(unit))
    zero = "." + "0" * (9 if unit == "ns" else 6)
    return pc.replace_substring(pc.cast(column, pa.string()), zero, "", max_replacements=1)


# -- nested ----------------------------------------------------------------------------------


def _structs(column: Column) -> Column:
    type_ = column.type
    names = [type_.field(i).name for i in range(type_.num_fields)]
    fields = [pc.struct_field(column, [i]) for i in range(type_.num_fields)]
    texts = _objects(names, fields, len(column))
    if column.null_count:
        texts = pc.if_else(pc.is_valid(column), texts, pa.scalar(None, pa.string()))
    return texts


def _lists(column: Column) -> Column:
    """``[a,b]``: the values encoded in one pass, joined per list by ``binary_join``."""
    return _per_chunk(column, _list_chunk)


def _list_chunk(chunk: pa.Array) -> pa.Array:
    if not (pa.types.is_list(chunk.type) or pa.types.is_large_list(chunk.type)):
        large = pa.types.is_large_list_view(chunk.type)
        value_type = chunk.type.value_type
        chunk = chunk.cast(pa.large_list(value_type) if large else pa.list_(value_type))
    texts = _joined(chunk, encode_column(_child_values(chunk)))
    return pc.binary_join_element_wise("[", texts, "]", "")


def _maps(column: Column) -> Column:
    """``{"k":v}``: keys as JSON strings (non-string keys by their JSON text)."""
    return _per_chunk(column, _map_chunk)


def _map_chunk(chunk: pa.Array) -> pa.Array:
    entries = _child_values(chunk)
    keys = pc.struct_field(entries, [0])
    plain = is_string(_value_type(keys.type))
    keys = _strings(keys) if plain else escape(encode_column(keys))
    values = encode_column(pc.struct_field(entries, [1]))
    pairs = pc.binary_join_element_wise('"', keys, '":', values, "")
    return pc.binary_join_element_wise("{", _joined(chunk, pairs), "}", "")


def _child_values(chunk: pa.Array) -> pa.Array:
    """The values of a list-like chunk's lists, from its first list to its last."""
    offsets = chunk.offsets
    start, end = offsets[0].as_py(), offsets[-1].as_py()
    return chunk.values.slice(start, end - start)


def _joined(chunk: pa.Array, texts: pa.Array) -> pa.Array:
    """Per list of ``chunk``, its elements' ``texts`` joined by commas (null for a null list)."""
    offsets = chunk.offsets
    offsets = pc.subtract(offsets, offsets[0])
    mask = chunk.is_null() if chunk.null_count else None
    if pa.types.is_int64(offsets.type):
        lists = pa.LargeListArray.from_arrays(offsets, texts, mask=mask)
    else:
        lists = pa.ListArray.from_arrays(offsets, texts, mask=mask)
    return pc.binary_join(lists, ",")


def _per_chunk(column: Column, encode: Callable[[pa.Array], pa.Array]) -> Column:
    if isinstance(column, pa.ChunkedArray):
        chunks = [encode(chunk) for chunk in column.chunks]
        return pa.chunked_array(chunks, pa.string())
    return encode(column)


def _python(column: Column) -> Column:
    """orjson per value, for types without a vectorized form (unions, unknown extensions)."""
    dumps = orjson.dumps
    option = orjson.OPT_NON_STR_KEYS
    values = [
        None if v is None else dumps(v, default=_default, option=option).decode()
        for v in column.to_pylist()
    ]
    return pc.fill_null(pa.array(values, pa.string()), "null")


def _default(value: object) -> object:
    if isinstance(value, bytes):
        return binascii.b2a_base64(value, newline=False).decode()
    if isinstance(value, list):
        return value
    return str(value)


# -- type dispatch ---------------------------------------------------------------------------


def _value_type(type_: pa.DataType) -> pa.DataType:
    if pa.types.is_dictionary(type_):
        return type_.value_type
    if isinstance(type_, pa.BaseExtensionType) and type_.extension_name != "arrow.json":
        return type_.storage_type
    return type_


Test: TypeAlias = Callable[[pa.DataType], bool]
Encoder: TypeAlias = Callable[[Column], Column]

_QUOTED: list[tuple[Test, Encoder]] = [
    (is_string, _strings),
    (pa.types.is_timestamp, _timestamps),
    (pa.types.is_date, _dates),
    (pa.types.is_time, _times),
    (is_binary, _binaries),
]
_UNQUOTED: list[tuple[Test, Encoder]] = [
    (pa.types.is_integer, _integers),
    (pa.types.is_floating, _floats),
    (pa.types.is_boolean, _booleans),
    (pa.types.is_decimal, _decimals),
    (pa.types.is_duration, _durations),
    (pa.types.is_struct, _structs),
    (pa.types.is_map, _maps),
    (is_list, _lists),
]
