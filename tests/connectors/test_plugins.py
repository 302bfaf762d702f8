"""The built-in connectors register through entry points, and their config schemas say what the
documentation says."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from connectors.files import FileSink, FileSource
from connectors.files import plugin as files_plugin
from connectors.generate import GenerateSource
from connectors.generate import plugin as generate_plugin
from connectors.stdout import StdoutSink
from connectors.stdout import plugin as stdout_plugin
from hub.plugins import ENTRY_POINT_GROUP, Registry, create_manager, load_config_schema


def test_the_plugin_modules_are_the_declared_entry_points() -> None:
    declared = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}
    assert declared["files"] == "connectors.files.plugin"
    assert declared["generate"] == "connectors.generate.plugin"
    assert declared["stdout"] == "connectors.stdout.plugin"


def test_the_plugin_modules_register_the_connectors() -> None:
    plugins = [files_plugin, generate_plugin, stdout_plugin]
    registry = Registry(create_manager(plugins, entry_points=False))
    assert registry.get("source", "file").cls is FileSource
    assert registry.get("sink", "file").cls is FileSink
    assert registry.get("source", "generate").cls is GenerateSource
    assert registry.get("sink", "stdout").cls is StdoutSink


@pytest.mark.parametrize(
    ("cls", "config", "valid"),
    [
        (FileSource, {"path": "in/*.csv", "delimiter": ";", "max_bytes": "8MiB"}, True),
        (FileSource, {"path": "x.csv", "columns": {"id": "integer", "at": "timestamp"}}, True),
        (FileSource, {"path": "x.csv", "quote": False, "scan_interval": "250ms"}, True),
        (FileSource, {"path": "x.csv", "columns": {"id": "int128"}}, False),
        (FileSource, {"path": "x.csv", "delimiter": ";;"}, False),
        (FileSource, {"path": "x.csv", "typo": 1}, False),
        (FileSource, {}, False),
        (FileSink, {"path": "out", "format": "csv", "max_bytes": "64MiB", "max_age": "5m"}, True),
        (FileSink, {"path": "out", "format": "parquet"}, False),
        (GenerateSource, {"fields": {"id": "sequence", "at": "now"}, "count": 10}, True),
        (GenerateSource, {"fields": {"a": {"float": [1, 2], "decimals": 2}}, "rate": 5}, True),
        (GenerateSource, {"fields": {"a": {"choice": ["x"], "weights": [1]}}, "seed": 1}, True),
        (GenerateSource, {"fields": {"a": "bogus"}}, False),
        (GenerateSource, {"fields": {}}, False),
        (StdoutSink, {"format": "full"}, True),
        (StdoutSink, {"format": "xml"}, False),
    ],
)
def test_config_schemas(cls: type, config: dict[str, Any], valid: bool) -> None:
    validator = Draft202012Validator(load_config_schema(cls))
    assert validator.is_valid(config) is valid
