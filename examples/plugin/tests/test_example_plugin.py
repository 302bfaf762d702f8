"""The example plugin checked by streamhub's contract kit: one subclass per connector."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import hub_example_plugin
import pytest
from hub_example_plugin import CounterSource, SqliteSink, Uppercase

from hub.testing import SinkContract, SourceContract, TransformContract, plugin_registry


class TestCounterSource(SourceContract):
    source_class = CounterSource

    @pytest.fixture(params=[1, 3], ids=["1-partition", "3-partitions"])
    def config(self, request: pytest.FixtureRequest) -> dict[str, Any]:
        return {"count": 25, "batch_size": 4, "partitions": request.param}

    @pytest.fixture
    def bad_config(self) -> dict[str, Any]:
        return {"batch_size": 4}  # no count


class TestSqliteSink(SinkContract):
    sink_class = SqliteSink

    @pytest.fixture
    def config(self, tmp_path: Path) -> dict[str, Any]:
        return {"path": str(tmp_path / "out.db")}

    @pytest.fixture
    def bad_config(self) -> dict[str, Any]:
        return {"path": "out.db", "table": "records; DROP TABLE records"}

    @pytest.fixture
    def bad_config_fields(self) -> list[str]:
        return ["table"]

    def read_back(self, config: dict[str, Any]) -> list[Any]:
        with closing(sqlite3.connect(config["path"])) as db:
            return [json.loads(value) for (value,) in db.execute("SELECT value FROM records")]


class TestUppercase(TransformContract):
    transform_class = Uppercase

    @pytest.fixture
    def config(self) -> dict[str, Any]:
        return {"fields": ["name"]}

    @pytest.fixture
    def bad_config(self) -> dict[str, Any]:
        return {"fields": []}

    @pytest.fixture
    def bad_config_fields(self) -> list[str]:
        return ["fields"]

    @pytest.fixture
    def records(self) -> list[dict[str, Any]]:
        return [{"id": 1, "name": "ada"}, {"id": 2, "name": None}]

    @pytest.fixture
    def expected(self) -> list[dict[str, Any]]:
        return [{"id": 1, "name": "ADA"}, {"id": 2, "name": None}]


def test_the_plugin_provides_one_connector_of_each_kind() -> None:
    registry = plugin_registry(hub_example_plugin)
    assert [(info.kind, info.type, info.cls) for info in registry.all()] == [
        ("source", "counter", CounterSource),
        ("sink", "sqlite", SqliteSink),
        ("transform", "uppercase", Uppercase),
    ]
