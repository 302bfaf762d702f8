"""Arrow type families as the hub's JSON encoding sees them: one answer for every module.

Arrow has several physical types per logical kind (``string``, ``large_string``,
``string_view``...); the encoder, schema inference and validation must agree on which of them
become a JSON string, a base64 string or an array. And which dates and timestamps have an
ISO 8601 text at all (``in_python_years``).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc


def is_string(type_: pa.DataType) -> bool:
    """Any UTF-8 string type: written as a JSON string."""
    return (
        pa.types.is_string(type_)
        or pa.types.is_large_string(type_)
        or pa.types.is_string_view(type_)
    )


def is_binary(type_: pa.DataType) -> bool:
    """Any binary type: written as a base64 JSON string."""
    return (
        pa.types.is_binary(type_)
        or pa.types.is_large_binary(type_)
        or pa.types.is_fixed_size_binary(type_)
        or pa.types.is_binary_view(type_)
    )


def is_list(type_: pa.DataType) -> bool:
    """Any list type: written as a JSON array."""
    return (
        pa.types.is_list(type_)
        or pa.types.is_large_list(type_)
        or pa.types.is_fixed_size_list(type_)
        or pa.types.is_list_view(type_)
        or pa.types.is_large_list_view(type_)
    )


_FIRST_DAY, _LAST_DAY = -719162, 2932896  # 0001-01-01 and 9999-12-31, in days since 1970
_FIRST_SECOND, _END_SECOND = -62135596800, 253402300800  # 0001-01-01 and 10000-01-01
_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def in_python_years(column: pa.Array | pa.ChunkedArray) -> bool:
    """Whether every date or timestamp lies in the years 1 to 9999, where Python's ``datetime``
    and ISO 8601's four-digit years hold it (nulls pass)."""
    if column.null_count == len(column):
        return True
    days = pa.types.is_date32(column.type)
    bounds = pc.min_max(pc.cast(column, pa.int32() if days else pa.int64()))
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    if days:
        return bool(low >= _FIRST_DAY and high <= _LAST_DAY)
    per = _PER_SECOND[column.type.unit]
    return bool(low >= _FIRST_SECOND * per and high < _END_SECOND * per)
