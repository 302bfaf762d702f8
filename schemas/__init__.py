"""The JSON Schemas streamhub ships: found from a checkout and from an installed wheel alike."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any


def schema_path(name: str) -> str:
    """Path of a shipped schema such as ``topic.schema.json`` (inside the installed package)."""
    return str(files(__name__) / name)


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The parsed schema ``name`` (cached: schemas never change at run time)."""
    resource = files(__name__) / name
    result: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return result
