"""The unit of data: one record, as appended to and read from the log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Headers = tuple[tuple[str, bytes | None], ...]


@dataclass(slots=True)
class Record:
    """A key, a value, headers and a timestamp; topic, partition and offset once it is in the log.

    In the log, ``key`` and ``value`` are bytes (or ``None``: a null key, a tombstone value).
    ``timestamp`` is milliseconds since the epoch, UTC; ``None`` means "now" on append.
    ``partition`` set before an append pins the record to that partition.
    """

    value: Any
    key: Any = None
    headers: Headers = ()
    timestamp: int | None = None
    partition: int | None = None
    topic: str | None = None
    offset: int | None = None
