"""Checks for columns of scalars: a type decided once per batch, then vectorized rules.

Each Arrow type is seen as the JSON the hub writes for it (``hub.arrow.encode``): integers as
integers; floats, decimals and durations (in seconds) as numbers, NaN and infinities as null;
strings, binary (base64), timestamps, dates and times as strings. ``scalar_check`` returns
``None`` for a keyword it cannot check exactly in bulk, and the column is then checked per value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from hub.arrow.encode import text_column
from hub.arrow.types import is_binary, is_list
from hub.registry.validation.checks import Column, Rule, Scalars
from hub.registry.validation.formats import PATTERNS
from hub.registry.validation.patterns import to_re2

_EXACT_FLOAT = 2**53
"""Integers up to this compare exactly with float64 values, as ``jsonschema_rs`` compares."""

JSON_TYPES = {
    "null": "null",
    "boolean": "boolean",
    "integer": "integer",
    "float": "number",
    "decimal": "number",
    "duration": "number",
    "string": "string",
    "binary": "string",
    "temporal": "string",
    "object": "object",
    "map": "object",
    "array": "array",
}
_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def kind_of(type_: pa.DataType) -> str | None:
    """How the hub writes values of ``type_`` to JSON (a key of ``JSON_TYPES``); None: mixed."""
    if pa.types.is_dictionary(type_):
        return kind_of(type_.value_type)
    if isinstance(type_, pa.BaseExtensionType):
        return None if type_.extension_name == "arrow.json" else kind_of(type_.storage_type)
    tests: list[tuple[Callable[[pa.DataType], bool], str]] = [
        (pa.types.is_null, "null"),
        (pa.types.is_boolean, "boolean"),
        (pa.types.is_integer, "integer"),
        (pa.types.is_floating, "float"),
        (pa.types.is_decimal, "decimal"),
        (pa.types.is_duration, "duration"),
        (lambda t: pa.types.is_string(t) or pa.types.is_large_string(t), "string"),
        (pa.types.is_string_view, "string"),
        (pa.types.is_timestamp, "temporal"),
        (pa.types.is_date, "temporal"),
        (pa.types.is_time, "temporal"),
        (pa.types.is_struct, "object"),
        (pa.types.is_map, "map"),
    ]
    for test, kind in tests:
        if test(type_):
            return kind
    if is_binary(type_):
        return "binary"
    if is_list(type_):
        return "array"
    return None


def scalar_check(
    schema: Mapping[str, Any], type_: pa.DataType, kind: str, allowed: set[str] | None
) -> Scalars | None:
    """The check of ``schema`` on a column of ``type_`` (of scalar ``kind``); None: per value."""
    json_type = JSON_TYPES[kind]
    null_ok = allowed is None or "null" in allowed
    choices = _choices(schema)
    null_ok = null_ok and all(any(o is None for o in options) for options in choices)
    numeric = json_type == "number"
    prepare = _preparer(kind, normalize_zero=bool(choices))
    fits = (
        allowed is None or json_type in allowed or (json_type == "integer" and "number" in allowed)
    )
    whole_only = numeric and not fits and "integer" in (allowed or ())
    if not fits and not whole_only:
        return Scalars(prepare, null_fails=not null_ok, all_fail=True)
    rules = _rules(schema, kind, type_, whole_only)
    if rules is None:
        return None
    for options in choices:
        rule = _enum_rule(options, kind)
        if rule is None:
            return None
        rules.append(rule)
    return Scalars(prepare, null_fails=not null_ok, all_fail=False, rules=tuple(rules))


def _choices(schema: Mapping[str, Any]) -> list[list[Any]]:
    """The values ``const`` and ``enum`` each allow (a value must be among all of them)."""
    choices = [[schema["const"]]] if "const" in schema else []
    return [*choices, list(schema["enum"])] if "enum" in schema else choices


def _rules(
    schema: Mapping[str, Any], kind: str, type_: pa.DataType, whole_only: bool
) -> list[Rule] | None:
    if kind == "integer":
        return _integer_rules(schema, _decoded_type(type_))
    if kind in ("float", "duration"):
        return _float_rules(schema, whole_only)
    if kind == "decimal":
        numeric = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
        return None if whole_only or any(key in schema for key in numeric) else []
    if JSON_TYPES[kind] == "string":
        return _string_rules(schema, kind)
    return []


# -- preparing values as JSON has them -------------------------------------------------------


def _preparer(kind: str, *, normalize_zero: bool) -> Callable[[Column], Column]:
    def prepare(values: Column) -> Column:
        values = _decoded(values)
        if kind in ("float", "duration", "decimal"):
            return _numbers(values, kind, normalize_zero)
        if kind == "string":
            return values if not pa.types.is_string_view(values.type) else values.cast(pa.string())
        if kind in ("binary", "temporal"):
            return text_column(values)
        return values

    return prepare


def _decoded(values: Column) -> Column:
    type_ = values.type
    if pa.types.is_dictionary(type_):
        return _decoded(pc.cast(values, type_.value_type))
    if isinstance(type_, pa.BaseExtensionType):
        if isinstance(values, pa.ChunkedArray):
            return pa.chunked_array([c.storage for c in values.chunks], type_.storage_type)
        return values.storage
    return values


def _decoded_type(type_: pa.DataType) -> pa.DataType:
    if pa.types.is_dictionary(type_):
        return _decoded_type(type_.value_type)
    if isinstance(type_, pa.BaseExtensionType):
        return _decoded_type(type_.storage_type)
    return type_


def _numbers(values: Column, kind: str, normalize_zero: bool) -> Column:
    """float64 as the JSON text reads back: durations in seconds, NaN and infinities null."""
    if kind == "duration":
        ticks = pc.cast(pc.cast(values, pa.int64()), pa.float64())
        values = pc.divide(ticks, float(_PER_SECOND[values.type.unit]))
    elif values.type != pa.float64():
        values = pc.cast(values, pa.float64())
    finite = pc.is_finite(values)
    if not pc.all(finite).as_py():
        values = pc.if_else(finite, values, pa.scalar(None, pa.float64()))
    return pc.add(values, 0.0) if normalize_zero else values  # -0.0 equals 0 in JSON


# -- numbers ---------------------------------------------------------------------------------


def _integer_rules(schema: Mapping[str, Any], type_: pa.DataType) -> list[Rule] | None:
    """Bounds become integer thresholds in the column's own type: exact, as JSON compares."""
    lowest, highest = _integer_range(type_)
    low, high = lowest, highest
    for key in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        if key not in schema:
            continue
        bound = schema[key]
        if isinstance(bound, bool) or not _finite(bound):
            return None
        if key == "minimum":
            low = max(low, math.ceil(bound))
        elif key == "exclusiveMinimum":
            low = max(low, math.floor(bound) + 1)
        elif key == "maximum":
            high = min(high, math.floor(bound))
        else:
            high = min(high, math.ceil(bound) - 1)
    rules: list[Rule] = []
    if low > high:
        rules.append(lambda x: x.is_valid())
    else:
        if low > lowest:
            rules.append(lambda x: pc.less(x, pa.scalar(low, x.type)))
        if high < highest:
            rules.append(lambda x: pc.greater(x, pa.scalar(high, x.type)))
    multiple = schema.get("multipleOf")
    if multiple is not None:
        if isinstance(multiple, bool) or not _finite(multiple) or multiple != int(multiple):
            return None  # fractional factors: left to jsonschema_rs's own float arithmetic
        if int(multiple) != 1:
            rules.append(_multiple_rule(int(multiple), highest))
    return rules


