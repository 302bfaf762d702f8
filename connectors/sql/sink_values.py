"""A batch's Arrow columns as the values a target column takes, and tombstone keys as row keys.

Conversions depend on the target column's family (``ddl.family_of``), not on the data alone:
a JSON column gets JSON (a string becomes a JSON string), a text column gets nested values as
JSON text, a bytes column gets the base64 strings the log holds decoded. Everything that can be
done by Arrow kernels is; per-value Python runs only for nested, binary and time-of-day values.
A value that cannot be converted raises ``RecordError``, so that the runtime isolates it.

A tombstone's key (bytes) says which row to delete: with one key column, the key's text (as the
runtime writes keys: a string's UTF-8, other values' JSON text) converted to the column's type,
or a JSON object holding that column; with several, a JSON object with every key column, or a
JSON array of their values in key-column order (what the ``sql`` source writes for a composite
primary key, so that deletes flow from one database to another).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeAlias

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from hub.errors import RecordError

Column: TypeAlias = pa.Array | pa.ChunkedArray
JSON_TEXT = pa.json_(pa.string())


def runs(values: Sequence[bytes | None], deletes: bool) -> list[tuple[bool, int, int]]:
    """Consecutive runs of the batch as ``(is_delete, start, end)``: values runs in *table* rows
    (``batch.table`` holds the non-null values only), tombstone runs in batch indexes. Without
    ``deletes`` tombstones are skipped and the whole table is one run."""
    if not deletes or None not in values:
        count = sum(1 for v in values if v is not None) if None in values else len(values)
        return [(False, 0, count)] if count else []
    found: list[tuple[bool, int, int]] = []
    row = 0
    for index, value in enumerate(values):
        tomb = value is None
        if found and found[-1][0] == tomb:
            kind, start, _ = found[-1]
            found[-1] = (kind, start, (index if tomb else row) + 1)
        else:
            found.append((tomb, index if tomb else row, (index if tomb else row) + 1))
        row += not tomb
    return found


def last_per_key(table: pa.Table, keys: Sequence[str]) -> pa.Table:
    """The table with only the last row of each key (an upsert statement may touch a row once)."""
    if table.num_rows < 2:
        return table
    indexes = pa.array(range(table.num_rows), pa.int64())
    grouped = table.select(list(keys)).append_column("__row", indexes)
    last = grouped.group_by(list(keys), use_threads=False).aggregate([("__row", "max")])
    rows = last.column("__row_max")
    if len(rows) == table.num_rows:
        return table
    return table.take(pc.take(rows, pc.sort_indices(rows)))


def exact_json(table: pa.Table, records: Sequence[Any], families: dict[str, str]) -> pa.Table:
    """Nested columns replaced by each value's own JSON text, taken from the parsed ``records``
    (the table's rows): Arrow's reader unifies objects across rows (``{"a": 1}`` next to
    ``{"b": 2}`` reads as ``{"a": 1, "b": null}``), which a JSON or text column should not see."""
    nested = [
        name
        for name in table.column_names
        if is_nested(table.column(name).type)
        and families.get(name, "other") in ("json", "string", "other")
    ]
    if not nested:
        return table
    dumps = orjson.dumps
    for name in nested:
        texts = [None if (v := r.get(name)) is None else dumps(v).decode() for r in records]
        column = pa.ExtensionArray.from_storage(JSON_TEXT, pa.array(texts, pa.string()))
        table = table.set_column(table.column_names.index(name), name, column)
    return table


def is_nested(type_: pa.DataType) -> bool:
    t = pa.types
    return bool(
        t.is_struct(type_) or t.is_list(type_) or t.is_large_list(type_) or t.is_map(type_)
        or t.is_fixed_size_list(type_) or t.is_union(type_)
    )  # fmt: skip


def is_json_text(type_: pa.DataType) -> bool:
    return isinstance(type_, pa.BaseExtensionType) and type_.extension_name == "arrow.json"


def json_texts(column: Column) -> pa.Array:
    """Each value as JSON text (nulls stay null): per value, for nested and mixed columns."""
    if is_json_text(column.type):
        storage = (
            column.storage
            if isinstance(column, pa.Array)
            else pa.chunked_array([c.storage for c in column.chunks], column.type.storage_type)
        )
        return pc.cast(storage, pa.string())
    dumps = orjson.dumps
    try:
        texts = [None if v is None else dumps(v).decode() for v in column.to_pylist()]
    except TypeError as exc:
        raise RecordError(f"sql sink: a value cannot be written as JSON: {exc}") from None
    return pa.array(texts, pa.string())


def text(column: Column) -> Column:
    """Values for a text column: strings as they are, nested values as JSON, others cast."""
    type_ = column.type
    if pa.types.is_string(type_) or pa.types.is_large_string(type_) or pa.types.is_null(type_):
        return column
    if is_nested(type_) or is_json_text(type_):
        return json_texts(column)
    try:
        return pc.cast(column, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return json_texts(column)


def decoded_bytes(column: Column) -> list[bytes | None]:
    """Binary values: Arrow binary as it is, strings from base64 (as the hub writes bytes)."""
    type_ = column.type
    if pa.types.is_binary(type_) or pa.types.is_large_binary(type_):
        return column.to_pylist()
    out: list[bytes | None] = []
    for value in column.to_pylist():
        if value is None:
            out.append(None)
            continue
        if not isinstance(value, str):
            raise RecordError(f"sql sink: {value!r} is not a base64 string for a bytes column")
        try:
            out.append(base64.b64decode(value, validate=True))
        except binascii.Error as exc:
            raise RecordError(f"sql sink: {value[:40]!r} is not valid base64 ({exc})") from None
    return out


def timestamps(column: Column, *, naive_utc: bool) -> Column:
    """ISO 8601 strings (with or without offsets) as UTC timestamps; naive UTC if asked (the
    form MariaDB's DATETIME and SQLite take)."""
    if not pa.types.is_timestamp(column.type):
        try:
            column = pc.cast(column, pa.timestamp("us", "UTC"))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            column = _parse_each(column)
    elif column.type.tz is None:
        column = pc.assume_timezone(column, "UTC")
    return pc.cast(column, pa.timestamp("us")) if naive_utc else column


def _parse_each(column: Column) -> pa.Array:
    out: list[dt.datetime | None] = []
    for value in column.to_pylist():
        if value is None:
            out.append(None)
            continue
        try:
            parsed = dt.datetime.fromisoformat(str(value))
        except ValueError:
            raise RecordError(f"sql sink: {value!r} is not an ISO 8601 date-time") from None
        out.append(parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC))
    return pa.array(out, pa.timestamp("us", "UTC"))


def python_values(column: Column, family: str, dialect: str) -> list[Any]:
    """``column`` as Python values for a column of ``family`` (executemany paths)."""
    try:
        if family == "json":
            if is_json_text(column.type):
                return [
                    None if v is None else orjson.loads(v) for v in json_texts(column).to_pylist()
                ]
            return column.to_pylist()
        if family in ("string", "uuid"):
            return text(column).to_pylist()
        if family == "bytes":
            return decoded_bytes(column)
        if family == "datetime":
            return timestamps(column, naive_utc=dialect != "postgresql").to_pylist()
        if family == "date" and not pa.types.is_date(column.type):
            return pc.cast(column, pa.date32()).to_pylist()
        if family == "time" and not pa.types.is_time(column.type):
            return [None if v is None else dt.time.fromisoformat(v) for v in column.to_pylist()]
        if is_nested(column.type) or is_json_text(column.type):
            return json_texts(column).to_pylist()
        return column.to_pylist()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError, TypeError) as exc:
        raise RecordError(f"sql sink: a value does not fit a {family} column: {exc}") from None


