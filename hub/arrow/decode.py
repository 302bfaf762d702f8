"""Records and JSON values -> Arrow tables, in bulk.

JSON values go through Arrow's JSON reader in one call; dicts through Arrow's Python converter
(which sees every row's keys, unlike ``Table.from_pylist``). Two decisions keep a round trip
JSON -> table -> JSON faithful:

- Strings stay strings. Arrow's reader would turn ``"2024-01-01"`` into a timestamp, which
  would come back out as ``"2024-01-01T00:00:00"``; such fields are read again as strings.
- A field whose values disagree in type across rows (``1`` here, ``"one"`` there) does not fail
  the batch: its column becomes ``arrow.json`` (each value's JSON text), written back verbatim.

Values that are not JSON objects cannot be rows: ``RowsFailed`` names them all at once, so that
the caller can dead-letter them and convert the rest.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import orjson
import pyarrow as pa
import pyarrow.json as pj

from hub.arrow.encode import JSON_TYPE
from hub.arrow.value_array import join_values
from hub.record import Record
from hub.sdk import KEY_COLUMN
from hub.transforms.errors import RowsFailed

Records: TypeAlias = Sequence[Mapping[str, Any]] | Sequence[Record] | pa.Table | pa.RecordBatch

_SAMPLE_BYTES = 64 << 10
_BLOCK_BYTES = 16 << 20
_THREADED_BYTES = 1 << 20
"""Below this, Arrow's reader is faster on the calling thread than through its pool."""


def to_table(records: Records) -> pa.Table:
    """A table of ``records``: dicts, ``Record``s (value dicts or JSON bytes; their keys land in
    ``KEY_COLUMN`` as bytes), or an Arrow table or record batch (returned as a table)."""
    if isinstance(records, pa.Table):
        return records
    if isinstance(records, pa.RecordBatch):
        return pa.Table.from_batches([records])
    if len(records) == 0:
        return pa.table({})
    if not isinstance(records[0], Record):
        return dicts_to_table(records)  # type: ignore[arg-type]
    return _records_to_table(records)  # type: ignore[arg-type]


def _records_to_table(records: Sequence[Record]) -> pa.Table:
    values = [r.value for r in records]
    if all(isinstance(v, bytes | bytearray | memoryview) for v in values):
        table = json_values_to_table(values)
    else:
        table = dicts_to_table([_as_dict(v, i) for i, v in enumerate(values)])
    keys = [_key_bytes(r.key) for r in records]
    if any(k is not None for k in keys):
        table = table.append_column(KEY_COLUMN, pa.array(keys, pa.binary()))
    return table


def _as_dict(value: Any, row: int) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        try:
            return _loads(bytes(value))
        except ValueError as exc:
            raise RowsFailed([row], f"row {row}: value is not valid JSON ({exc})") from None
    return value


def _key_bytes(key: Any) -> bytes | None:
    if key is None or isinstance(key, bytes):
        return key
    if isinstance(key, str):
        return key.encode()
    return orjson.dumps(key)


