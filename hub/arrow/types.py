"""Arrow type families as the hub's JSON encoding sees them: one answer for every module.

Arrow has several physical types per logical kind (``string``, ``large_string``,
``string_view``...); the encoder, schema inference and validation must agree on which of them
become a JSON string, a base64 string or an array.
"""

from __future__ import annotations

import pyarrow as pa


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
