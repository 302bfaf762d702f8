"""A scratch database per test, once per backend: what the SQL connectors' tests run against.

``database`` gives an empty SQLite file, a fresh schema on the PostgreSQL server (marked
``postgres``) and a fresh database on the MariaDB server (marked ``mariadb``), dropped afterwards
(see ``tests/conftest.py``; ``HUB_TEST_POSTGRES_URL`` / ``HUB_TEST_MARIADB_URL`` point elsewhere).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import MARIADB_URL, POSTGRES_URL, _scratch


@dataclass(frozen=True, slots=True)
class Database:
    """A scratch database: ``url`` works inside it (a SQLAlchemy URL, no password here)."""

    backend: str  # "sqlite", "postgresql" or "mariadb"
    url: str

    def engine(self, **kw: Any) -> sa.Engine:
        """An engine of the test's own, for setting up and checking; dispose it when done."""
        return sa.create_engine(self.url, **kw)

    def query(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        """Rows of one statement, run in a transaction of its own."""
        engine = self.engine()
        try:
            with engine.begin() as connection:
                result = connection.execute(sa.text(sql), params)
                return [tuple(row) for row in result] if result.returns_rows else []
        finally:
            engine.dispose()

    def quote(self, name: str) -> str:
        """``name`` quoted as this database quotes identifiers (for hand-written checks)."""
        engine = self.engine()
        try:
            return engine.dialect.identifier_preparer.quote_identifier(name)
        finally:
            engine.dispose()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty database, once per backend."""
    backend: str = request.param
    if backend == "sqlite":
        yield Database(backend, f"sqlite:///{tmp_path / 'target.db'}")
        return
    with _scratch(POSTGRES_URL if backend == "postgresql" else MARIADB_URL) as url:
        yield Database(backend, url)
