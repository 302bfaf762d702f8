"""Engines for the SQL connectors, URLs safe to show, and database errors by what to do about them.

The sink and the source share this: ``create_engine`` turns a config's URL into an engine (a
``ConfigError`` naming ``url`` for one that cannot work), ``safe_url`` is the only form a URL is
ever shown in (the password hidden: it comes from ``${env:}``/``${file:}`` and must stay out of
logs, errors and status), and ``translate`` sorts a driver's exception into the family the runtime
acts on:

- ``RetriableError``: the server is unreachable, restarting, dropped the connection, or a lock
  wait or deadlock chose us as its victim. Whatever the open transaction held is gone.
- ``RecordError``: the data was refused (constraint, NOT NULL, value too long, bad input syntax).
- ``FatalError``: retrying cannot help (credentials refused, unknown database, missing privilege,
  a statement the server does not understand).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from hub.errors import ConfigError, ConnectorError, FatalError, RecordError, RetriableError

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = [
    "WRITE",
    "create_engine",
    "database_message",
    "is_database_error",
    "is_disconnect",
    "safe_url",
    "translate",
]

SQLITE_BUSY_TIMEOUT_S = 30.0
WRITE = "hub_sql_write"
"""Execution option for connections that will write: SQLite then begins with BEGIN IMMEDIATE,
taking the write lock up front (waiting under the busy timeout) instead of failing to upgrade."""

_FATAL_CONNECT = (
    "password authentication failed",
    "authentication failed",
    "no pg_hba.conf entry",
    "does not exist",
    "access denied",
    "unknown database",
    "permission denied",
    "ssl is not enabled",
    "unable to open database file",
)
_RETRIABLE_SQLSTATES = ("08", "40001", "40P01", "53", "57P01", "57P02", "57P03", "55P03")
_FATAL_SQLSTATES = ("28", "3D", "42501")
# MySQL/MariaDB server and client error codes: https://mariadb.com/kb/en/mariadb-error-codes/
_MYSQL_RETRIABLE = {1040, 1053, 1205, 1213, 1927, 2002, 2003, 2006, 2013, 2055, 1317, 3024}
_MYSQL_FATAL = {1044, 1045, 1049, 1142, 1143, 1227, 1698}
_MYSQL_RECORD = {1048, 1062, 1264, 1265, 1292, 1364, 1365, 1366, 1406, 1451, 1452, 3140, 4025}
_DRIVERS = (
    "psycopg",
    "psycopg2",
    "pymysql",
    "MySQLdb",
    "sqlite3",
    "_sqlite3",
    "adbc_driver_manager",
)
_RECORD_CLASSES = ("IntegrityError", "DataError")
_RETRIABLE_CLASSES = ("OperationalError", "InterfaceError", "DisconnectionError", "TimeoutError")


def create_engine(url: str, **kw: Any) -> Engine:
    """An engine for ``url`` (connecting lazily); ``kw`` go to ``sqlalchemy.create_engine``.

    Raises ``ConfigError`` naming ``url`` for a URL that does not parse or names an unknown
    dialect, and ``FatalError`` naming the extra to install when the driver is missing. SQLite
    gets a busy timeout and real transactions (the ``sqlite3`` module's legacy handling would
    not send BEGIN before DDL, which breaks SAVEPOINTs); servers get ``pool_pre_ping``.
    """
    import sqlalchemy
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ConfigError(
            "sql: config.url is not a SQLAlchemy URL; expected dialect+driver://user:password@"
            "host:port/database, e.g. postgresql+psycopg://hub@db:5432/app, "
            "mysql+pymysql://hub@db:3306/app or sqlite:///path/to/file.db",
            ["url: not a valid SQLAlchemy URL"],
        ) from None
    shown = safe_url(parsed)
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite:
        kw.setdefault("connect_args", {}).setdefault("timeout", SQLITE_BUSY_TIMEOUT_S)
    else:
        kw.setdefault("pool_pre_ping", True)
    try:
        engine = sqlalchemy.create_engine(parsed, **kw)
    except NoSuchModuleError:
        raise ConfigError(
            f"sql: SQLAlchemy knows no dialect or driver {parsed.drivername!r} (in {shown})",
            [
                f"url: unknown dialect {parsed.drivername!r}; use postgresql+psycopg, "
                "mysql+pymysql or sqlite"
            ],
        ) from None
    except ImportError as exc:
        raise FatalError(
            f"sql: the driver for {shown} is not installed ({exc}); install it, e.g. "
            "pip install 'streamhub[sql]' for psycopg and pymysql"
        ) from None
    if sqlite:
        _real_sqlite_transactions(engine)
    return engine


def _real_sqlite_transactions(engine: Any) -> None:
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we send BEGIN ourselves

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def safe_url(url: Any) -> str:
    """``url`` (a string or a SQLAlchemy URL) as it may be shown: without its password."""
    from sqlalchemy.engine import URL, make_url

    if not isinstance(url, URL):
        try:
            url = make_url(str(url))
        except Exception:  # not a URL at all: hide anything between :// and @
            return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", str(url))
    rendered: str = url.render_as_string(hide_password=True)
    return rendered


def is_disconnect(exc: BaseException) -> bool:
    """Whether ``exc`` says the connection is gone (the transaction with it)."""
    if getattr(exc, "connection_invalidated", False):
        return True
    orig = getattr(exc, "orig", None) or exc
    return _kind(orig) == "retriable"


def translate(exc: BaseException, action: str, url: Any) -> ConnectorError:
    """``exc`` (a SQLAlchemy or DB-API error) raised while doing ``action`` on the database at
    ``url``, as the ``ConnectorError`` whose family says what the runtime should do. The message
    names the action, the database (password hidden) and the database's own words."""
    if isinstance(exc, ConnectorError):
        return exc
    orig = getattr(exc, "orig", None) or exc
    message = f"sql: could not {action} on {safe_url(url)}: {database_message(exc, url)}"
    kind = "retriable" if getattr(exc, "connection_invalidated", False) else _kind(orig)
    if kind == "retriable":
        return RetriableError(message + "; retrying (the transaction is replayed)")
    if kind == "record":
        return RecordError(message)
    if kind == "fatal-connect":
        return FatalError(
            message + "; check the user, password and database in config.url, and that the user "
            "may connect"
        )
    return FatalError(message)


