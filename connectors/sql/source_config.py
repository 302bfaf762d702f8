"""The ``sql`` source's config as a typed object, built once from the schema-validated mapping.

``schemas/sql-source.schema.json`` checks shapes and ranges; what remains here is what a schema
cannot see: ``tables`` and ``query`` exclude each other, a query needs a ``name``, incremental
mode needs a ``cursor``, durations parse. Columns (do they exist? is there a key?) are checked
against the database in ``open``, once the tables are reflected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from hub.errors import ConfigError
from hub.sdk import parse_duration_ms


@dataclass(frozen=True, slots=True)
class SourceConfig:
    url: str
    tables: tuple[str, ...] = ()
    query: str | None = None
    name: str | None = None
    schema: str | None = None
    mode: Literal["incremental", "snapshot"] = "incremental"
    cursor: tuple[str, ...] = ()
    key: tuple[str, ...] | None = None  # None: each table's primary key
    record_key: bool = True
    lag_s: float = 0.0
    batch_size: int = 10_000
    poll_interval_s: float = 1.0
    discover_interval_s: float = 60.0

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> SourceConfig:
        problems: list[str] = []
        tables = _names(config.get("tables"))
        query = config.get("query")
        mode = config.get("mode", "incremental")
        if tables and query is not None:
            problems.append("tables, query: set one of them, not both")
        elif not tables and query is None:
            problems.append("tables: required (or a query with a name); e.g. tables: [orders]")
        if query is not None and not config.get("name"):
            problems.append("name: required with query: the source partition's name")
        if query is not None and ";" in str(query).strip().rstrip(";"):
            problems.append("query: one SELECT statement only (it is read as a subquery)")
        cursor = _names(config.get("cursor"))
        if mode == "incremental" and not cursor:
            problems.append(
                "cursor: required in incremental mode: the column(s) that grow as rows change, "
                "e.g. cursor: updated_at (or use mode: snapshot)"
            )
        if mode == "snapshot" and cursor:
            problems.append("cursor: only for mode: incremental (snapshots read every row)")
        if config.get("lag") is not None and mode != "incremental":
            problems.append("lag: only for mode: incremental")
        lag_ms = _duration(config, "lag", 0, problems)
        poll_ms = _duration(config, "poll_interval", 1000, problems)
        discover_ms = _duration(config, "discover_interval", 60_000, problems)
        if problems:
            raise ConfigError("sql source: invalid config", problems)
        key = config.get("key")
        return cls(
            url=str(config["url"]),
            tables=tables,
            query=None if query is None else str(query).strip().rstrip(";"),
            name=config.get("name"),
            schema=config.get("schema"),
            mode=mode,
            cursor=cursor,
            key=None if key is None else _names(key),
            record_key=bool(config.get("record_key", True)),
            lag_s=lag_ms / 1000,
            batch_size=int(config.get("batch_size", 10_000)),
            poll_interval_s=poll_ms / 1000,
            discover_interval_s=discover_ms / 1000,
        )


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _duration(config: Mapping[str, Any], name: str, default: int, problems: list[str]) -> int:
    value = config.get(name)
    if value is None:
        return default
    try:
        return parse_duration_ms(value, where=name)
    except ConfigError as exc:
        problems.append(str(exc))
        return default
