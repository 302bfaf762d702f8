"""``cast``: fields converted to another type, vectorized; values that do not convert fail alone.

A value that cannot be converted (``"abc"`` to integer) must not take its batch down: the whole
column is converted in one kernel call, and only when that fails is the column searched by
halves for the values that fail, which leave the batch as ``RowsFailed`` for the errors policy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from hub.expressions.literals import ZONED
from hub.transforms.base import BuiltinTransform, check_field_name
from hub.transforms.errors import RowsFailed

if TYPE_CHECKING:
    import pyarrow as pa

TARGETS = ("integer", "number", "string", "boolean", "timestamp", "date")


class Cast(BuiltinTransform):
    """Converts fields: ``fields: {name: integer|number|string|boolean|timestamp|date}``.

    - integer: from numeric text (``" 42 "``), whole numbers (``4.0``; ``4.5`` fails), booleans
      (1/0), timestamps (milliseconds since the epoch);
    - number: from numeric text, integers, booleans;
    - string: a string stays itself; other values become their JSON text (``1.0``, ``true``,
      ``{"a":1}``), timestamps ISO 8601;
    - boolean: from ``true``/``false``/``1``/``0`` in any case, numbers (non-zero is true);
    - timestamp (UTC, written as ISO 8601): from ISO 8601 text (no offset means UTC), epoch
      milliseconds, dates;
    - date: from ISO 8601 text, timestamps (their UTC date).

    Nulls stay null; fields a batch does not have are skipped; dotted paths reach into structs.
    """

    type: ClassVar[str] = "cast"
    config_schema: ClassVar[str] = "transform-cast.schema.json"

    def configure(self, config: Mapping[str, Any]) -> None:
        self.fields: dict[str, str] = dict(config["fields"])
        for name in self.fields:
            check_field_name(self.type, name)

    def apply(self, table: pa.Table) -> pa.Table:
        from hub.arrow.columns import get_path, resolve_path, set_path

        for name, target in self.fields.items():
            path = resolve_path(table.schema, name)
            if path is None:
                continue
            column = get_path(table, path)
            table = set_path(table, path, convert(column, target, name))
        return table


def convert(column: pa.ChunkedArray, target: str, name: str = "value") -> pa.ChunkedArray:
    """``column`` as ``target``; ``RowsFailed`` naming the rows whose values do not convert."""
    import pyarrow as pa

    converter = _CONVERTERS[target]
    try:
        return _chunked(converter(column))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
        rows = _failing_rows(column, converter, 0)
        if not rows:
            raise
        sample = column[rows[0]].as_py()
        raise RowsFailed(
            rows,
            f"cast: {len(rows)} value(s) of field {name!r} cannot be converted to {target}, "
            f"e.g. {sample!r} ({exc})",
        ) from None


def _failing_rows(column: pa.ChunkedArray, converter: Converter, start: int) -> list[int]:
    """Rows (offset by ``start``) whose values make ``converter`` fail, found by halving."""
    import pyarrow as pa

    try:
        converter(column)
        return []
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        if len(column) == 1:
            return [start]
    half = len(column) // 2
    return _failing_rows(column.slice(0, half), converter, start) + _failing_rows(
        column.slice(half), converter, start + half
    )


def _chunked(values: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    import pyarrow as pa

    return values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])


# -- converters ------------------------------------------------------------------------------


def _to_integer(column: pa.ChunkedArray) -> pa.ChunkedArray:
    import pyarrow as pa
    import pyarrow.compute as pc

    type_ = column.type
    if _is_text(type_):
        return pc.cast(pc.utf8_trim_whitespace(column), pa.int64())
    if pa.types.is_timestamp(type_):
        return pc.cast(pc.cast(column, pa.timestamp("ms", type_.tz)), pa.int64())
    if pa.types.is_date(type_):
        return _to_integer(pc.cast(column, pa.timestamp("ms")))
    return pc.cast(column, pa.int64())


def _to_number(column: pa.ChunkedArray) -> pa.ChunkedArray:
    import pyarrow as pa
    import pyarrow.compute as pc

    if _is_text(column.type):
        return pc.cast(pc.utf8_trim_whitespace(column), pa.float64())
    return pc.cast(column, pa.float64())


def _to_string(column: pa.ChunkedArray) -> pa.ChunkedArray:
    from hub.arrow.encode import text_column

    return text_column(column)


def _to_boolean(column: pa.ChunkedArray) -> pa.ChunkedArray:
    import pyarrow as pa
    import pyarrow.compute as pc

    type_ = column.type
    if _is_text(type_):
        return pc.cast(pc.utf8_lower(pc.utf8_trim_whitespace(column)), pa.bool_())
    if pa.types.is_integer(type_) or pa.types.is_floating(type_) or pa.types.is_decimal(type_):
        return pc.not_equal(column, 0)
    return pc.cast(column, pa.bool_())


def _to_timestamp(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """UTC microseconds: zoned text is converted, text without an offset is taken as UTC."""
    import pyarrow as pa
    import pyarrow.compute as pc

    utc = pa.timestamp("us", "UTC")
    type_ = column.type
    if _is_text(type_):
        text = pc.utf8_trim_whitespace(column)
        zoned = pc.match_substring_regex(text, ZONED)
        if not pc.any(zoned).as_py():
            return pc.assume_timezone(pc.cast(text, pa.timestamp("us")), "UTC")
        if pc.all(zoned).as_py():
            return pc.cast(text, utc)
        null = pa.scalar(None, pa.string())
        aware = pc.cast(pc.if_else(zoned, text, null), utc)
        naive = pc.cast(pc.if_else(zoned, null, text), pa.timestamp("us"))
        return pc.coalesce(aware, pc.assume_timezone(naive, "UTC"))
    if pa.types.is_integer(type_) or pa.types.is_floating(type_):
        return pc.cast(pc.cast(pc.cast(column, pa.int64()), pa.timestamp("ms", "UTC")), utc)
    if pa.types.is_timestamp(type_) and type_.tz is None:
        return pc.assume_timezone(pc.cast(column, pa.timestamp("us")), "UTC")
    return pc.cast(column, utc)


def _to_date(column: pa.ChunkedArray) -> pa.ChunkedArray:
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_date32(column.type):
        return column
    return pc.cast(_to_timestamp(column), pa.date32())


def _is_text(type_: pa.DataType) -> bool:
    import pyarrow as pa

    return pa.types.is_string(type_) or pa.types.is_large_string(type_)


Converter = Callable[["pa.ChunkedArray"], "pa.ChunkedArray"]
_CONVERTERS: dict[str, Converter] = {
    "integer": _to_integer,
    "number": _to_number,
    "string": _to_string,
    "boolean": _to_boolean,
    "timestamp": _to_timestamp,
    "date": _to_date,
}