def key_rows(
    keys: Sequence[bytes | None], columns: Sequence[str], families: dict[str, str]
) -> list[dict[str, Any]]:
    """The key column values of each tombstone's key (see the module docstring)."""
    return [_key_row(key, columns, families) for key in keys]


def _key_row(key: bytes | None, columns: Sequence[str], families: dict[str, str]) -> dict[str, Any]:
    if key is None:
        raise RecordError("sql sink: a tombstone without a key cannot say which row to delete")
    try:
        textual = key.decode()
    except UnicodeDecodeError:
        raise RecordError("sql sink: a tombstone's key is not UTF-8 text") from None
    try:
        parsed: Any = orjson.loads(key)
    except orjson.JSONDecodeError:
        parsed = None
    if isinstance(parsed, dict) and all(c in parsed for c in columns):
        return {c: _typed(parsed[c], families.get(c, "other")) for c in columns}
    if len(columns) > 1 and isinstance(parsed, list) and len(parsed) == len(columns):
        pairs = zip(columns, parsed, strict=True)
        return {c: _typed(v, families.get(c, "other")) for c, v in pairs}
    if len(columns) != 1:
        raise RecordError(
            f"sql sink: a tombstone's key {textual[:100]!r} is not a JSON object with the key "
            f"columns {', '.join(columns)} nor an array of their {len(columns)} values"
        )
    return {columns[0]: _typed(textual, families.get(columns[0], "other"))}


def _typed(value: Any, family: str) -> Any:
    """A key value for a column of ``family`` (the key's text may be a number's JSON)."""
    try:
        if family in ("integer", "bool_int") and not isinstance(value, bool):
            return int(value)
        if family == "number":
            return float(value)
        if family == "boolean" and isinstance(value, str):
            return {"true": True, "false": False}[value]
    except (ValueError, KeyError, TypeError):
        raise RecordError(f"sql sink: key value {value!r} does not fit a {family} column") from None
    if family in ("string", "uuid") and not isinstance(value, str):
        return orjson.dumps(value).decode()
    return value
