"""DB-API values (what pymysql and sqlite3 hand out) as Arrow arrays of each column's ``Kind``.

Drivers return values in their own forms: sqlite3 ``str`` for dates, ``int`` for booleans and
whatever a column happens to hold; pymysql, as the source configures it (``text_conversions``),
the server's text for dates, timestamps and decimals, which Arrow parses in bulk (pymysql's own
``datetime`` and ``Decimal`` objects cost more than the rest of a row), and ``timedelta`` for
TIME. Each kind accepts the forms the drivers use; most columns go through one call in C.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from connectors.sql import types
from connectors.sql.types import Kind


def to_arrow(values: Sequence[Any], kind: Kind) -> pa.Array:
    """One column of DB-API values as an Arrow array of ``kind`` (inferred for ``AUTO``).

    Text is parsed by Arrow; Python objects (``datetime``, ``Decimal``) are converted too.
    """
    converter = _CONVERTERS.get(kind.name)
    if converter is not None:
        return converter(values, kind)
    if kind.arrow is None:
        return _inferred(values)
    try:
        return pa.array(values, kind.arrow)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        if pa.types.is_string(kind.arrow):
            return pa.array([None if v is None else _text(v) for v in values], pa.string())
        if pa.types.is_integer(kind.arrow):  # unsigned past the signed range (a query's column)
            return _inferred(values)
        raise


def _inferred(values: Sequence[Any]) -> pa.Array:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed types (SQLite): their text
        return pa.array([None if v is None else _text(v) for v in values], pa.string())


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dt.timedelta):
        return _time_text(value)
    return str(value)


def _time_text(value: dt.timedelta) -> str:
    """A MariaDB TIME (a ``timedelta``, maybe negative or past 24h) as ``[-]HH:MM:SS[.ffffff]``."""
    sign = "-" if value < dt.timedelta(0) else ""
    micros = abs(value) // dt.timedelta(microseconds=1)
    seconds, fraction = divmod(micros, 1_000_000)
    text = f"{sign}{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return text + (f".{fraction:06d}".rstrip("0") if fraction else "")


def _booleans(values: Sequence[Any], kind: Kind) -> pa.Array:
    if all(v is None or isinstance(v, bool) for v in values):
        return pa.array(values, pa.bool_())
    return pc.not_equal(pa.array(values, pa.int64()), 0)


def _decimals(values: Sequence[Any], kind: Kind) -> pa.Array:
    if _texts(values):
        return pc.cast(pa.array(values, pa.string()), kind.arrow)
    try:
        return pa.array(values, kind.arrow)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # SQLite keeps floats (and text) in NUMERIC columns: exactly what it holds, to the scale.
        quantum = decimal.Decimal(1).scaleb(-kind.arrow.scale)  # type: ignore[union-attr]
        fixed = [None if v is None else decimal.Decimal(str(v)).quantize(quantum) for v in values]
        return pa.array(fixed, kind.arrow)


def _number_texts(values: Sequence[Any], kind: Kind) -> pa.Array:
    texts = pa.array([None if v is None else str(v) for v in values], pa.string())
    return types.number_texts(texts)


def _temporal(values: Sequence[Any], kind: Kind) -> pa.Array:
    arrow: Any = kind.arrow
    if not _texts(values):
        return pa.array(values, arrow)
    texts = pa.array(values, pa.string())  # ISO 8601, without an offset
    if pa.types.is_timestamp(arrow) and arrow.tz is not None:
        return pc.cast(pc.cast(texts, pa.timestamp(arrow.unit)), arrow)  # the text is UTC
    return pc.cast(texts, arrow)


def _texts(values: Sequence[Any]) -> bool:
    """Whether the column came as text (the first value that is not NULL says)."""
    return isinstance(next((v for v in values if v is not None), None), str)


def _times(values: Sequence[Any], kind: Kind) -> pa.Array:
    return pa.array([None if v is None else _text(v) for v in values], pa.string())


def _json_docs(values: Sequence[Any], kind: Kind) -> pa.Array:
    """JSON texts written as they are; a text that is not JSON (SQLite checks nothing) is
    written as a JSON string rather than break the record."""
    import orjson

    texts: list[str | None] = []
    for value in values:
        if value is None:
            texts.append(None)
            continue
        text = value.decode() if isinstance(value, bytes) else str(value)
        try:
            orjson.loads(text)
        except orjson.JSONDecodeError:
            text = orjson.dumps(text).decode()
        texts.append(text)
    return pa.ExtensionArray.from_storage(types.JSON, pa.array(texts, pa.string()))


def _uuids(values: Sequence[Any], kind: Kind) -> pa.Array:
    return pa.array([None if v is None else _uuid_text(v) for v in values], pa.string())


def _uuid_text(value: Any) -> str:
    if isinstance(value, bytes) and len(value) == 16:
        return str(uuid.UUID(bytes=value))
    return str(value)


def _binaries(values: Sequence[Any], kind: Kind) -> pa.Array:
    return pa.array(
        [v if v is None or isinstance(v, bytes) else bytes(v) for v in values], pa.binary()
    )


_CONVERTERS: dict[str, Callable[[Sequence[Any], Kind], pa.Array]] = {
    "boolean": _booleans,
    "decimal": _decimals,
    "number_text": _number_texts,
    "date": _temporal,
    "timestamp": _temporal,
    "timestamptz": _temporal,
    "time": _times,
    "json": _json_docs,
    "uuid": _uuids,
    "binary": _binaries,
}
