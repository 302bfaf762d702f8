"""PostgreSQL inserts, streamed: the next chunk is parsed and encoded while the server loads
the last one.

The common case (insert mode, values only, a table already checked for this schema) gets one
``COPY ... (FORMAT binary)`` per batch, fed chunk by chunk: each chunk's JSON values are parsed by
Arrow's reader with the table's column types given up front (no type inference, timestamps
parsed in C++), encoded by ``sink_binary``, and written; the server loads a chunk while the next
one is made, so its time and ours overlap instead of adding up. Anything unusual in a chunk (a
field the table lacks, a value of another type, a column binary cannot encode) abandons the COPY
with ``Fallback``: the caller rolls back to its savepoint and takes the regular path, which
handles and reports everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import orjson
import pyarrow as pa
import pyarrow.json as pajson

from connectors.sql import sink_binary as binary
from connectors.sql import sink_values as values
from hub.arrow.value_array import join_values

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from connectors.sql.sink_tables import Target

CHUNK_ROWS = 4096
_PARSED = {
    "int8": pa.int64(),
    "int4": pa.int64(),
    "int2": pa.int64(),
    "float8": pa.float64(),
    "float4": pa.float64(),
    "bool": pa.bool_(),
    "text": pa.string(),
    "timestamptz": pa.timestamp("us", "UTC"),
}
"""Types Arrow's reader parses straight into the form the encoder wants (a naive timestamp or a
date is left to inference: the reader would treat offsets and dates differently than the
server)."""


class Fallback(Exception):
    """The batch needs the regular path; the COPY was abandoned."""


def stream_insert(connection: Connection, target: Target, rows: Sequence[bytes]) -> None:
    """COPY ``rows`` (JSON values, no tombstones) into ``target``; raises ``Fallback``."""
    kinds = {name: binary.kind_of(column.type) for name, column in target.table.c.items()}
    if not all(kinds.values()):
        raise Fallback("a column binary COPY does not cover")
    data = join_values(rows, b"\n")
    present = [name for name in kinds if orjson.dumps(name) + b":" in data]
    if not present:
        raise Fallback("no known field")
    schema = pa.schema([(n, _PARSED[k]) for n in present if (k := kinds[n]) in _PARSED])
    chunks = (rows[i : i + CHUNK_ROWS] for i in range(0, len(rows), CHUNK_ROWS))
    preparer = connection.dialect.identifier_preparer
    names = ", ".join(preparer.quote_identifier(name) for name in present)
    statement = f"COPY {preparer.format_table(target.table)} ({names}) FROM STDIN (FORMAT binary)"
    column_kinds = [k for k in (kinds[n] for n in present) if k]
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write(binary.HEADER)
        for chunk in chunks:
            table = _parse(chunk, schema, present, target.families)
            try:
                copy.write(memoryview(binary.encode(table, column_kinds)))
            except binary.Unsupported as exc:
                raise Fallback(str(exc)) from None
        copy.write(binary.TRAILER)


def _parse(
    chunk: Sequence[bytes], schema: pa.Schema, present: list[str], families: dict[str, str]
) -> pa.Table:
    data = join_values(chunk, b"\n")
    if data.count(b"\n") != len(chunk) - 1:
        raise Fallback("values span lines")
    options = pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="infer")
    read = pajson.ReadOptions(use_threads=False, block_size=max(1 << 20, len(data) + 1))
    try:
        table = pajson.read_json(pa.BufferReader(data), read_options=read, parse_options=options)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise Fallback(str(exc)) from None
    if not set(table.column_names) <= set(present):
        raise Fallback("a field the table lacks")
    if any(values.is_nested(field.type) for field in table.schema):
        records: list[Any] = [orjson.loads(value) for value in chunk]
        table = values.exact_json(table, records, families)
    for name in present:
        if name not in table.column_names:
            table = table.append_column(name, pa.nulls(table.num_rows))
    return table.select(present)
