"""The sink's target tables: found, created (``auto_create``) and evolved (``auto_evolve``).

Each table is reflected once (and again after DDL) and checked once per shape of the data: a
registry schema, or the batch's Arrow schema when the topic has none. Fields the table lacks are
added as nullable columns when ``auto_evolve`` is on, and stop the task otherwise. A registry
schema the table cannot hold stops the task with a ``FatalError`` naming the table, the column
and both types: a column whose type is narrower than the field's (BIGINT for a number), or a
NOT NULL column without a default that the schema no longer has. With Arrow types alone a
mismatch is left to the database, value by value: a batch's types tell less than a schema.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import orjson
import pyarrow as pa

from connectors.sql import ddl, sqlite_rebuild
from connectors.sql.sink_columns import (
    ACCEPTS,
    ColumnSpec,
    columns_from_arrow,
    columns_from_schema,
)
from connectors.sql.sink_config import SinkConfig
from hub.arrow.value_array import present_values
from hub.errors import FatalError
from hub.sdk import SinkBatch

if TYPE_CHECKING:
    from sqlalchemy import Connection, Table

_NAME_LIMITS = {"postgresql": 63, "mysql": 64, "mariadb": 64}
"""Bytes in a table name (MariaDB counts characters; bytes is the safe side)."""


@dataclass(slots=True)
class Target:
    """A reflected table and what the sink learnt about it."""

    table: Table
    families: dict[str, str]
    required: set[str]
    """NOT NULL columns without a default: every row must give them."""
    unique: list[frozenset[str]]
    """Column sets of the primary key and unique constraints (an upsert's conflict target)."""
    checked: set[bytes] = field(default_factory=set)
    schema_columns: tuple[str, ...] = ()
    """The columns the current registry schema knows (an upsert sets them all)."""
    schemas: set[bytes] = field(default_factory=set)
    """Registry schemas this table was checked against."""


class Tables:
    """The target tables of one sink, reflected on first use."""

    def __init__(self, settings: SinkConfig, where: str, log: logging.Logger) -> None:
        self.settings = settings
        self.where = where
        self._log = log
        self._cache: dict[str, Target] = {}
        self._not_rebuilt: set[str] = set()
        """SQLite tables found unfit for a rebuild (warned about once)."""

    def forget(self) -> None:
        """Reflect again: DDL of a lost transaction may be gone."""
        self._cache.clear()

    def ready(self, batch: SinkBatch) -> Target | None:
        """The table for ``batch`` if it is known and checked against the batch's registry
        schema already: its rows can go without looking at their Arrow types first."""
        found = self._cache.get(self.settings.table_name(batch.topic))
        if found is None or (batch.schema is not None and _key(batch.schema) not in found.schemas):
            return None
        return found

    def target(
        self, connection: Connection, batch: SinkBatch, before_ddl: Callable[[], None]
    ) -> Target | None:
        """The table for ``batch``, ready for its rows; ``None`` when it does not exist and the
        batch has nothing to create it from (tombstones only). ``before_ddl`` runs before any
        CREATE or ALTER (MariaDB commits the open transaction on DDL)."""
        name = self.settings.table_name(batch.topic)
        self._check_name(connection, name)
        found = self._cache.get(name) or self._reflect(connection, name)
        rows = present_values(batch.values)
        if found is None:
            if not rows:
                return None
            found = self._create(connection, name, batch, before_ddl)
        if rows:
            arrow = batch.table.schema
            shape = orjson.dumps([batch.schema, str(arrow)], option=orjson.OPT_SORT_KEYS)
            if shape not in found.checked:
                found = self._evolve(connection, name, found, batch, before_ddl)
                found.checked.add(shape)
                if batch.schema is not None:
                    found.schemas.add(_key(batch.schema))
        return found

    # -- reflection ------------------------------------------------------------------------------
    def _reflect(self, connection: Connection, name: str) -> Target | None:
        import sqlalchemy as sa
        from sqlalchemy.sql.elements import quoted_name

        schema = self.settings.schema
        inspector = sa.inspect(connection)
        if not inspector.has_table(name, schema=schema):
            return None
        my = connection.dialect.name in ("mysql", "mariadb")

        def fix(text: str) -> str:  # SQLAlchemy leaves MySQL's doubled backticks doubled
            return text.replace("``", "`") if my else text

        reflected = inspector.get_columns(name, schema=schema)
        primary = [
            fix(c) for c in inspector.get_pk_constraint(name, schema=schema)["constrained_columns"]
        ]
        columns, families, required = [], {}, set()
        for info in reflected:
            column_name = fix(info["name"])
            if isinstance(info["type"], sa.JSON):  # a null is SQL's NULL, not JSON's null
                info["type"].none_as_null = True
            columns.append(
                sa.Column(quoted_name(column_name, True), info["type"], nullable=info["nullable"])
            )
            families[column_name] = ddl.family_of(info["type"])
            automatic = (
                info.get("default") is not None
                or info.get("identity")
                or (info.get("autoincrement") is True)
            )
            if not info["nullable"] and not automatic:
                required.add(column_name)
        unique = [frozenset(primary)] if primary else []
        for constraint in inspector.get_unique_constraints(name, schema=schema):
            unique.append(frozenset(fix(c) for c in constraint["column_names"] if c))
        for index in inspector.get_indexes(name, schema=schema):
            if index.get("unique") and all(index["column_names"]):
                unique.append(frozenset(fix(c) for c in index["column_names"] if c))
        table = sa.Table(
            quoted_name(name, True),
            sa.MetaData(),
            *columns,
            schema=None if schema is None else quoted_name(schema, True),
        )
        target = Target(table, families, required, unique)
        self._check_keys(target, name)
        self._cache[name] = target
        return target

    def _check_keys(self, target: Target, name: str) -> None:
        keys = self.settings.key_columns
        missing = [k for k in keys if k not in target.families]
        if missing:
            raise FatalError(
                f"{self.where}: table {name!r} has no column {', '.join(map(repr, missing))} of "
                "key_columns; fix key_columns or the table"
            )
        if self.settings.mode == "upsert" and frozenset(keys) not in target.unique:
            raise FatalError(
                f"{self.where}: mode upsert needs a primary key or unique constraint on "
                f"({', '.join(keys)}) in table {name!r}, which has none; add one (e.g. ALTER TABLE "
                f"... ADD UNIQUE ({', '.join(keys)})) or change key_columns"
            )

    def _check_name(self, connection: Connection, name: str) -> None:
        limit = _NAME_LIMITS.get(connection.dialect.name, connection.dialect.max_identifier_length)
        if limit and len(name.encode()) > limit:
            raise FatalError(
                f"{self.where}: table name {name!r} is longer than the {limit} bytes "
                f"{connection.dialect.name} allows; set a shorter `table`"
            )

    # -- DDL -------------------------------------------------------------------------------------
    def _wanted(self, batch: SinkBatch) -> list[ColumnSpec]:
        """Columns the data asks for: the registry schema's, then Arrow's for other fields."""
        specs = columns_from_schema(batch.schema) if batch.schema is not None else []
        known = {s.name for s in specs}
        arrow = columns_from_arrow(batch.table.schema)
        return specs + [s for s in arrow if s.name not in known]

    def _create(
        self, connection: Connection, name: str, batch: SinkBatch, before_ddl: Callable[[], None]
    ) -> Target:
        import sqlalchemy as sa
        from sqlalchemy.schema import CreateTable

        settings = self.settings
        if not settings.auto_create:
            raise FatalError(
                f"{self.where}: table {name!r} does not exist; create it, or set auto_create: true"
            )
        specs = self._wanted(batch)
        missing = [k for k in settings.key_columns if k not in {s.name for s in specs}]
        if missing:
            raise FatalError(
                f"{self.where}: cannot create table {name!r}: key column(s) "
                f"{', '.join(map(repr, missing))} are not fields of topic {batch.topic!r}"
            )
        dialect = connection.dialect.name
        table = ddl.new_table(
            name, settings.schema, specs, settings.key_columns, dialect, sa.MetaData()
        )
        before_ddl()
        try:
            ddl.run(connection, CreateTable(table))
        except sa.exc.DatabaseError:
            if not sa.inspect(connection).has_table(name, schema=settings.schema):
                raise  # not a race with another task creating it
        created = self._reflect(connection, name)
        assert created is not None
        return created

    def _evolve(
        self,
        connection: Connection,
        name: str,
        target: Target,
        batch: SinkBatch,
        before_ddl: Callable[[], None],
    ) -> Target:
        import sqlalchemy as sa

        present = {f.name for f in batch.table.schema if not pa.types.is_null(f.type)}
        specs = columns_from_schema(batch.schema or {})
        declared = [s.name for s in specs]
        keys = set(self.settings.key_columns)
        relax = [s.name for s in specs if s.nullable and s.name in target.required - keys]
        sqlite = connection.dialect.name == "sqlite"
        if not self.settings.auto_evolve or (
            relax and sqlite and not self._rebuildable(connection, name, relax)
        ):
            relax = []
        additions, missing = [], []
        for spec in self._wanted(batch):
            family = target.families.get(spec.name)
            if family is None:
                if self.settings.auto_evolve:
                    additions.append(spec)
                elif spec.name in present:
                    missing.append(spec.name)
            elif spec.name in declared and spec.family not in ACCEPTS.get(family, ACCEPTS["other"]):
                raise FatalError(self._narrowing(connection, name, target, spec, batch.topic))
        dropped = sorted(target.required - set(declared))
        if batch.schema is not None and dropped:
            column = dropped[0]
            raise FatalError(
                f"{self.where}: table {name!r} column {column!r} is "
                f"{self._type(connection, target, column)} NOT NULL without a default, but "
                f"the schema of topic {batch.topic!r} no longer has that field (new type: "
                "none): every row would be refused; drop the NOT NULL (ALTER TABLE ... ALTER "
                "COLUMN ... DROP NOT NULL) or write to a new table"
            )
        if missing:
            raise FatalError(
                f"{self.where}: table {name!r} has no column {', '.join(map(repr, missing))} for "
                f"fields of topic {batch.topic!r}; set auto_evolve: true to add them, add them "
                "yourself, or drop the fields with a transform"
            )
        if additions or relax:
            before_ddl()
            dialect = connection.dialect.name
            # The schema now admits null in ``relax``: so must their columns.
            if sqlite and relax:  # no ALTER COLUMN: the table is built again
                sqlite_rebuild.drop_not_null(connection, name, self.settings.schema, relax)
            elif relax:
                for column in relax:
                    ddl.run(connection, ddl.drop_not_null(target.table, target.table.c[column]))
            for spec in additions:
                added = ddl.new_column(replace(spec, nullable=True), dialect)
                try:
                    ddl.run(connection, ddl.add_column(target.table, added))
                except sa.exc.DatabaseError:
                    reflected = self._reflect(connection, name)
                    if reflected is None or spec.name not in reflected.families:
                        raise
            self._cache.pop(name, None)
            evolved = self._reflect(connection, name)
            assert evolved is not None
            target = evolved
        target.schema_columns = tuple(n for n in declared if n in target.families)
        return target

    def _rebuildable(self, connection: Connection, name: str, columns: list[str]) -> bool:
        """Whether SQLite table ``name`` can be rebuilt to drop NOT NULL from ``columns``;
        if not, warn (once) that their null values will be refused row by row."""
        reason = sqlite_rebuild.rebuild_reason(connection, name, self.settings.schema)
        if reason is None:
            return True
        if name not in self._not_rebuilt:
            self._not_rebuilt.add(name)
            self._log.warning(
                "%s: the schema now admits null in %s of table %r, but SQLite cannot drop NOT "
                "NULL in place and the table is not rebuilt because %s: rows with null there "
                "are refused (errors policy); drop the NOT NULL yourself to take them",
                self.where,
                ", ".join(map(repr, columns)),
                name,
                reason,
            )
        return False

    def _narrowing(
        self, connection: Connection, name: str, target: Target, spec: ColumnSpec, topic: str
    ) -> str:
        wanted = ddl.type_text(ddl.sql_type(spec, connection.dialect.name), connection.dialect)
        return (
            f"{self.where}: table {name!r} column {spec.name!r} is "
            f"{self._type(connection, target, spec.name)}, but the schema of topic {topic!r} now "
            f"gives the field type {spec.family} ({wanted}), which the column cannot hold; "
            "change the column's type yourself (ALTER TABLE), or write to a new table"
        )

    def _type(self, connection: Connection, target: Target, column: str) -> str:
        return ddl.type_text(target.table.c[column].type, connection.dialect)


def _key(schema: Any) -> bytes:
    return orjson.dumps(schema, option=orjson.OPT_SORT_KEYS)
