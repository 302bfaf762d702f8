"""Reading rows: a DB-API cursor turned into Arrow batches, offsets as JSON, keys, the clock.

``CursorReader`` is the path for every database but PostgreSQL (which uses ``pgcopy``): a
server-side cursor where the driver has one (pymysql's ``SSCursor``; sqlite3 steps lazily anyway),
``fetchmany(batch_size)`` rows, turned column by column into Arrow arrays, so the source holds one
batch at a time whatever the table's size.

Offsets hold the order columns' values of the last row read, as JSON: timestamps and dates as
ISO 8601 text, decimals as strings, bytes as base64, the rest as JSON has them. They are bound
back as the driver expects: typed values on servers, and on SQLite the very values it stores (its
timestamps are text, compared as text: binding another spelling of the same instant would not
compare equal).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import decimal
import uuid
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from connectors.sql.reflect import Column, Relation
from connectors.sql.source_arrow import to_arrow


class CursorReader:
    """One SELECT in progress on a DB-API connection; ``fetch`` converts the next rows."""

    def __init__(self, conn: Any, dialect: str, sql: str, params: Any, relation: Relation) -> None:
        self.relation = relation
        driver = conn.driver_connection
        if dialect == "mysql" and type(driver).__module__.startswith("pymysql"):
            import pymysql.cursors

            self._cursor = driver.cursor(pymysql.cursors.SSCursor)
        else:
            self._cursor = driver.cursor()
        self._cursor.execute(sql, params)
        self.done = False

    def fetch(self, rows: int) -> pa.Table | None:
        """The next ``rows`` rows (fewer at the end), or ``None`` once the result is exhausted."""
        if self.done:
            return None
        data = self._cursor.fetchmany(rows)
        if len(data) < rows:
            self.close()
        if not data:
            return None
        columns = list(zip(*data, strict=True))
        arrays = [
            to_arrow(values, column.kind)
            for values, column in zip(columns, self.relation.columns, strict=True)
        ]
        self.last_row = data[-1]
        return pa.Table.from_arrays(arrays, names=self.relation.names)

    def last(self, names: Sequence[str]) -> list[Any]:
        """The driver's values of columns ``names`` in the last row fetched."""
        index = {name: i for i, name in enumerate(self.relation.names)}
        return [self.last_row[index[name]] for name in names]

    def close(self) -> None:
        if not self.done:
            self.done = True
            self._cursor.close()

    def abort(self) -> None:
        """Forget the result without reading its remaining rows: the connection is discarded.

        pymysql would otherwise read them all when the cursor is collected (from a connection
        that is closed by then), so its unbuffered result is detached first.
        """
        self.done = True
        result: Any = getattr(self._cursor, "_result", None)
        if result is not None and hasattr(result, "unbuffered_active"):
            result.unbuffered_active = False
        if hasattr(self._cursor, "_result"):
            self._cursor.connection = None  # nothing left for close() to finish
        else:
            with contextlib.suppress(Exception):
                self._cursor.close()


def last_values(table: pa.Table, names: Sequence[str]) -> list[Any]:
    """The values of columns ``names`` in the last row of ``table`` (JSON columns as text)."""
    row = table.num_rows - 1
    return [table.column(name)[row].as_py() for name in names]


# -- offsets ------------------------------------------------------------------------------------


def encode(value: Any) -> Any:
    """A column value as JSON (see the module docstring)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)


def decode(value: Any, column: Column, dialect: str) -> Any:
    """A JSON offset value back to what the driver binds for ``column``."""
    if value is None:
        return None
    name = column.kind.name
    if name == "binary":
        return base64.b64decode(value)
    if dialect == "sqlite" or not isinstance(value, str):
        return value
    if name in ("timestamp", "timestamptz"):
        return dt.datetime.fromisoformat(value)
    if name == "date":
        return dt.date.fromisoformat(value)
    if name in ("decimal", "number_text"):
        return decimal.Decimal(value)
    return value


# -- keys ---------------------------------------------------------------------------------------


def key_column(table: pa.Table, names: Sequence[str]) -> pa.Array | pa.ChunkedArray:
    """Record keys: one column's values as they are (the runtime writes their text), or for a
    composite key a JSON array text per row, ``[1,"a"]``."""
    if len(names) == 1:
        column = table.column(names[0])
        if isinstance(column.type, pa.BaseExtensionType):
            return column.cast(column.type.storage_type)
        return column
    import orjson

    rows = zip(*(table.column(name).to_pylist() for name in names), strict=True)
    dumps = orjson.dumps
    return pa.array([dumps(list(row), default=_json_default).decode() for row in rows], pa.string())


def _json_default(value: Any) -> Any:
    import orjson

    if isinstance(value, decimal.Decimal):
        return orjson.Fragment(str(value))
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return str(value)


# -- the database's clock -----------------------------------------------------------------------


def lag_bound(conn: Any, dialect: str, column: Column, lag_s: float) -> Any:
    """The database's "now" minus ``lag_s``, in the form ``column`` compares with.

    Columns with a time zone compare with the current instant; columns without one with the
    local time of the connection's default time zone (PostgreSQL ``localtimestamp``, MariaDB
    ``NOW()`` in the global time zone); SQLite's text with UTC, as ``CURRENT_TIMESTAMP`` writes.
    """
    cursor = conn.driver_connection.cursor()
    try:
        aware = column.kind.name == "timestamptz"
        if dialect == "postgresql":
            cursor.execute("SELECT now(), localtimestamp")
            instant, local = cursor.fetchone()
            now = instant if aware else local
        elif dialect == "mysql":
            cursor.execute("SET time_zone = DEFAULT")
            cursor.execute("SELECT NOW(6), UTC_TIMESTAMP(6)")
            local, utc = cursor.fetchone()
            now = utc if aware else local
            if isinstance(now, str):  # as text (see text_conversions)
                now = dt.datetime.fromisoformat(now)
        elif dialect == "sqlite":
            cursor.execute("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")
            text = cursor.fetchone()[0]
            bound = dt.datetime.fromisoformat(text) - dt.timedelta(seconds=lag_s)
            return bound.isoformat(" ", "microseconds")
        else:
            now = dt.datetime.now(dt.UTC) if aware else dt.datetime.now()
    finally:
        cursor.close()
    return now - dt.timedelta(seconds=lag_s)


def text_conversions(url: str) -> dict[str, Any]:
    """``create_engine`` options for reading: with pymysql, dates, timestamps and decimals come
    as the server's text (parsed by Arrow, ``source_arrow``) rather than as Python objects."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # create_engine reports it
        return {}
    if parsed.get_backend_name() != "mysql" or parsed.get_driver_name() != "pymysql":
        return {}
    import pymysql.converters
    from pymysql.constants import FIELD_TYPE

    conv = dict(pymysql.converters.conversions)
    for field_type in (
        FIELD_TYPE.DATETIME,
        FIELD_TYPE.TIMESTAMP,
        FIELD_TYPE.DATE,
        FIELD_TYPE.NEWDECIMAL,
        FIELD_TYPE.DECIMAL,
    ):
        conv[field_type] = pymysql.converters.through
    return {"connect_args": {"conv": conv}}


def session_setup(conn: Any, dialect: str) -> None:
    """What every pass needs of its connection: MariaDB TIMESTAMPs read as UTC."""
    if dialect == "mysql":
        cursor = conn.driver_connection.cursor()
        try:
            cursor.execute("SET time_zone = '+00:00'")
        finally:
            cursor.close()
