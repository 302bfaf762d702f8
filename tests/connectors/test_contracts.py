"""Every built-in connector passes the same contract kit a third-party author uses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson
import pytest

from connectors.files.sink import FileSink
from connectors.files.source import FileSource
from connectors.generate.source import GenerateSource
from connectors.sql.sink import SqlSink
from connectors.sql.source import SqlSource
from hub.testing import SinkContract, SourceContract


class TestFileSourceCsv(SourceContract):
    source_class = FileSource

    @pytest.fixture
    def config(self, tmp_path: Path) -> Mapping[str, Any]:
        for name, start in (("a.csv", 0), ("b.csv", 100), ("c.csv", 200)):
            rows = "".join(f"{i},name {i},{i * 1.5}\n" for i in range(start, start + 23))
            (tmp_path / name).write_text("id,name,price\n" + rows)
        return {"path": "*.csv", "root": str(tmp_path), "format": "csv", "max_records": 5}

    @pytest.fixture
    def bad_config(self) -> Mapping[str, Any]:
        return {"format": "csv"}


class TestFileSourceJsonLines(SourceContract):
    source_class = FileSource

    @pytest.fixture
    def config(self, tmp_path: Path) -> Mapping[str, Any]:
        lines = b"".join(
            orjson.dumps({"id": i, "tags": ["x"] * (i % 3)}) + b"\n" for i in range(40)
        )
        (tmp_path / "events.jsonl").write_bytes(lines)
        return {"path": "events.jsonl", "root": str(tmp_path), "max_records": 6}

    @pytest.fixture
    def bad_config(self) -> Mapping[str, Any]:
        return {"root": "."}


class TestGenerateSource(SourceContract):
    source_class = GenerateSource

    @pytest.fixture
    def config(self) -> Mapping[str, Any]:
        return {
            "fields": {
                "id": "sequence",
                "amount": {"float": [1, 100]},
                "kind": {"choice": ["a", "b"]},
            },
            "count": 57,
            "seed": 7,
            "max_records": 10,
        }

    @pytest.fixture
    def bad_config(self) -> Mapping[str, Any]:
        return {"count": 5}


class TestSqlSource(SourceContract):
    source_class = SqlSource

    @pytest.fixture
    def config(self, tmp_path: Path) -> Mapping[str, Any]:
        import sqlite3
        from contextlib import closing

        with closing(sqlite3.connect(tmp_path / "shop.db")) as db, db:
            for n, table in enumerate(["orders_eu", "orders_us", "orders_asia"]):
                db.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, ts TIMESTAMP, v TEXT)")
                db.executemany(
                    f"INSERT INTO {table} VALUES (?, ?, ?)",
                    [(n * 100 + i, f"2024-01-01 00:00:0{i % 3}", f"v{i}") for i in range(17)],
                )
        return {
            "url": f"sqlite:///{tmp_path / 'shop.db'}",
            "tables": ["orders_*"],
            "cursor": "ts",
            "batch_size": 5,
        }

    @pytest.fixture
    def bad_config(self) -> Mapping[str, Any]:
        return {"tables": ["orders"], "cursor": "ts"}


class TestFileSinkJsonLines(SinkContract):
    sink_class = FileSink

    @pytest.fixture
    def config(self, tmp_path: Path) -> Mapping[str, Any]:
        return {"path": str(tmp_path / "out"), "format": "jsonl"}

    @pytest.fixture
    def bad_config(self) -> Mapping[str, Any]:
        return {"format": "jsonl"}

    def read_back(self, config: Mapping[str, Any]) -> Sequence[Any]:
        out = Path(config["path"])
        if not out.exists():
            return []
        return [
            orjson.loads(line)
            for path in sorted(out.glob("*.jsonl"))
            for line in path.read_bytes().splitlines()
        ]


def test_stdout_sink_declares_itself_like_every_connector() -> None:
    # stdout makes nothing durable to read back, so only the declaration part of the kit
    # applies; its output is checked in test_stdout.py.
    from connectors.stdout.sink import StdoutSink
    from hub.testing.checks import check_declaration

    check_declaration(StdoutSink, "sink")


class TestSqlSink(SinkContract):
    sink_class = SqlSink

    @pytest.fixture
    def config(self, tmp_path: Path) -> Mapping[str, Any]:
        return {"url": f"sqlite:///{tmp_path / 'out.db'}", "table": "records"}

    @pytest.fixture
    def bad_config(self) -> Mapping[str, Any]:
        return {"table": "records"}

    def read_back(self, config: Mapping[str, Any]) -> Sequence[Any]:
        import sqlite3
        from contextlib import closing

        path = config["url"].removeprefix("sqlite:///")
        if not Path(path).exists():
            return []
        with closing(sqlite3.connect(path)) as db:
            db.row_factory = sqlite3.Row
            if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'records'").fetchall():
                return []
            return [dict(row) for row in db.execute("SELECT * FROM records")]

    def comparable(self, row: Any) -> Any:
        return {**row, "active": bool(row["active"])}  # SQLite keeps booleans as 0 and 1
