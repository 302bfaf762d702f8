"""What holds for every built-in transform: registration, config schemas, and the batch contract
(rows keep their order, reserved and runtime columns pass through untouched)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from jsonschema import Draft202012Validator

from hub.errors import ConfigError
from hub.plugins import load_config_schema, registry
from hub.sdk import KEY_COLUMN, TOPIC_COLUMN, Transform
from hub.transforms.plugin import BUILTIN

EXAMPLES: dict[str, dict[str, Any]] = {
    "rename": {"fields": {"a": "alpha"}},
    "drop": {"fields": ["b"]},
    "keep": {"fields": ["a"]},
    "cast": {"fields": {"a": "string"}},
    "insert": {"fields": {"source": "test", "at": {"now": True}}},
    "mask": {"fields": ["b"], "keep_last": 1},
    "flatten": {"separator": "_"},
    "value_to_key": {"fields": ["a"]},
    "filter": {"condition": "a >= 0"},
    "route": {"topic": "t-{a}"},
}
BAD: dict[str, tuple[dict[str, Any], str]] = {
    "rename": ({"fields": {"a": 1}}, "fields.a"),
    "drop": ({"fields": "a"}, "fields"),
    "keep": ({"fields": []}, "fields"),
    "cast": ({"fields": {"a": "int"}}, "fields.a"),
    "insert": ({"fields": {"at": {"now": False}}}, "fields.at"),
    "mask": ({"fields": ["a"], "keep_last": -1}, "keep_last"),
    "flatten": ({"separator": ""}, "separator"),
    "value_to_key": ({"field": ["a"]}, "field"),
    "filter": ({"condition": "a >"}, "column 3"),
    "route": ({"topic": "t-{a"}, "stray"),
}


def test_every_builtin_is_registered_through_the_entry_point() -> None:
    found = {info.type: info for info in registry().all() if info.kind == "transform"}
    assert set(found) == {cls.type for cls in BUILTIN} == set(EXAMPLES)
    assert all(info.package == "streamhub" for info in found.values())


@pytest.mark.parametrize("cls", BUILTIN, ids=lambda cls: cls.type)
def test_config_schema_is_shipped_valid_and_accepts_the_example(cls: type[Transform]) -> None:
    schema = load_config_schema(cls)
    Draft202012Validator.check_schema(schema)
    Draft202012Validator(schema).validate(EXAMPLES[cls.type])
    assert schema.get("additionalProperties") is False


@pytest.mark.parametrize("cls", BUILTIN, ids=lambda cls: cls.type)
def test_a_bad_config_is_a_config_error_naming_the_field(cls: type[Transform]) -> None:
    config, where = BAD[cls.type]
    with pytest.raises(ConfigError, match=where):
        cls(config)


@pytest.mark.parametrize("cls", BUILTIN, ids=lambda cls: cls.type)
def test_row_order_and_reserved_columns_are_kept(cls: type[Transform]) -> None:
    n = 2_000
    table = pa.concat_tables(
        [
            pa.table(
                {
                    "a": pa.array(range(start, start + 500), pa.int64()),
                    "b": [f"v{i}" for i in range(start, start + 500)],
                    "s": [{"x": i} for i in range(start, start + 500)],
                    KEY_COLUMN: pa.array([b"k"] * 500),
                    "__hub_row": pa.array(range(start, start + 500), pa.int64()),
                }
            )
            for start in range(0, n, 500)
        ]
    )
    result = cls(EXAMPLES[cls.type]).apply(table)
    assert result.column("__hub_row").to_pylist() == list(range(n))
    if cls.type != "value_to_key":
        assert result.column(KEY_COLUMN).to_pylist() == [b"k"] * n
    assert TOPIC_COLUMN not in result.column_names or cls.type == "route"


@pytest.mark.parametrize("cls", BUILTIN, ids=lambda cls: cls.type)
def test_an_empty_batch_stays_empty(cls: type[Transform]) -> None:
    table = pa.table({"a": pa.array([], pa.int64()), "b": pa.array([], pa.string())})
    assert cls(EXAMPLES[cls.type]).apply(table).num_rows == 0


def test_reserved_columns_cannot_be_named_as_fields() -> None:
    from hub.transforms.fields import Drop

    with pytest.raises(ConfigError, match="reserved"):
        Drop({"fields": [KEY_COLUMN]})


def test_importing_the_plugin_loads_neither_pyarrow_nor_sqlglot() -> None:
    import subprocess
    import sys

    code = (
        "import sys, hub.transforms.plugin; "
        "print([m for m in ('pyarrow', 'sqlglot') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
