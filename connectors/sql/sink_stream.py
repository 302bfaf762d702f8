"""PostgreSQL inserts, streamed: the next chunk is parsed and encoded while the server loads
the last one.

The common case (insert mode, values only, a table already checked for this schema) gets one
``COPY ... (FORMAT binary)`` per batch, fed chunk by chunk: each chunk's JSON values are parsed by
Arrow's reader with the table's column types given up front (no type inference, timestamps
parsed in C++), encoded by ``sink_binary``, and written; the server loads a chunk while the next
one is made, so its time and ours overlap instead of adding up. The COPY names the columns the
first chunk's rows name. Anything unusual in a chunk (a field the table or the first chunk lacks,
a value of another type, a column binary cannot encode) abandons the COPY with ``Fallback``: the
caller rolls back to its savepoint and takes the regular path, which handles and reports
everything.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

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
    found = {name: binary.kind_of(column.type) for name, column in target.table.c.items()}
    kinds = {name: kind for name, kind in found.items() if kind}
    if len(kinds) < len(found):
        raise Fallback("a column binary COPY does not cover")
    schema = pa.schema([(name, _PARSED[kind]) for name, kind in kinds.items() if kind in _PARSED])
    needles = {name: orjson.dumps(name) + b":" for name in kinds}
    driver = connection.connection.driver_connection
    assert driver is not None

    def parse(start: int) -> _Chunk:
        return _parse(rows[start : start + CHUNK_ROWS], needles, schema, target.families)

    with ThreadPoolExecutor(1, thread_name_prefix="hub-sql-parse") as parser:
        chunks = _one_ahead(parser, parse, range(0, len(rows), CHUNK_ROWS))
        first = next(chunks)
        present = first.present
        if not present:
            raise Fallback("no known field")
        statement = _copy_statement(connection, target, present)
        column_kinds = [kinds[name] for name in present]
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(binary.HEADER)
            for chunk in itertools.chain([first], chunks):
                if not set(chunk.present) <= set(present):
                    raise Fallback("a field the first rows lack")
                try:
                    copy.write(memoryview(binary.encode(chunk.table.select(present), column_kinds)))
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


@dataclass(frozen=True, slots=True)
class _Chunk:
    table: pa.Table
    """Every column of the target table, in its order (nulls where no row has the field)."""
    present: list[str]
    """The columns some row of the chunk names."""


def _longest(values: Sequence[bytes]) -> int:
    """The longest value's length: Arrow's reader needs a whole line in each block."""
    if isinstance(values, ValueArray):
        return int(values.sizes().max())
    return max(map(len, values))


def _copy_statement(connection: Connection, target: Target, names: list[str]) -> str:
    preparer = connection.dialect.identifier_preparer
    columns = ", ".join(preparer.quote_identifier(name) for name in names)
    return f"COPY {preparer.format_table(target.table)} ({columns}) FROM STDIN (FORMAT binary)"


def _parse(
    chunk: Sequence[bytes], needles: dict[str, bytes], schema: pa.Schema, families: dict[str, str]
) -> _Chunk:
    """The chunk's JSON values as a table of the target's columns, read by Arrow's reader
    from the values joined a line each (a chunk at a time: its lines stay in the cache)."""
    lines = join_values(chunk, b"\n", end=b"\n")
    if lines.count(b"\n") != len(chunk):
        raise Fallback("values span lines")
    options = pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="infer")
    read = pajson.ReadOptions(use_threads=True, block_size=max(_BLOCK_BYTES, _longest(chunk) + 1))
    try:
        table = pajson.read_json(pa.BufferReader(lines), read_options=read, parse_options=options)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise Fallback(str(exc)) from None
    if not set(table.column_names) <= needles.keys():
        raise Fallback("a field the table lacks")
    if any(values.is_nested(field.type) for field in table.schema):
        records: list[Any] = [orjson.loads(value) for value in chunk]
        table = values.exact_json(table, records, families)
    for name in needles:
        if name not in table.column_names:
            table = table.append_column(name, pa.nulls(table.num_rows))
    present = [name for name, needle in needles.items() if needle in lines]
    return _Chunk(table.select(list(needles)), present)
