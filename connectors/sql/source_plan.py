"""Per source partition: which columns order the rows, which identify them, and where we are.

A ``Plan`` is made once per table (or query) when the source opens, from the config, the
reflected columns and the checkpointed offset; every column the config names is checked there, so
a typo fails before anything is read, naming the table, the column and the columns that exist.

Offsets (JSON, per partition)::

    incremental  {"after": {"updated_at": "2024-05-01T12:00:00+00:00", "id": 42}}
    snapshot     {"snapshot": "2024-05-01T00:00:00+00:00", "after": {"id": 42}, "done": false}

``after`` holds the order columns' values of the last row read (see ``source_read``). A snapshot
offset names the run it belongs to (when it started); ``done`` says it reached the end, so the
next run starts from scratch, while a run that was interrupted resumes after ``after``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from connectors.sql import types
from connectors.sql.reflect import Relation
from connectors.sql.source_config import SourceConfig
from connectors.sql.source_read import decode, encode
from hub.errors import ConfigError

_TEMPORAL = ("timestamp", "timestamptz", "date")


@dataclass(slots=True)
class Plan:
    relation: Relation
    cursor: tuple[str, ...]
    key: tuple[str, ...]
    order: tuple[str, ...]
    schema: dict[str, Any]
    after: list[Any] | None = None  # driver values of ``order`` in the last row read
    run: str | None = None  # snapshot: when the run in progress started
    due: float = 0.0  # time.monotonic() at which the next pass may start

    @property
    def name(self) -> str:
        return self.relation.name

    def offset(self, done: bool = False) -> dict[str, Any]:
        after = (
            None
            if self.after is None
            else {name: encode(v) for name, v in zip(self.order, self.after, strict=True)}
        )
        if self.cursor:
            return {"after": after}
        return {"snapshot": self.run, "after": after, "done": done}


def make_plan(
    relation: Relation,
    settings: SourceConfig,
    offset: Any,
    dialect: str,
    log: logging.Logger,
) -> Plan:
    """The plan for ``relation``; ``ConfigError`` for columns that do not exist or cannot work."""
    problems: list[str] = []
    what = "query" if relation.query is not None else "table"
    where = f"{what} {relation.name!r}"
    listing = ", ".join(relation.names)
    for option, names in (("cursor", settings.cursor), ("key", settings.key or ())):
        for name in names:
            if name not in relation.names:
                problems.append(f"{option}: {where} has no column {name!r} (columns: {listing})")
    if problems:
        raise ConfigError(f"sql source: {where}: unknown column(s)", problems)
    key = settings.key if settings.key is not None else relation.primary_key
    if settings.mode == "incremental" and not key:
        raise ConfigError(
            f"sql source: {where} has no primary key",
            [
                f"key: set the column(s) unique per row of {where} (columns: {listing}): rows "
                "with equal cursor values are ordered by them, so none is skipped"
            ],
        )
    cursor = settings.cursor if settings.mode == "incremental" else ()
    if settings.lag_s and relation.column(cursor[0]).kind.name not in _TEMPORAL:
        raise ConfigError(
            f"sql source: {where}: lag needs a timestamp cursor",
            [f"lag: the first cursor column {cursor[0]!r} is not a date or timestamp"],
        )
    for name in cursor:
        if relation.column(name).nullable:
            log.warning(
                "sql source: %s: cursor column %r may be NULL; rows where it is NULL are never "
                "read",
                where,
                name,
            )
    if settings.mode == "snapshot" and not key:
        log.warning(
            "sql source: %s has no key: a snapshot interrupted by a restart starts over (its "
            "rows read so far are read again); set key to resume instead",
            where,
        )
    order = cursor + tuple(name for name in key if name not in cursor)
    plan = Plan(relation, cursor, tuple(key), order, value_schema(relation, tuple(key)))
    if offset:
        _resume(plan, offset, where, dialect)
    return plan


def _resume(plan: Plan, offset: Any, where: str, dialect: str) -> None:
    if not isinstance(offset, dict):
        return
    after = offset.get("after")
    if not plan.cursor:  # snapshot
        if offset.get("done", True) or "snapshot" not in offset:
            return  # the last run finished: the next one starts from scratch
        plan.run = offset["snapshot"]
    if after is None:
        return
    if list(after) != list(plan.order):
        raise ConfigError(
            f"sql source: {where}: the checkpointed offset is for other columns",
            [
                f"cursor, key: the offset stored for {where} is after columns {list(after)}, "
                f"the config orders by {list(plan.order)}; restore the config, or give the "
                "source a new name to read from the start"
            ],
        )
    plan.after = [decode(after[name], plan.relation.column(name), dialect) for name in plan.order]


def value_schema(relation: Relation, key: tuple[str, ...]) -> dict[str, Any]:
    """The JSON Schema of the records of ``relation`` (see ``connectors.sql.types``).

    Every column is a property (the hub writes each one, null or not); NOT NULL columns are
    required; ``x-primary-key`` lists the key columns. Closed, like inferred schemas.
    """
    properties = {
        c.name: types.column_schema(c.kind, c.nullable and c.name not in key, c.sql_text)
        for c in relation.columns
    }
    required = [c.name for c in relation.columns if not c.nullable or c.name in key]
    schema: dict[str, Any] = {"title": relation.name, "type": "object", "properties": properties}
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    if key:
        schema["x-primary-key"] = list(key)
    return schema
