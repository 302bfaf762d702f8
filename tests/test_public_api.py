"""The public surface: sorted re-exports, light imports, and the schemas the wheel ships."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.resources import files

import pytest
from jsonschema import Draft202012Validator

import hub
import hub.log
import hub.pipeline
import hub.testing


@pytest.mark.parametrize("module", [hub, hub.log, hub.pipeline, hub.testing])
def test_all_is_sorted_and_every_name_exists(module: object) -> None:
    names = module.__all__  # type: ignore[attr-defined]
    assert names == sorted(names)
    for name in names:
        assert hasattr(module, name), name


def test_importing_hub_loads_no_heavy_dependency() -> None:
    heavy = ["boto3", "sqlalchemy", "fastapi", "psycopg", "pymysql", "uvicorn"]
    code = f"import sys, hub, hub.log; print([m for m in {heavy!r} if m in sys.modules])"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"


def test_every_shipped_schema_is_valid_json_schema() -> None:
    shipped = [p for p in files("schemas").iterdir() if p.name.endswith(".schema.json")]
    assert shipped, "the schemas package ships no schema"
    for resource in shipped:
        Draft202012Validator.check_schema(json.loads(resource.read_text(encoding="utf-8")))
