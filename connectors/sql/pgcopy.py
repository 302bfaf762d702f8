"""PostgreSQL's other fast path: ``COPY (SELECT ...) TO STDOUT`` as CSV, parsed by Arrow in bulk.

Tables whose columns ADBC covers are read through ``pgadbc`` (binary rows decoded in C++); this
path takes the rest (uuid, time, interval, arrays, enums...) and every table when the ADBC driver
is not installed.

The server streams one CSV row per message; rows are collected as they come (no Python object
per value) and every ``batch_size`` rows are parsed at once by ``pyarrow.csv`` with the column
types known from reflection, so memory holds one batch and the conversion runs in C++ threads.
Each column is selected in a form whose text Arrow parses exactly:

- integers, floats, booleans (``t``/``f``), dates, timestamps: as PostgreSQL prints them in
  ISO style (``SET LOCAL DateStyle``; ``extra_float_digits = 1`` prints the shortest text that
  reads back to the same float); timestamptz carry their offset and are converted to UTC;
- numeric(p, s): parsed as text, then cast to decimal128/256 (NaN and infinities become null),
  unconstrained numeric kept as the server's text (``arrow.json``): digit for digit;
- json/jsonb: their text, written into records as nested JSON (``arrow.json``);
- bytea: ``encode(col, 'hex')``, decoded to binary by numpy in one pass;
- anything else (time, interval, arrays, enums...): ``col::text``.
"""

from __future__ import annotations

import io
import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from connectors.sql import types
from connectors.sql.reflect import Column, Relation
from hub.errors import FatalError

SESSION = (
    "SET LOCAL DateStyle = 'ISO, YMD'",
    "SET LOCAL IntervalStyle = 'iso_8601'",
    "SET LOCAL extra_float_digits = 1",
)
_PARSED = {"integer", "float", "boolean", "date", "timestamp", "timestamptz"}


def select_expr(expr: Any, column: Column) -> Any:
    """How ``column`` is selected inside the COPY (see the module docstring)."""
    import sqlalchemy as sa

    name = column.kind.name
    if name == "binary":
        return sa.func.encode(expr, "hex").label(column.name)
    if name in _PARSED or name in ("decimal", "number_text", "json", "string", "uuid"):
        return expr
    return sa.cast(expr, sa.Text).label(column.name)


class CopyReader:
    """One ``COPY (SELECT ...) TO STDOUT`` in progress; ``fetch`` parses the next rows."""

    def __init__(self, conn: Any, sql: str, params: Any, relation: Relation) -> None:
        self.relation = relation
        self._names = [f"c{i}" for i in range(len(relation.columns))]
        csv_types: dict[str, pa.DataType] = {}
        for name, column in zip(self._names, relation.columns, strict=True):
            kind = column.kind
            csv_types[name] = kind.arrow if kind.name in _PARSED else pa.string()
        self._convert = pacsv.ConvertOptions(
            column_types=csv_types,
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            true_values=["t"],
            false_values=["f"],
        )
        self._read_options = pacsv.ReadOptions(column_names=self._names, block_size=4 << 20)
        self._parse = pacsv.ParseOptions(newlines_in_values=True)
        self._cursor = conn.cursor()
        for statement in SESSION:
            self._cursor.execute(statement)
        copy_sql = f"COPY ({sql}) TO STDOUT (FORMAT csv)"
        if not params:  # psycopg merges parameters (and turns %% into %) only when there are some
            copy_sql, params = copy_sql.replace("%%", "%"), None
        self._context = self._cursor.copy(copy_sql, params)
        self._copy = self._context.__enter__()
        self.done = False

    def fetch(self, rows: int) -> pa.Table | None:
        """The next ``rows`` rows (fewer at the end), or ``None`` once the result is exhausted."""
        if self.done:
            return None
        read = self._copy.read
        chunks = []
        for _ in range(rows):
            data = read()
            if not data:
                self.done = True
                break
            chunks.append(data)
        if not chunks:
            self.close()
            return None
        try:
            table = pacsv.read_csv(
                io.BytesIO(b"".join(chunks)),
                read_options=self._read_options,
                parse_options=self._parse,
                convert_options=self._convert,
            )
        except pa.ArrowInvalid as exc:
            raise self._unconvertible(exc) from None
        if self.done:
            self.close()
        return self._finish(table)

    def _unconvertible(self, exc: pa.ArrowInvalid) -> FatalError:
        """A value Arrow cannot take (an infinite or BC timestamp, say), named by its column."""
        names = self.relation.names
        text = re.sub(r"column #(\d+)", lambda m: f"column {names[int(m[1])]!r}", str(exc))
        return FatalError(
            f"sql source: {self.relation.name}: a value does not convert ({text}); select the "
            "table through a query that maps such values (e.g. CASE WHEN isfinite(t) THEN t END)"
        )

    def _finish(self, table: pa.Table) -> pa.Table:
        arrays = []
        for name, column in zip(self._names, self.relation.columns, strict=True):
            arrays.append(_converted(table.column(name).combine_chunks(), column))
        return pa.Table.from_arrays(arrays, names=self.relation.names)

    def close(self) -> None:
        """End the COPY (reading what is left, if stopped early) and release the cursor."""
        context, self._context = self._context, None
        if context is not None:
            context.__exit__(None, None, None)
            self._cursor.close()
        self.done = True

    def abort(self) -> None:
        """Forget the COPY without reading the rest: the connection is discarded, which ends it."""
        self._context = None
        self.done = True


def _converted(array: pa.Array, column: Column) -> pa.Array:
    if column.kind.name == "binary":
        return hex_to_binary(array)
    converted = types.from_text(array, column.kind)
    return array if converted is None else converted


def hex_to_binary(texts: pa.Array) -> pa.Array:
    """Hex strings (as ``encode(b, 'hex')`` writes them) as binary values, decoded by numpy."""
    if len(texts) == 0:
        return pa.array([], pa.binary())
    offsets = np.frombuffer(texts.buffers()[1], np.int32, len(texts) + 1, texts.offset * 4)
    data = texts.buffers()[2]
    raw = (
        np.frombuffer(data, np.uint8)[offsets[0] : offsets[-1]]
        if data is not None
        else np.zeros(0, np.uint8)
    )
    nibbles = _NIBBLES[raw]
    decoded = (nibbles[0::2] << 4) | nibbles[1::2]
    new_offsets = ((offsets - offsets[0]) // 2).astype(np.int32)
    validity = pc.is_valid(texts).buffers()[1] if texts.null_count else None
    return pa.Array.from_buffers(
        pa.binary(),
        len(texts),
        [validity, pa.py_buffer(new_offsets), pa.py_buffer(decoded.astype(np.uint8))],
        null_count=texts.null_count,
    )


_NIBBLES = np.zeros(256, np.uint8)
for _i, _c in enumerate(b"0123456789abcdef"):
    _NIBBLES[_c] = _i
for _i, _c in enumerate(b"ABCDEF"):
    _NIBBLES[_c] = _i + 10
