"""Every built-in connector of this package passes the contract kit (``hub.testing``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson
import pyarrow.csv as pacsv
import pytest

from connectors.files import FileSink, FileSource
from connectors.generate import GenerateSource
from connectors.stdout import StdoutSink
from hub.testing import SinkContract, SourceContract


def write_csv_files(root: Path, files: int = 5, rows: int = 9) -> None:
    for f in range(files):
        lines = [f'{f * 100 + i},"name {i}, with comma",{i * 1.5}' for i in range(rows)]
        (root / f"part-{f}.csv").write_text("id,name,amount\n" + "\n".join(lines) + "\n")


class TestFileSourceCsv(SourceContract):
    source_class = FileSource

    @pytest.fixture
    def config(self, tmp_path: Path) -> Mapping[str, Any]:
        write_csv_files(tmp_path)
        (tmp_path / "part-9.csv").write_text("id,name,amount\n1,bad row\n")  # a failed record
        return {"path": "*.csv", "root": str(tmp_path), "max_records": 4}

    @pytest.fixture
    def bad_config(self) -> Mapping[str, Any] | None:
        return {"format": "csv"}


class TestFileSourceJsonLines(SourceContract):
    source_class = FileSource

    @pytest.fixture
    def config(self, tmp_path: Path) -> Mapping[str, Any]:
        for f in range(4):
            lines = [orjson.dumps({"id": f * 100 + i, "tags": ["x"] * i}) for i in range(7)]
            (tmp_path / f"{f}.jsonl").write_bytes(b"\n".join(lines) + b"\n")
        return {"path": "*.jsonl", "root": str(tmp_path), "max_records": 3}

    @pytest.fixture
    def bad_config(self) -> Mapping[str, Any] | None:
        return {"path": "*.jsonl", "max_records": 0}

    @pytest.fixture
    def bad_config_fields(self) -> Sequence[str]:
        return ["max_records"]


class TestGenerateSource(SourceContract):
    source_class = GenerateSource

    @pytest.fixture
    def config(self) -> Mapping[str, Any]:
        fields = {"id": "sequence", "ref": "uuid", "amount": {"float": [1, 9], "decimals": 2}}
        return {"fields": fields, "count": 45, "max_records": 10, "seed": 42}

    @pytest.fixture
    def bad_config(self) -> Mapping[str, Any] | None:
        return {"count": 3}


class TestFileSinkJsonLines(SinkContract):
    sink_class = FileSink

    @pytest.fixture
    def config(self, tmp_path: Path) -> Mapping[str, Any]:
        return {"path": str(tmp_path / "out"), "max_records": 5}

    @pytest.fixture
    def bad_config(self) -> Mapping[str, Any] | None:
        return {"format": "jsonl"}

    def read_back(self, config: Mapping[str, Any]) -> Sequence[Any]:
        files = sorted(Path(config["path"]).glob("*.jsonl"))
        return [orjson.loads(line) for f in files for line in f.read_bytes().splitlines()]


class TestFileSinkCsv(SinkContract):
    sink_class = FileSink

    @pytest.fixture
    def config(self, tmp_path: Path) -> Mapping[str, Any]:
        return {"path": str(tmp_path / "out"), "format": "csv"}

    @pytest.fixture
    def bad_config(self) -> Mapping[str, Any] | None:
        return {"format": "csv"}

    def read_back(self, config: Mapping[str, Any]) -> Sequence[Any]:
        files = sorted(Path(config["path"]).glob("*.csv"))
        return [row for f in files for row in pacsv.read_csv(f).to_pylist()]


class TestStdoutSink(SinkContract):
    sink_class = StdoutSink

    @pytest.fixture(autouse=True)
    def _capture(self, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
        self.output = capsysbinary

    @pytest.fixture
    def config(self) -> Mapping[str, Any]:
        return {}

    @pytest.fixture
    def bad_config(self) -> Mapping[str, Any] | None:
        return {"format": "yaml"}

    @pytest.fixture
    def bad_config_fields(self) -> Sequence[str]:
        return ["format"]

    def read_back(self, config: Mapping[str, Any]) -> Sequence[Any]:
        return [orjson.loads(line) for line in self.output.readouterr().out.splitlines()]
