"""Opening the store's database: the default URL, SQLite's settings for several processes, and
turning database errors into ``StoreError``.

SQLite is the default store, and a hub has several processes on it at once (the process running
pipelines, CLI consumers committing offsets). WAL journal mode lets readers work while one
process writes, and a busy timeout makes a writer wait for the lock instead of failing with
"database is locked". The ``sqlite3`` driver's legacy transaction handling sends no BEGIN before
DDL or SELECT; we send BEGIN ourselves, ``BEGIN IMMEDIATE`` for write transactions, so a
transaction that reads before it writes takes the write lock up front (waiting under the busy
timeout) rather than failing when it upgrades its lock.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)

from hub.errors import StoreError

STORE_FILE = "store.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000

# Execution option set on connections that will write: SQLite then begins with BEGIN IMMEDIATE.
_WRITE = "hub_write"


def default_url(data_dir: Path) -> str:
    """The SQLite file inside the data directory."""
    return f"sqlite:///{data_dir / STORE_FILE}"


def safe_url(url: URL) -> str:
    """The URL as it may be shown to people: without its password."""
    return url.render_as_string(hide_password=True)


def create(url: str | None, data_dir: Path | None) -> Engine:
    """An engine for ``url``, or for the SQLite file in ``data_dir`` when ``url`` is ``None``.

    Connects lazily; errors about the URL itself (unparsable, unknown dialect, driver missing)
    are raised here as ``StoreError``.
    """
    if url is None:
        if data_dir is None:
            raise ValueError("Store.open needs a URL or a data directory")
        data_dir.mkdir(parents=True, exist_ok=True)
        url = default_url(data_dir)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            "the store URL is not a valid SQLAlchemy URL; expected "
            "dialect+driver://user:password@host:port/database, e.g. "
            "postgresql+psycopg://hub@db.example:5432/hub or sqlite:////var/lib/hub/store.db"
        ) from exc
    shown = safe_url(parsed)
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
            _configure_sqlite(engine)
        else:
            engine = create_engine(parsed, pool_pre_ping=True)
    except NoSuchModuleError as exc:
        raise StoreError(
            f"store {shown}: SQLAlchemy knows no database dialect or driver "
            f"{parsed.drivername!r}; use sqlite, postgresql+psycopg or mysql+pymysql"
        ) from exc
    except ImportError as exc:
        raise StoreError(
            f"store {shown}: the database driver is not installed ({exc}); install it, or use "
            "a driver of the 'sql' extra (postgresql+psycopg, mysql+pymysql): "
            "pip install 'streamhub[sql]'"
        ) from exc
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see module docstring)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            _enable_wal(cursor)
            # In WAL mode NORMAL loses no committed transaction on a crash of the process, only
            # possibly the last ones on a power loss; FULL would fsync every commit.
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _enable_wal(cursor: Any) -> None:
    """Switch the file to WAL (a lasting property of the file), retrying while it is locked.

    Changing the journal mode needs an exclusive lock and, unlike other statements, fails at once
    instead of waiting under the busy timeout when two processes open a new store together.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


@contextmanager
def begin_write(engine: Engine) -> Iterator[Connection]:
    """A transaction that will write: committed on success, rolled back on an exception."""
    with engine.connect() as connection:
        connection.execution_options(**{_WRITE: True})
        with connection.begin():
            yield connection


@contextmanager
def translate_errors(url: URL, action: str) -> Iterator[None]:
    """Turn SQLAlchemy and driver errors raised while doing ``action`` into ``StoreError``."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise StoreError(describe_error(url, action, exc)) from exc


def describe_error(url: URL, action: str, exc: SQLAlchemyError) -> str:
    """What failed, on which store (password hidden), and what to do about it."""
    detail = str(exc.orig) if isinstance(exc, DBAPIError) else str(exc)
    detail = " ".join(detail.split())
    if url.password:
        detail = detail.replace(str(url.password), "***")
    message = f"store {safe_url(url)}: could not {action}: {detail}"
    hint = _hint(url, exc, detail)
    if not hint:
        return message
    return f"{message}{' ' if message[-1:] in '.?!' else '. '}{hint}"


def _hint(url: URL, exc: SQLAlchemyError, detail: str) -> str:
    lowered = detail.lower()
    if url.get_backend_name() == "sqlite":
        if "locked" in lowered or "busy" in lowered:
            return (
                "Another process kept the store locked (the wait limit is "
                f"{SQLITE_BUSY_TIMEOUT_MS // 1000} s); look for a stuck hub process, or use a "
                "PostgreSQL store for heavy concurrent use"
            )
        if "unable to open" in lowered:
            return "Check that the directory of the file exists and is writable"
        return ""
    if isinstance(exc, OperationalError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        return (
            "Check that the database server is running and reachable at that address, and that "
            "the user, password and database in the URL are right"
        )
    return ""
