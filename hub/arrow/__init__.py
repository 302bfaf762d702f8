"""Bulk conversions between records, JSON values and Arrow tables.

Batches flow through the hub as Arrow tables (see "Batches, not rows" in the design). This
package converts them in bulk, without a Python object per row where it can be avoided:

- ``to_table``: dicts, ``Record``s or Arrow data -> a table;
- ``json_values_to_table``: JSON object values -> a table, through Arrow's JSON reader;
- ``table_to_json_values``: a table -> one compact JSON object per row, built by Arrow kernels;
- ``keys_from_column`` and ``split_reserved``: keys and topics out of a table.
"""

from __future__ import annotations

from hub.arrow.columns import (
    INTERNAL_PREFIX,
    column_at,
    field_names,
    is_reserved,
    resolve_path,
)
from hub.arrow.decode import dicts_to_table, json_values_to_table, to_table
from hub.arrow.encode import (
    JSON_TYPE,
    encode_column,
    encode_rows,
    json_column,
    table_to_json_array,
    table_to_json_values,
    text_column,
)
from hub.arrow.keys import keys_from_column, split_reserved
from hub.arrow.value_array import ValueArray, join_values, present_values

__all__ = [
    "INTERNAL_PREFIX",
    "JSON_TYPE",
    "ValueArray",
    "column_at",
    "dicts_to_table",
    "encode_column",
    "encode_rows",
    "field_names",
    "is_reserved",
    "join_values",
    "json_column",
    "json_values_to_table",
    "keys_from_column",
    "present_values",
    "resolve_path",
    "split_reserved",
    "table_to_json_array",
    "table_to_json_values",
    "text_column",
    "to_table",
]
