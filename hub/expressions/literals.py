"""Typed pieces of a bound condition: literals, and the families of types that compare."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hub.errors import ConfigError

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.compute as pc
    from sqlglot import exp

NO_VALUE: Any = object()


@dataclass(frozen=True, slots=True)
class Typed:
    """A bound sub-expression: its Arrow expression, type (None: unknown), literal value."""

    expr: pc.Expression
    type: pa.DataType | None
    value: Any = NO_VALUE
    field: str | None = None

    @property
    def is_literal(self) -> bool:
        return self.value is not NO_VALUE


def literal(value: Any) -> Typed:
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(value, dt.datetime):
        scalar = pa.scalar(value, pa.timestamp("us", "UTC" if value.tzinfo else None))
    elif isinstance(value, dt.timedelta):
        scalar = pa.scalar(value, pa.duration("us"))
    else:
        scalar = pa.scalar(value)
    return Typed(pc.scalar(scalar), scalar.type, value)


def literal_time(value: Any, type_: pa.DataType, fail: Callable[[str], ConfigError]) -> Typed:
    """A date/time literal of ``type_``: ISO 8601 text, or a datetime; naive means UTC."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise fail(
                f"{value!r} is not an ISO 8601 date or time (e.g. '2024-01-31T12:00:00Z')"
            ) from None
    if not isinstance(value, dt.datetime):
        raise fail(f"{value!r} cannot be compared with a {type_} field")
    if pa.types.is_timestamp(type_):
        if type_.tz is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        elif type_.tz is None and value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        unit = "ns" if type_.unit == "ns" else "us"
        scalar = pa.scalar(value, pa.timestamp(unit, type_.tz))
    elif pa.types.is_date(type_):
        scalar = pa.scalar(value.date(), type_)
    else:
        raise fail(f"{value!r} cannot be compared with a {type_} field")
    return Typed(pc.scalar(scalar), scalar.type, value)


def boolean(expr: pc.Expression) -> Typed:
    import pyarrow as pa

    return Typed(expr, pa.bool_())


def null_boolean() -> Typed:
    import pyarrow as pa
    import pyarrow.compute as pc

    return Typed(pc.scalar(pa.scalar(None, pa.bool_())), pa.bool_())


def is_null(typed: Typed) -> bool:
    return typed.is_literal and typed.value is None


def kind_of(type_: pa.DataType | None) -> str:
    """Comparable families of types."""
    import pyarrow as pa

    if type_ is None:
        return "unknown"
    if pa.types.is_null(type_):
        return "null"
    if pa.types.is_integer(type_) or pa.types.is_floating(type_) or pa.types.is_decimal(type_):
        return "number"
    if (
        pa.types.is_string(type_)
        or pa.types.is_large_string(type_)
        or pa.types.is_string_view(type_)
    ):
        return "text"
    if pa.types.is_timestamp(type_) or pa.types.is_date(type_):
        return "time"
    if pa.types.is_duration(type_):
        return "duration"
    if pa.types.is_boolean(type_):
        return "boolean"
    if isinstance(type_, pa.BaseExtensionType) and type_.extension_name == "arrow.json":
        return "json"
    if pa.types.is_list(type_) or pa.types.is_large_list(type_):
        return "list"
    return str(type_)


def value_set(values: list[Any]) -> pa.Array:
    """The values of an ``IN`` list, of one type (numbers mixing ints and floats as floats)."""
    import pyarrow as pa

    if any(isinstance(v, float) for v in values) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in values
    ):
        return pa.array([float(v) for v in values], pa.float64())
    return pa.array(values)


def cast_type(node: exp.DataType, fail: Callable[[str], ConfigError]) -> pa.DataType:
    import pyarrow as pa

    name = node.this.name.upper()
    types = {
        "INT": pa.int64(), "BIGINT": pa.int64(), "SMALLINT": pa.int64(), "TINYINT": pa.int64(),
        "DOUBLE": pa.float64(), "FLOAT": pa.float64(), "DECIMAL": pa.float64(),
        "VARCHAR": pa.string(), "TEXT": pa.string(), "CHAR": pa.string(),
        "BOOLEAN": pa.bool_(), "TIMESTAMP": pa.timestamp("us"),
        "TIMESTAMPTZ": pa.timestamp("us", "UTC"), "DATE": pa.date32(),
    }  # fmt: skip
    if name not in types:
        raise fail(f"CAST to {node.sql()} is not supported; use one of {', '.join(types)}")
    return types[name]


ZONED = r"\d:\d\d(:\d\d(\.\d*)?)? ?([Zz]|[+-]\d\d(:?\d\d)?)$"
"""ISO 8601 text ending with a time and a UTC offset."""


def text_as_timestamp(expr: pc.Expression) -> pc.Expression:
    """ISO 8601 text as UTC timestamps: text with an offset is converted, text without one is
    taken as UTC (Arrow parses each kind with its own cast)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    utc, naive = pa.timestamp("us", "UTC"), pa.timestamp("us")
    zoned = pc.match_substring_regex(expr, pattern=ZONED)
    null = pc.scalar(pa.scalar(None, pa.string()))
    aware = pc.if_else(zoned, expr, null).cast(utc)
    local = pc.assume_timezone(pc.if_else(zoned, null, expr).cast(naive), timezone="UTC")
    return pc.coalesce(aware, local)
