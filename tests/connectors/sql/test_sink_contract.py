"""The contract kit's sink battery, on each database (``tests/connectors/test_contracts.py``
runs it on SQLite with the other built-in connectors)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest
import sqlalchemy as sa

from connectors.sql.sink import SqlSink
from hub.testing import SinkContract
from tests.connectors.sql.conftest import Database


class TestSqlSinkOnEachDatabase(SinkContract):
    sink_class = SqlSink

    @pytest.fixture
    def config(self, database: Database) -> Mapping[str, Any]:
        return {"url": database.url, "table": "records", "key_columns": ["id"]}

    @pytest.fixture
    def bad_config(self) -> Mapping[str, Any]:
        return {"table": "records"}

    def read_back(self, config: Mapping[str, Any]) -> Sequence[Any]:
        engine = sa.create_engine(config["url"])
        try:
            with engine.connect() as connection:
                if not sa.inspect(connection).has_table("records"):
                    return []
                table = sa.Table("records", sa.MetaData(), autoload_with=connection)
                return [dict(row._mapping) for row in connection.execute(sa.select(table))]
        finally:
            engine.dispose()

    def comparable(self, row: Any) -> Any:
        return {**row, "active": bool(row["active"]), "price": float(row["price"])}


@pytest.mark.parametrize("mode", ["insert", "upsert"])
def test_a_crashed_sink_holds_no_lock_that_blocks_the_next(database: Database, mode: str) -> None:
    """A sink dropped without close (a killed process) leaves its transaction to be rolled back
    when it is collected, as the server would on a dead connection."""
    from hub.testing import checks

    config = {"url": database.url, "table": "records", "mode": mode, "key_columns": ["id"]}
    records = [{"id": i, "name": f"n{i}"} for i in range(30)]
    checks.check_sink_survives_crash(
        SqlSink, config, records, TestSqlSinkOnEachDatabase().read_back, flushed_batches=1
    )