def dicts_to_table(rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """A table with a column for every key of any row (absent keys are null), in first-seen order.

    A column whose values Arrow cannot give one type becomes ``arrow.json``.
    """
    bad = [i for i, row in enumerate(rows) if not isinstance(row, Mapping)]
    if bad:
        raise RowsFailed(bad, _not_objects(rows, bad))
    if not rows:
        return pa.table({})
    try:
        return pa.Table.from_struct_array(pa.array(rows))
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return _by_column(rows)


def _by_column(rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    names = list(dict.fromkeys(name for row in rows for name in row))
    columns = []
    for name in names:
        values = [row.get(name) for row in rows]
        try:
            columns.append(pa.array(values))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            columns.append(_json_column(values))
    return pa.table(columns, names=names)


def _json_column(values: list[Any]) -> pa.Array:
    texts = [None if v is None else _dumps(v) for v in values]
    return pa.ExtensionArray.from_storage(JSON_TYPE, pa.array(texts, pa.string()))


def _dumps(value: Any) -> str:
    try:
        return orjson.dumps(value, default=str).decode()
    except TypeError:  # integers beyond 64 bits: the standard library writes them exactly
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def _loads(value: bytes) -> Any:
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return json.loads(value)  # integers beyond 64 bits, which orjson refuses


def json_values_to_table(values: Sequence[bytes]) -> pa.Table:
    """A table of JSON object values, parsed in bulk by Arrow's JSON reader.

    Fields absent from a value are null in its row. Raises ``RowsFailed`` naming every value
    that is not a JSON object (invalid JSON, an array, a number...).
    """
    if len(values) == 0:
        return pa.table({})
    data = join_values(values, b"\n")
    multiline = data.count(b"\n") != len(values) - 1
    try:
        return _read(data, multiline)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    rows = []
    bad = []
    for i, value in enumerate(values):
        try:
            rows.append(_loads(value))
        except ValueError:
            bad.append(i)
            rows.append(None)
    bad += [i for i, row in enumerate(rows) if not isinstance(row, dict) and i not in bad]
    if bad:
        raise RowsFailed(sorted(bad), _not_objects(rows, sorted(bad)))
    return dicts_to_table(rows)


def _read(data: bytes, multiline: bool) -> pa.Table:
    """Arrow's reader with timestamp inference undone: fields it takes for timestamps in a
    sample (the first values, up to 64 KiB) are read as strings from the start; any it finds
    later only make the whole be read again. Columns keep the order the values give them."""
    pinned = order = None
    end = -1 if multiline else data.find(b"\n", min(_SAMPLE_BYTES, max(4096, len(data) // 64)))
    if end > 0:
        probe = _parse(data[:end], multiline, None)
        pinned = _strings_for_timestamps(probe.schema)
        order = probe.schema.names
    table = _parse(data, multiline, pinned)
    order = order or table.schema.names
    more = _strings_for_timestamps(table.schema)
    if more is not None:
        table = _parse(data, multiline, pa.schema([*(pinned or []), *more]))
    names = order + [name for name in table.schema.names if name not in order]
    return table if names == table.schema.names else table.select(names)


def _parse(data: bytes, multiline: bool, schema: pa.Schema | None) -> pa.Table:
    parse = pj.ParseOptions(
        explicit_schema=schema,
        newlines_in_values=multiline,
        unexpected_field_behavior="infer",
    )
    read = pj.ReadOptions(
        use_threads=len(data) > _THREADED_BYTES,
        block_size=max(1 << 20, min(len(data) + 1, _BLOCK_BYTES)),
    )
    return pj.read_json(pa.BufferReader(data), read_options=read, parse_options=parse)


def _strings_for_timestamps(schema: pa.Schema) -> pa.Schema | None:
    """The fields of ``schema`` that hold timestamps (at any depth), with strings instead;
    ``None`` if there are none."""
    fields = [pa.field(f.name, _untimed(f.type)) for f in schema if _untimed(f.type) != f.type]
    return pa.schema(fields) if fields else None


def _untimed(type_: pa.DataType) -> pa.DataType:
    if pa.types.is_timestamp(type_) or pa.types.is_date(type_):
        return pa.string()
    if pa.types.is_struct(type_):
        return pa.struct([pa.field(f.name, _untimed(f.type)) for f in type_])
    if pa.types.is_list(type_):
        return pa.list_(_untimed(type_.value_type))
    return type_


def _not_objects(rows: Sequence[Any], bad: Sequence[int]) -> str:
    shown = ", ".join(str(i) for i in bad[:10]) + (", ..." if len(bad) > 10 else "")
    return (
        f"{len(bad)} value(s) are not JSON objects and cannot be rows of a table "
        f'(rows {shown}); each value must be one JSON object such as {{"field": 1}}'
    )
