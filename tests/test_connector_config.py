"""Connector configs against their JSON Schemas: every problem at once, each with its path."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from hub.connector_config import ConfigProblem, config_problems, validate_config
from hub.errors import ConfigError, PluginError
from hub.sdk import Source


class Files(Source):
    """A source with a schema like a real one's."""

    type = "files"
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "path": {"type": "string", "description": "the glob of files to read."},
            "password": {"type": "string"},
            "format": {"enum": ["csv", "jsonl"], "default": "csv"},
            "batch_size": {"type": "integer", "minimum": 1, "default": 1000},
            "columns": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"name": {"type": "string"}},
                    "required": ["name"],
                },
            },
        },
        "required": ["path"],
        "additionalProperties": False,
    }


def test_a_valid_config_comes_back_with_defaults_filled_in() -> None:
    assert validate_config(Files, {"path": "*.csv", "format": "jsonl"}) == {
        "path": "*.csv",
        "format": "jsonl",
        "batch_size": 1000,
    }


def test_a_missing_required_field_is_named_with_its_description() -> None:
    with pytest.raises(ConfigError) as caught:
        validate_config(Files, {}, where="source 'orders'")
    assert caught.value.problems == ["config.path: is required (the glob of files to read)"]
    assert str(caught.value).startswith("invalid config for source 'orders'\n")


def test_every_problem_is_reported_at_once_in_path_order() -> None:
    config = {"format": "xml", "batch_size": 0, "colour": "red", "columns": [{}, {"name": 1}]}
    assert [str(p) for p in config_problems(Files, config)] == [
        "config.path: is required (the glob of files to read)",
        "config.colour: unknown key; allowed: path, password, format, batch_size, columns",
        "config.batch_size: must be >= 1",
        "config.columns[0].name: is required",
        "config.columns[1].name: must be of type string, not integer",
        'config.format: must be one of: "csv", "jsonl"',
    ]


def test_problems_carry_their_path_for_locating_them_in_yaml() -> None:
    [problem] = config_problems(Files, {"path": "x", "columns": [{"name": 2}]})
    assert problem == ConfigProblem(("columns", 0, "name"), "must be of type string, not integer")


def test_a_bad_value_is_never_echoed_it_may_be_a_secret() -> None:
    with pytest.raises(ConfigError) as caught:
        validate_config(Files, {"path": "x", "password": 12345678})
    assert "12345678" not in str(caught.value)
    assert "config.password: must be of type string, not integer" in str(caught.value)


def test_a_config_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(ConfigError, match="config: must be of type object, not array"):
        validate_config(Files, ["path"])


def test_the_connector_type_names_the_config_by_default() -> None:
    with pytest.raises(ConfigError, match="invalid config for 'files'"):
        validate_config(Files, {})


def test_a_connector_whose_schema_is_not_json_schema_is_a_plugin_error() -> None:
    class Broken(Source):
        """Its schema misspells a type."""

        type = "broken"
        config_schema: ClassVar[dict[str, Any]] = {"type": "objekt"}

    with pytest.raises(PluginError, match=r"Broken.config_schema is not valid JSON Schema"):
        validate_config(Broken, {})


def test_a_schema_from_the_schemas_package_is_loaded_by_name() -> None:
    class Topic(Source):
        """Uses a shipped schema."""

        type = "topic"
        config_schema = "topic.schema.json"

    assert config_problems(Topic, {}) == []
