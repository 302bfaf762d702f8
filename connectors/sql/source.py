"""The ``sql`` source: tables (by name or pattern) or a query, incrementally or as snapshots.

Each table is a source partition, split across tasks by ``SourceContext.owns``. The source reads
a table in *passes*: one query, streamed batch by batch (PostgreSQL: ``COPY ... TO STDOUT``
parsed by Arrow, see ``pgcopy``; elsewhere a server-side cursor, see ``source_read``), so memory
holds one batch of ``batch_size`` rows whatever the table's size. Each batch is an Arrow table
with the record key in ``__key`` (the key columns, default the primary key) and the table's JSON
Schema (``connectors.sql.types``), which topics in ``infer`` mode register.

**incremental** (``cursor`` columns + a unique ``key``): a pass reads the rows after the last one
read in the order ``(cursor..., key...)`` (``connectors.sql.query``), so rows sharing a cursor value
are never skipped or repeated across batches; a row updated after it was read has a larger
cursor and is read again. With ``lag``, a pass reads only rows whose cursor is older than the
database's clock minus lag: a transaction that commits late, with a timestamp taken when it
began, is still read, provided it commits within the lag.

**snapshot**: a pass reads every row, in key order; one run per pass. A restart in the middle of
a run resumes after the last key read (without a key it starts over); a restart after a finished
run starts the next one.

After a pass reaches the end of its table the table rests for ``poll_interval``, and at least
until ``poll`` has returned ``None``: it returns ``None`` (caught up) once every table had its
pass or is resting, so a run under ``hub run --once`` or a schedule reads each table once. The
offsets after each batch are exact: polling again from them reads the same batches
(``replayable``), while the tables do not change.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from typing import Any, cast

import pyarrow as pa

from connectors.sql import pgadbc, pgcopy, query
from connectors.sql.engine import create_engine, is_disconnect, safe_url, translate
from connectors.sql.reflect import Relation, find_tables, reflect_query, reflect_table
from connectors.sql.source_arrow import to_arrow
from connectors.sql.source_config import SourceConfig
from connectors.sql.source_plan import Plan, make_plan
from connectors.sql.source_read import (
    CursorReader,
    key_column,
    lag_bound,
    last_values,
    session_setup,
    text_conversions,
)
from hub.errors import ConfigError, ConnectorError
from hub.sdk import KEY_COLUMN, Source, SourceBatch, SourceContext


class SqlSource(Source):
    """Reads SQL tables (by name or pattern) or a query, incrementally or as snapshots."""

    type = "sql"
    config_schema = "sql-source.schema.json"
    replayable = True

    def open(self, config: Mapping[str, Any], context: SourceContext) -> None:
        super().open(config, context)
        self.settings = settings = SourceConfig.from_mapping(config)
        self._log = context.logger
        self._url = safe_url(settings.url)
        self._engine = create_engine(settings.url, **text_conversions(settings.url))
        self._dialect: str = self._engine.dialect.name
        _check_driver(self._engine, self._log)
        self._raw: Any = None
        self._reader: Any = None
        self._active: Plan | None = None
        self._turn = 0
        self._rested: set[str] = set()  # tables whose pass ended since poll last returned None
        self._offsets = dict(context.offsets)
        self._discovered = time.monotonic()
        self._refused: set[str] = set()  # tables found later that cannot be read (logged once)
        try:
            self.plans = [
                make_plan(r, settings, context.offsets.get(r.name), self._dialect, self._log)
                for r in self._relations()
            ]
        except ConfigError:
            self._engine.dispose()
            raise
        except Exception as exc:
            self._engine.dispose()
            raise translate(exc, "read the tables' definitions", settings.url) from exc
        self._log.info(
            "sql source: reading %s from %s (%s)",
            ", ".join(p.name for p in self.plans) or "no table (others' tasks read them)",
            self._url,
            settings.mode,
        )

    def _discover(self) -> None:
        """List the tables again: start reading new ones the patterns match, from their first
        row (or a checkpoint of an earlier run); stop reading ones that are gone."""
        self._discovered = time.monotonic()
        if self.settings.query is not None:
            return
        import sqlalchemy as sa

        settings = self.settings
        try:
            inspector = sa.inspect(self._engine)
            owned = self._owned_tables(inspector, strict=False)
        except Exception as exc:
            raise translate(exc, "list the tables", settings.url) from exc
        gone = {plan.name for plan in self.plans} - set(owned)
        if gone:
            self._log.warning("sql source: %s no longer found; not read", ", ".join(sorted(gone)))
            for plan in self.plans:  # where each stood: a table that comes back resumes there
                if plan.name in gone:
                    self._offsets[plan.name] = plan.offset()
            self.plans = [plan for plan in self.plans if plan.name not in gone]
        known = {plan.name for plan in self.plans}
        for full, name in owned.items():
            if full in known or full in self._refused:
                continue
            try:
                relation = reflect_table(inspector, self._engine.dialect, name, settings.schema)
                offset = self._offsets.get(full)
                plan = make_plan(relation, settings, offset, self._dialect, self._log)
            except ConfigError as exc:
                self._refused.add(full)
                self._log.error("sql source: found table %s but cannot read it: %s", full, exc)
                continue
            except Exception as exc:
                raise translate(exc, f"read the definition of {full}", settings.url) from exc
            self.plans.append(plan)
            self._log.info("sql source: found table %s; reading it", full)

    def _dropped(self, plan: Plan) -> bool:
        """After ``plan``'s query failed: whether its table was dropped (it is let go then)."""
        if plan.relation.query is not None:
            return False
        try:
            self._discover()
        except Exception:  # the query's own error says more
            return False
        return plan.name not in {p.name for p in self.plans}

    def _relations(self) -> list[Relation]:
        """The owned tables, reflected (or the query)."""
        settings = self.settings
        if settings.query is not None:
            name = settings.name or "query"
            return (
                [reflect_query(self._engine, settings.query, name)]
                if self.context.owns(name)
                else []
            )
        import sqlalchemy as sa

        inspector = sa.inspect(self._engine)
        owned = self._owned_tables(inspector, strict=True).values()
        return [reflect_table(inspector, self._engine.dialect, n, settings.schema) for n in owned]

    def _owned_tables(self, inspector: Any, *, strict: bool) -> dict[str, str]:
        """The tables ``tables`` finds that this task reads: schema-qualified name -> name
        (``strict``: a name or pattern that finds nothing is a ``ConfigError``)."""
        settings = self.settings
        names = find_tables(inspector, settings.schema, settings.tables, strict=strict)
        prefix = f"{settings.schema}." if settings.schema else ""
        return {prefix + n: n for n in names if self.context.owns(prefix + n)}

    def close(self) -> None:
        self._end_pass(abort=True)
        self._engine.dispose()

    # -- polling -------------------------------------------------------------------------------
    def poll(self) -> SourceBatch | None:
        for _ in range(len(self.plans) + 1):
            if self._active is None:
                plan = self._next_due()
                if plan is None:
                    self._rested.clear()  # caught up: every table gets another pass when due
                    if time.monotonic() - self._discovered >= self.settings.discover_interval_s:
                        self._discover()
                    return None
                self._start(plan)
                if self._active is None:  # its table is gone
                    continue
            batch = self._read()
            if batch is not None:
                return batch
        return None

    def _next_due(self) -> Plan | None:
        now = time.monotonic()
        count = len(self.plans)
        for i in range(count):
            plan = self.plans[(self._turn + i) % count]
            if plan.due <= now and plan.name not in self._rested:
                self._turn = (self._turn + i + 1) % count
                return plan
        return None

    def _start(self, plan: Plan) -> None:
        """Run the pass's query (the reader streams its rows)."""
        settings = self.settings
        try:
            raw = self._connection()
            bound = None
            if settings.lag_s and plan.cursor:
                cursor_column = plan.relation.column(plan.cursor[0])
                bound = lag_bound(raw, self._dialect, cursor_column, settings.lag_s)
            session_setup(raw, self._dialect)
            if not plan.cursor and plan.run is None:  # a new snapshot run
                plan.run = dt.datetime.now(dt.UTC).isoformat()
                plan.after = None
            postgres = self._dialect == "postgresql"
            adbc = postgres and pgadbc.readable(plan.relation)
            stmt = query.build(
                plan.relation,
                plan.order,
                after=plan.after,
                not_null=plan.cursor,
                bound=bound,
                row_values=postgres,
                select=pgcopy.select_expr if postgres and not adbc else None,
            )
            compiled = query.compile_for(stmt, pgadbc.dialect() if adbc else self._engine.dialect)
            if adbc:
                params = cast("tuple[Any, ...]", compiled.params)  # positional: $1, $2...
                self._reader = pgadbc.AdbcReader(
                    pgadbc.uri(settings.url), compiled.sql, params, plan.relation
                )
            elif postgres:
                self._reader = pgcopy.CopyReader(
                    raw.driver_connection, compiled.sql, compiled.params, plan.relation
                )
            else:
                self._reader = CursorReader(
                    raw, self._dialect, compiled.sql, compiled.params, plan.relation
                )
        except Exception as exc:
            self._end_pass(abort=True)
            if self._dropped(plan):
                return
            raise self._error(exc, f"query {plan.name}") from exc
        self._active = plan

    def _read(self) -> SourceBatch | None:
        plan, reader, size = self._active, self._reader, self.settings.batch_size
        assert plan is not None
        try:
            table = reader.fetch(size)
            after = None
            if table is not None:
                after = (
                    reader.last(plan.order)
                    if isinstance(reader, CursorReader)
                    else last_values(table, plan.order)
                )
        except Exception as exc:
            self._end_pass(abort=True)
            raise self._error(exc, f"read {plan.name}") from exc
        ended = table is None or table.num_rows < size
        if ended:
            self._end_pass()
            self._rested.add(plan.name)
            plan.due = time.monotonic() + self.settings.poll_interval_s
        if table is None:
            if plan.cursor:
                return None
            return self._batch(plan, self._empty(plan), done=True)  # the run's end, recorded
        if plan.order:
            plan.after = after
        return self._batch(plan, table, done=ended)

    def _batch(self, plan: Plan, table: pa.Table, done: bool) -> SourceBatch:
        offset = plan.offset(done=done)
        if done and not plan.cursor:
            plan.run = None
        if self.settings.record_key and plan.key:
            table = table.append_column(KEY_COLUMN, key_column(table, plan.key))
        return SourceBatch(table, {plan.name: offset}, schema=plan.schema)

    def _empty(self, plan: Plan) -> pa.Table:
        arrays = [to_arrow([], c.kind) for c in plan.relation.columns]
        return pa.Table.from_arrays(arrays, names=plan.relation.names)

    # -- connections ---------------------------------------------------------------------------
    def _connection(self) -> Any:
        """A connection for one pass, from the pool: checked (``pool_pre_ping``) on the way out,
        so a connection the server dropped while the source rested is replaced silently."""
        if self._raw is None:
            self._raw = self._engine.raw_connection()
        return self._raw

    def _end_pass(self, abort: bool = False) -> None:
        """Close the reader, end the pass's transaction (the next pass sees new rows) and return
        the connection; on ``abort`` (a failure, or closing mid-pass) discard the connection
        instead, which also stops the query without reading the rest of its rows."""
        reader, self._reader, self._active = self._reader, None, None
        raw, self._raw = self._raw, None
        try:
            if reader is not None and abort:
                reader.abort()
            elif reader is not None:
                reader.close()
            if raw is not None and not abort:
                raw.rollback()
                raw.close()
        except Exception:
            abort = True
        if abort and raw is not None:
            try:
                raw.invalidate()
            except Exception:
                self._log.debug("sql source: could not discard a broken connection")

    def _error(self, exc: Exception, action: str) -> ConnectorError:
        if isinstance(exc, ConnectorError):
            return exc
        error = translate(exc, action, self.settings.url)
        if is_disconnect(exc):
            self._log.warning("sql source: lost the connection to %s: %s", self._url, exc)
        return error


def _check_driver(engine: Any, log: Any) -> None:
    """PostgreSQL is read through psycopg 3's COPY; MySQL streams only with pymysql's cursor."""
    dialect, driver = engine.dialect.name, engine.dialect.driver
    if dialect == "postgresql" and driver != "psycopg":
        engine.dispose()
        raise ConfigError(
            f"sql source: the {driver} driver cannot run the source's COPY",
            [f"url: use postgresql+psycopg:// (psycopg 3) instead of postgresql+{driver}://"],
        )
    if dialect == "mysql" and driver != "pymysql":
        log.warning(
            "sql source: the %s driver reads each pass's rows into memory at once; use "
            "mysql+pymysql:// to stream them",
            driver,
        )