def _multiple_rule(factor: int, highest: int) -> Rule:
    if factor > highest:  # only 0 is a multiple within the type's range
        return lambda x: pc.not_equal(x, pa.scalar(0, x.type))
    return lambda x: pc.not_equal(
        pc.multiply(pc.divide(x, pa.scalar(factor, x.type)), pa.scalar(factor, x.type)), x
    )


def _float_rules(schema: Mapping[str, Any], whole_only: bool) -> list[Rule] | None:
    rules: list[Rule] = []
    if whole_only:
        rules.append(lambda x: pc.not_equal(pc.floor(x), x))
    tests = {
        "minimum": pc.less,
        "exclusiveMinimum": pc.less_equal,
        "maximum": pc.greater,
        "exclusiveMaximum": pc.greater_equal,
    }
    for key, test in tests.items():
        if key not in schema:
            continue
        bound = schema[key]
        if isinstance(bound, bool) or not _finite(bound) or abs(bound) > _EXACT_FLOAT:
            return None
        rules.append(_compare(test, float(bound)))
    return None if "multipleOf" in schema else rules


def _compare(test: Callable[..., Column], bound: float) -> Rule:
    return lambda x: test(x, bound)


def _integer_range(type_: pa.DataType) -> tuple[int, int]:
    bits = type_.bit_width
    if pa.types.is_signed_integer(type_):
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def _finite(value: Any) -> bool:
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