def database_message(exc: BaseException, url: Any) -> str:
    """The database's (or driver's) own words about ``exc``, on one line, password hidden."""
    orig = getattr(exc, "orig", None) or exc
    detail = " ".join(str(orig).split()) or type(orig).__name__
    password = _password(url)
    if password:
        detail = detail.replace(password, "***")
    return detail if len(detail) <= 1000 else detail[:1000] + "..."


def is_database_error(exc: BaseException) -> bool:
    """Whether ``exc`` comes from SQLAlchemy or a DB-API driver (rather than a bug)."""
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(exc, SQLAlchemyError):
        return True
    return type(exc).__module__.split(".")[0] in _DRIVERS and isinstance(exc, Exception)


def _kind(orig: BaseException) -> str:
    """``retriable``, ``record``, ``fatal-connect`` or ``fatal`` for a driver exception."""
    sqlstate = getattr(orig, "sqlstate", None)
    names = {cls.__name__ for cls in type(orig).__mro__}
    text = str(orig).lower()
    if isinstance(sqlstate, str) and sqlstate:
        if sqlstate.startswith(_FATAL_SQLSTATES):
            return "fatal-connect"
        if sqlstate.startswith(_RETRIABLE_SQLSTATES):
            return "retriable"
        if sqlstate.startswith(("22", "23")):
            return "record"
        return "fatal"
    code = orig.args[0] if orig.args and isinstance(orig.args[0], int) else None
    if code is not None and type(orig).__module__.startswith(("pymysql", "MySQLdb", "mysql")):
        if code in _MYSQL_FATAL:
            return "fatal-connect"
        if code in _MYSQL_RETRIABLE or 2000 <= code < 3000 or "InterfaceError" in names:
            return "retriable"
        if code in _MYSQL_RECORD or names & set(_RECORD_CLASSES):
            return "record"
        return "fatal"
    if type(orig).__module__.startswith("sqlite3"):
        if names & set(_RECORD_CLASSES):
            return "record"
        if "locked" in text or "busy" in text or "disk i/o" in text:
            return "retriable"
        return "fatal-connect" if "unable to open" in text else "fatal"
    if names & set(_RECORD_CLASSES):
        return "record"
    if names & set(_RETRIABLE_CLASSES):
        return "fatal-connect" if any(s in text for s in _FATAL_CONNECT) else "retriable"
    return "fatal"


def _password(url: Any) -> str | None:
    try:
        from sqlalchemy.engine import URL, make_url

        parsed = url if isinstance(url, URL) else make_url(str(url))
    except Exception:
        return None
    return str(parsed.password) if parsed.password else None
