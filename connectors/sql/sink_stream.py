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

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.json as pajson

from connectors.sql import sink_binary as binary
from connectors.sql import sink_values as values
from hub.arrow.value_array import ValueArray, join_values

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from connectors.sql.sink_tables import Target

T = TypeVar("T")
CHUNK_ROWS = 16384
_BLOCK_BYTES = 256 << 10
"""Arrow's reader parses a chunk in blocks of this size, on its threads."""
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
    data = join_values(rows, b"\n", end=b"\n")
    if data.count(b"\n") != len(rows):
        raise Fallback("values span lines")
    present = [name for name in kinds if orjson.dumps(name) + b":" in data]
    if not present:
        raise Fallback("no known field")
    schema = pa.schema([(n, _PARSED[k]) for n in present if (k := kinds[n]) in _PARSED])
    line_ends = _line_ends(rows)
    block_size = max(_BLOCK_BYTES, int(np.diff(line_ends, prepend=0).max()) + 1)
    preparer = connection.dialect.identifier_preparer
    names = ", ".join(preparer.quote_identifier(name) for name in present)
    statement = f"COPY {preparer.format_table(target.table)} ({names}) FROM STDIN (FORMAT binary)"
    column_kinds = [k for k in (kinds[n] for n in present) if k]
    driver = connection.connection.driver_connection
    assert driver is not None

    def parse(start: int) -> pa.Table:
        end = min(start + CHUNK_ROWS, len(rows))
        lines = memoryview(data)[line_ends[start - 1] if start else 0 : line_ends[end - 1]]
        return _parse(lines, block_size, rows[start:end], schema, present, target.families)

    with (
        ThreadPoolExecutor(1, thread_name_prefix="hub-sql-parse") as parser,
        driver.cursor() as cursor,
        cursor.copy(statement) as copy,
    ):
        copy.write(binary.HEADER)
        for table in _one_ahead(parser, parse, range(0, len(rows), CHUNK_ROWS)):
            try:
                copy.write(memoryview(binary.encode(table, column_kinds)))
            except binary.Unsupported as exc:
                raise Fallback(str(exc)) from None
        copy.write(binary.TRAILER)


def _one_ahead(pool: Executor, work: Callable[[int], T], items: Iterable[int]) -> Iterator[T]:
    """``work(item)`` for each item, in order, the next one running in ``pool`` while the
    caller uses the last: Arrow parses a chunk (without the GIL) while one is encoded and sent."""
    pending: deque[Future[T]] = deque()
    for item in items:
        pending.append(pool.submit(work, item))
        if len(pending) > 1:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _line_ends(rows: Sequence[bytes]) -> np.ndarray:
    """Where each row's line ends in the rows joined by newlines (one after each)."""
    sizes = rows.sizes() if isinstance(rows, ValueArray) else np.fromiter(map(len, rows), np.int64)
    return np.cumsum(sizes + 1)


def _parse(
    lines: memoryview,
    block_size: int,
    chunk: Sequence[bytes],
    schema: pa.Schema,
    present: list[str],
    families: dict[str, str],
) -> pa.Table:
    """The chunk's rows (``lines``: their JSON texts, a line each) as a table of ``present``."""
    options = pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="infer")
    read = pajson.ReadOptions(use_threads=True, block_size=block_size)
    try:
        table = pajson.read_json(
            pa.BufferReader(pa.py_buffer(lines)), read_options=read, parse_options=options
        )
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
