"""Creating the store's tables and keeping track of their version.

``hub_schema`` holds one row with the version of the schema. Adding a table needs no migration
(``create_all`` adds missing tables on open); changing an existing table does: bump
``SCHEMA_VERSION`` and add a step to ``MIGRATIONS`` that brings a store from the previous
version to the new one. A store written by a newer streamhub is refused rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, insert, select, text, update

from hub.errors import StoreError
from hub.store.engine import begin_write, safe_url
from hub.store.tables import metadata, schema_info

SCHEMA_VERSION = 1

# MIGRATIONS[n] upgrades a store from version n to n + 1, inside the schema transaction.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {}

# Arbitrary constant naming the lock that serializes schema changes across processes.
_LOCK_KEY = 0x68756273  # "hubs"
_LOCK_NAME = "hub_store_schema"


def ensure_schema(engine: Engine) -> int:
    """Create missing tables, migrate an older schema, and return the schema version.

    Several processes may open a new store at once: the schema lock makes the second wait for the
    first instead of racing it to CREATE TABLE.
    """
    with begin_write(engine) as connection, _schema_lock(connection):
        metadata.create_all(connection)
        found = connection.execute(
            select(schema_info.c.version).where(schema_info.c.id == 1)
        ).scalar_one_or_none()
        if found is None:
            connection.execute(insert(schema_info).values(id=1, version=SCHEMA_VERSION))
            return SCHEMA_VERSION
        if found > SCHEMA_VERSION:
            raise StoreError(
                f"store {safe_url(engine.url)} has schema version {found}, written by a newer "
                f"streamhub; this one knows versions up to {SCHEMA_VERSION}. Upgrade streamhub "
                "on this machine"
            )
        for version in range(found, SCHEMA_VERSION):
            MIGRATIONS[version](connection)
        if found < SCHEMA_VERSION:
            connection.execute(
                update(schema_info).where(schema_info.c.id == 1).values(version=SCHEMA_VERSION)
            )
        return SCHEMA_VERSION


@contextmanager
def _schema_lock(connection: Connection) -> Iterator[None]:
    """Serialize schema changes across processes, by each database's own means.

    SQLite needs nothing more: the write transaction began with BEGIN IMMEDIATE.
    """
    backend = connection.dialect.name
    if backend == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        yield
    elif backend in ("mysql", "mariadb"):
        # DDL is not transactional there; a named lock held by the session stands in.
        connection.execute(text("SELECT GET_LOCK(:name, 60)"), {"name": _LOCK_NAME})
        try:
            yield
        finally:
            connection.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": _LOCK_NAME})
    else:
        yield
