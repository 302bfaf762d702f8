"""Helpers for the transform tests."""

from __future__ import annotations

import orjson
import pyarrow as pa

from hub.arrow import table_to_json_values


def rows(table: pa.Table) -> list[dict[str, object]]:
    """The records as the log would store them."""
    return [orjson.loads(v) for v in table_to_json_values(table)]
