"""PostgreSQL read through ADBC: the server's binary rows decoded into Arrow by the driver's C++.

``adbc-driver-postgresql`` (Apache Arrow's ADBC driver) runs the pass's SELECT with the binary
protocol's ``COPY`` and hands back Arrow record batches: no Python object per row, and the GIL
released while rows are decoded, so the other stages of the pipeline keep running. Its columns
come typed from the server, then take the same Arrow types as on every other path (decimals and
unconstrained numerics from their exact text, JSON as ``arrow.json``).

Tables with a column of another kind (uuid, time, interval, arrays, enums...) are read by the
``pgcopy`` path instead, as are all tables when the driver is not installed.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from connectors.sql import types
from connectors.sql.reflect import Column, Relation
from hub.arrow.types import in_python_years
from hub.errors import FatalError, RetriableError

READABLE = frozenset(
    {
        "integer",
        "float",
        "boolean",
        "string",
        "date",
        "timestamp",
        "timestamptz",
        "decimal",
        "number_text",
        "json",
        "binary",
    }
)
"""Column kinds whose ADBC types convert exactly to the source's Arrow types."""


BATCH_BYTES = 1 << 20
"""The driver's record batches hold about this much: memory stays small, and the server is
still streaming while the first rows are written."""
_BATCH_BYTES = "adbc.postgresql.batch_size_hint_bytes"


@cache
def available() -> bool:
    try:
        import adbc_driver_postgresql.dbapi  # noqa: F401
    except ImportError:
        return False
    return True


def readable(relation: Relation) -> bool:
    """Whether ``relation`` is read through ADBC."""
    return available() and all(c.kind.name in READABLE for c in relation.columns)


@cache
def dialect() -> Any:
    """PostgreSQL's SQLAlchemy dialect with ``$n`` placeholders, as libpq takes them."""
    from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

    return PGDialect_psycopg(paramstyle="numeric_dollar")


def uri(url: Any) -> str:
    """The libpq URI of a SQLAlchemy URL (its query options, such as ``options``, kept)."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class AdbcReader:
    """One pass's SELECT on a connection of its own; ``fetch`` returns the next rows."""

    def __init__(self, uri: str, sql: str, params: Sequence[Any], relation: Relation) -> None:
        import adbc_driver_postgresql.dbapi as dbapi

        self.relation = relation
        self.done = False
        self._connection = dbapi.connect(uri)
        try:
            self._cursor = self._connection.cursor()
            self._cursor.adbc_statement.set_options(**{_BATCH_BYTES: str(BATCH_BYTES)})
            self._cursor.execute(sql, parameters=tuple(params) or None)
            self._batches = self._cursor.fetch_record_batch()
        except BaseException:
            self._connection.close()
            raise
        self._held: list[pa.RecordBatch] = []
        self._held_rows = 0

    def fetch(self, rows: int) -> pa.Table | None:
        """The next ``rows`` rows (fewer at the end), or ``None`` once the result is exhausted."""
        while self._held_rows < rows and not self.done:
            try:
                batch = self._batches.read_next_batch()
            except StopIteration:
                self.done = True
                break
            except (pa.ArrowException, OSError) as exc:  # the stream's errors come as Arrow's
                raise _stream_error(exc) from exc
            if batch.num_rows:
                self._held.append(batch)
                self._held_rows += batch.num_rows
        if not self._held_rows:
            self.close()
            return None
        table = pa.Table.from_batches(self._held)
        taken = table.slice(0, rows)
        rest = table.slice(rows)
        self._held = rest.to_batches()
        self._held_rows = rest.num_rows
        return self._finish(taken)

    def _finish(self, table: pa.Table) -> pa.Table:
        arrays = []
        for i, column in enumerate(self.relation.columns):
            array = table.column(i).combine_chunks()
            if column.kind.name in _TEMPORAL and not in_python_years(array):
                raise FatalError(
                    f"sql source: {self.relation.name}: a value does not convert (column "
                    f"{column.name!r} holds 'infinity', '-infinity' or a date outside the years 1 "
                    "to 9999); select the table through a query that maps such values (e.g. CASE "
                    f"WHEN isfinite({column.name}) THEN {column.name} END)"
                )
            arrays.append(_converted(array, column))
        return pa.Table.from_arrays(arrays, names=self.relation.names)

    def close(self) -> None:
        """End the pass: the connection goes, with the rest of the result if any is left."""
        self.done = True
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                self._cursor.close()
            finally:
                connection.close()

    def abort(self) -> None:
        self.close()


_TEMPORAL = ("timestamp", "timestamptz", "date")
_LOST = ("server closed the connection", "terminating connection", "could not receive data")


def _stream_error(exc: BaseException) -> Exception:
    """An error met while reading the result: a lost connection is retriable (the pass starts
    again from the last batch read), anything else is the driver's word as it is."""
    text = str(exc)
    if any(marker in text for marker in _LOST):
        return RetriableError(
            f"sql: lost the connection while reading rows: {' '.join(text.split())}"
        )
    return exc if isinstance(exc, Exception) else RuntimeError(text)


def _converted(array: pa.Array, column: Column) -> pa.Array:
    kind = column.kind
    if isinstance(array.type, pa.BaseExtensionType):  # numeric (opaque text), json
        array = array.storage.cast(pa.string())
    converted = types.from_text(array, kind)
    if converted is not None:
        return converted
    if kind.arrow is not None and array.type != kind.arrow:
        return pc.cast(array, kind.arrow)
    return array
