"""``connectors.sql.engine``: URLs without passwords, and database errors sorted by what to do."""

from __future__ import annotations

import sqlite3

import psycopg
import pymysql
import pytest
import sqlalchemy as sa

from connectors.sql.engine import create_engine, is_disconnect, safe_url, translate
from connectors.sql.sink import SqlSink
from hub.errors import ConfigError, FatalError, RecordError, RetriableError
from hub.testing import validate_config
from tests.connectors.sql.conftest import Database
from tests.connectors.sql.test_sink import context

URL = "postgresql+psycopg://hub:s3cr3t@db.example:5432/app"


def test_safe_url_hides_the_password_of_any_form() -> None:
    assert safe_url(URL) == "postgresql+psycopg://hub:***@db.example:5432/app"
    assert safe_url(sa.make_url(URL)) == "postgresql+psycopg://hub:***@db.example:5432/app"
    assert "s3cr3t" not in safe_url("weird://hub:s3cr3t@host/x y z")
    assert safe_url("sqlite:///out.db") == "sqlite:///out.db"


@pytest.mark.parametrize(
    ("error", "family"),
    [
        (psycopg.errors.UniqueViolation("duplicate key"), RecordError),
        (psycopg.errors.NotNullViolation("null value"), RecordError),
        (psycopg.errors.StringDataRightTruncation("value too long"), RecordError),
        (psycopg.errors.InvalidTextRepresentation("invalid input syntax"), RecordError),
        (psycopg.errors.AdminShutdown("terminating connection"), RetriableError),
        (psycopg.errors.DeadlockDetected("deadlock"), RetriableError),
        (psycopg.errors.SerializationFailure("could not serialize"), RetriableError),
        (psycopg.errors.InvalidPassword("password authentication failed"), FatalError),
        (psycopg.errors.UndefinedTable("relation does not exist"), FatalError),
        (psycopg.errors.InsufficientPrivilege("permission denied"), FatalError),
        (psycopg.OperationalError("server closed the connection unexpectedly"), RetriableError),
        (psycopg.OperationalError('FATAL: database "x" does not exist'), FatalError),
        (pymysql.err.OperationalError(2013, "Lost connection"), RetriableError),
        (pymysql.err.OperationalError(1213, "Deadlock found"), RetriableError),
        (pymysql.err.OperationalError(1045, "Access denied"), FatalError),
        (pymysql.err.IntegrityError(1062, "Duplicate entry"), RecordError),
        (pymysql.err.DataError(1406, "Data too long"), RecordError),
        (pymysql.err.OperationalError(4025, "CONSTRAINT failed"), RecordError),
        (pymysql.err.OperationalError(1054, "Unknown column"), FatalError),
        (pymysql.err.InterfaceError(0, ""), RetriableError),
        (sqlite3.IntegrityError("NOT NULL constraint failed"), RecordError),
        (sqlite3.OperationalError("database is locked"), RetriableError),
        (sqlite3.OperationalError("no such table: x"), FatalError),
    ],
)
def test_errors_are_sorted_by_what_the_runtime_should_do(error: Exception, family: type) -> None:
    wrapped = sa.exc.DBAPIError.instance("SELECT 1", None, error, type(error).__bases__[0])
    for exc in (error, wrapped):
        translated = translate(exc, "write", URL)
        assert type(translated) is family, (exc, translated)
        assert str(translated).startswith("sql: could not write on postgresql+psycopg://hub:***@")


def test_the_password_is_masked_even_in_the_database_message() -> None:
    error = psycopg.OperationalError("connection to hub:s3cr3t@db.example failed")
    message = str(translate(error, "connect", URL))
    assert "s3cr3t" not in message
    assert "***" in message


def test_a_connection_the_server_dropped_is_a_disconnect() -> None:
    assert is_disconnect(psycopg.errors.AdminShutdown("terminating"))
    assert not is_disconnect(psycopg.errors.UniqueViolation("duplicate"))


@pytest.mark.parametrize("url", ["not a url", "nosuchdialect://x/y", "postgresql+nodriver://x/y"])
def test_urls_that_cannot_work_are_config_errors_naming_url(url: str) -> None:
    with pytest.raises(ConfigError, match="url"):
        create_engine(url)


def test_sqlite_engines_run_real_transactions_with_savepoints(tmp_path: object) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/x.db")
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            with connection.begin_nested() as savepoint:
                connection.exec_driver_sql("INSERT INTO t VALUES (1)")
                savepoint.rollback()
            connection.exec_driver_sql("INSERT INTO t VALUES (2)")
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT x FROM t").scalars().all() == [2]
    finally:
        engine.dispose()


def test_the_password_is_never_shown(database: Database) -> None:
    if database.backend == "sqlite":
        pytest.skip("SQLite URLs have no password")
    url = sa.make_url(database.url).set(password="s3cr3t-pw").render_as_string(False)
    unreachable = sa.make_url(url).set(port=1).render_as_string(False)
    sink = SqlSink()
    with pytest.raises(Exception) as failed:  # noqa: PT011 - the family depends on the server
        sink.open(validate_config(SqlSink, {"url": unreachable}), context())
    assert "s3cr3t-pw" not in str(failed.value)
    assert "***" in str(failed.value)


def test_an_unreachable_server_is_retriable_and_a_bad_url_a_config_error() -> None:
    sink = SqlSink()
    url = "postgresql+psycopg://hub:s3cr3t@127.0.0.1:1/none"
    with pytest.raises(RetriableError) as failed:
        sink.open(validate_config(SqlSink, {"url": url}), context())
    assert "s3cr3t" not in str(failed.value)
    with pytest.raises(ConfigError, match="url"):
        SqlSink().open(validate_config(SqlSink, {"url": "not a url"}), context())
    with pytest.raises(ConfigError, match="url"):
        SqlSink().open(validate_config(SqlSink, {"url": "nosuchdb://x/y"}), context())
