"""Column type names in configs (``columns: {id: integer}``) as Arrow types."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

_ARROW_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "timestamp": pa.timestamp("us"),
    "date": pa.date32(),
}


def arrow_types(columns: Mapping[str, str]) -> dict[str, pa.DataType]:
    """The schema guarantees every name is one of ``config.COLUMN_TYPES``."""
    return {name: _ARROW_TYPES[type_name] for name, type_name in columns.items()}
