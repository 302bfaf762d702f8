"""Shared fixtures: data directories, the embedded log, and the metadata store on each database.

The ``store`` fixture runs a test once per database: SQLite (a file in ``tmp_path``), and the
PostgreSQL and MariaDB servers of the development machine (marked ``postgres`` / ``mariadb``;
deselect with ``-m "not postgres and not mariadb"``; skipped if the server is unreachable). Each
server test gets a fresh schema (PostgreSQL) or database (MariaDB), dropped afterwards, so runs
never see each other's rows. ``HUB_TEST_POSTGRES_URL`` and ``HUB_TEST_MARIADB_URL`` point the
tests at other servers.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from hub.log import LocalLog
from hub.store import Store

POSTGRES_URL = os.environ.get(
    "HUB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
MARIADB_URL = os.environ.get("HUB_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test")


@dataclass(frozen=True, slots=True)
class StoreTarget:
    """Where a test's store lives: what ``Store.open(url, data_dir)`` is given."""

    backend: str
    url: str | None
    data_dir: Path

    def open(self) -> Store:
        return Store.open(self.url, self.data_dir)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data directory that does not exist yet, as on a first start."""
    return tmp_path / "data"


@pytest.fixture
def log(data_dir: Path) -> Iterator[LocalLog]:
    with LocalLog(data_dir) as opened:
        yield opened


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def store_target(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[StoreTarget]:
    """A place for a store that has no tables yet, once per database."""
    backend: str = request.param
    if backend == "sqlite":
        yield StoreTarget(backend, None, data_dir)
    else:
        with _scratch(POSTGRES_URL if backend == "postgresql" else MARIADB_URL) as url:
            yield StoreTarget(backend, url, data_dir)


@pytest.fixture
def store(store_target: StoreTarget) -> Iterator[Store]:
    with store_target.open() as opened:
        yield opened


@pytest.fixture
def sqlite_store(data_dir: Path) -> Iterator[Store]:
    """The default store only, for tests about the log side of groups and consumers."""
    with Store.open(None, data_dir) as opened:
        yield opened


@contextmanager
def _scratch(server_url: str) -> Iterator[str]:
    """Create a uniquely named schema (PostgreSQL) or database (MariaDB), yield a URL that
    works inside it, and drop it afterwards."""
    name = f"hub_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    postgres = engine.url.get_backend_name() == "postgresql"
    try:
        try:
            with engine.connect() as connection:
                connection.execute(text(f"CREATE {'SCHEMA' if postgres else 'DATABASE'} {name}"))
        except OperationalError as exc:
            pytest.skip(f"no database server at {engine.url.render_as_string()}: {exc.orig}")
        if postgres:
            url = engine.url.update_query_dict({"options": f"-csearch_path={name}"})
        else:
            url = engine.url.set(database=name)
        try:
            yield url.render_as_string(hide_password=False)
        finally:
            with engine.connect() as connection:
                drop = f"DROP SCHEMA {name} CASCADE" if postgres else f"DROP DATABASE {name}"
                connection.execute(text(drop))
    finally:
        engine.dispose()
