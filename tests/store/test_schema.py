"""The schema version row: recorded on creation, migrations applied, newer stores refused."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, select, update

from hub.errors import StoreError
from hub.store import SCHEMA_VERSION, schema
from hub.store.tables import schema_info
from tests.conftest import StoreTarget


def _stored_version(target: StoreTarget) -> int:
    with target.open() as store, store.engine.connect() as connection:
        return connection.execute(select(schema_info.c.version)).scalar_one()


def test_a_new_store_records_the_current_schema_version(store_target: StoreTarget) -> None:
    with store_target.open() as store:
        assert store.schema_version == SCHEMA_VERSION

    assert _stored_version(store_target) == SCHEMA_VERSION


def test_an_older_store_is_migrated_step_by_step_on_open(
    store_target: StoreTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_target.open().close()
    applied: list[int] = []

    def step(version: int) -> object:
        def migrate(connection: Connection) -> None:
            assert connection.in_transaction()
            applied.append(version)

        return migrate

    newer = SCHEMA_VERSION + 2
    monkeypatch.setattr(schema, "SCHEMA_VERSION", newer)
    monkeypatch.setattr(schema, "MIGRATIONS", {v: step(v) for v in range(SCHEMA_VERSION, newer)})

    with store_target.open() as store:
        assert store.schema_version == newer
    assert applied == [SCHEMA_VERSION, SCHEMA_VERSION + 1]
    assert _stored_version(store_target) == newer


def test_a_store_written_by_a_newer_streamhub_is_refused(store_target: StoreTarget) -> None:
    with store_target.open() as store, store.engine.begin() as connection:
        connection.execute(update(schema_info).values(version=SCHEMA_VERSION + 1))

    with pytest.raises(StoreError, match="newer streamhub") as caught:
        store_target.open()
    assert f"schema version {SCHEMA_VERSION + 1}" in str(caught.value)