# -- strings ---------------------------------------------------------------------------------


def _string_rules(schema: Mapping[str, Any], kind: str) -> list[Rule] | None:
    rules: list[Rule] = []
    shortest, longest = schema.get("minLength"), schema.get("maxLength")
    if shortest is not None or longest is not None:
        if not all(_count(v) for v in (shortest, longest) if v is not None):
            return None
        rules.append(_length_rule(shortest, longest))
    for key, pattern in (("pattern", schema.get("pattern")), ("format", schema.get("format"))):
        if pattern is None:
            continue
        regex = to_re2(pattern) if key == "pattern" else PATTERNS.get(pattern)
        if regex is None:
            return None
        rules.append(_regex_rule(regex))
    if "contentMediaType" in schema:
        return None
    if "contentEncoding" in schema and not (
        kind == "binary" and schema["contentEncoding"] == "base64"  # the hub writes base64
    ):
        return None
    return rules


def _count(value: Any) -> bool:
    return not isinstance(value, bool) and _finite(value) and value == int(value) and value >= 0


def _length_rule(shortest: Any, longest: Any) -> Rule:
    """Lengths in code points, as JSON Schema counts them (``utf8_length``)."""

    def rule(x: Column) -> Column:
        lengths = pc.utf8_length(x)
        masks = []
        if shortest is not None:
            masks.append(pc.less(lengths, int(shortest)))
        if longest is not None:
            masks.append(pc.greater(lengths, int(longest)))
        return masks[0] if len(masks) == 1 else pc.or_(*masks)

    return rule


def _regex_rule(regex: str) -> Rule:
    return lambda x: pc.invert(pc.match_substring_regex(x, pattern=regex))


# -- enum and const --------------------------------------------------------------------------


def _enum_rule(options: list[Any], kind: str) -> Rule | None:
    """Values not among ``options``, compared as JSON compares (``1 == 1.0``, ``true != 1``)."""
    json_type = JSON_TYPES[kind]
    if json_type == "null":
        return lambda x: x.is_valid()
    if kind == "decimal" or json_type in ("object", "array"):
        return None
    if json_type == "string":
        return _not_in([option for option in options if isinstance(option, str)])
    if json_type == "boolean":
        return _not_in([option for option in options if isinstance(option, bool)])
    numbers = [o for o in options if _finite(o) and not isinstance(o, bool)]
    if kind == "integer":
        return _not_in([int(o) for o in numbers if o == int(o) and abs(o) < 2**64])
    if any(abs(o) > _EXACT_FLOAT for o in numbers):
        return None
    return _not_in([float(o) + 0.0 for o in numbers])


def _not_in(allowed: list[Any]) -> Rule:
    if not allowed:
        return lambda x: x.is_valid()

    def rule(x: Column) -> Column:
        fitting = [value for value in allowed if _fits(value, x.type)]
        if not fitting:
            return x.is_valid()
        return pc.invert(pc.is_in(x, value_set=pa.array(fitting, x.type)))

    return rule


def _fits(value: Any, type_: pa.DataType) -> bool:
    if pa.types.is_integer(type_):
        lowest, highest = _integer_range(type_)
        return lowest <= value <= highest
    return True
