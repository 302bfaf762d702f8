"""docs/writing-a-connector.md: its Python runs, its excerpts are the example plugin's own code,
and its pipelines are valid, connector configs included."""

from __future__ import annotations

import json
import re
import sys
import tomllib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from hub.connector_config import validate_config
from hub.plugins import Registry
from hub.testing import memory, plugin_registry

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "writing-a-connector.md"
EXAMPLE_PLUGIN = ROOT / "examples" / "plugin"
_BLOCK = re.compile(
    r"(?:<!-- excerpt: (?P<source>\S+) -->\n)?^```(?P<lang>\w+)\n(?P<code>.*?)^```$", re.S | re.M
)


@dataclass(frozen=True, slots=True)
class Block:
    lang: str
    code: str
    line: int
    source: str | None  # the file an excerpt is copied from


def blocks(lang: str) -> list[Block]:
    text = DOC.read_text(encoding="utf-8")
    return [
        Block(m["lang"], m["code"], text.count("\n", 0, m.start("code")) + 1, m["source"])
        for m in _BLOCK.finditer(text)
        if m["lang"] == lang
    ]


@pytest.fixture
def example_plugin(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The example plugin importable as if installed; modules imported meanwhile forgotten."""
    monkeypatch.syspath_prepend(str(EXAMPLE_PLUGIN))
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        del sys.modules[name]


def test_every_excerpt_is_copied_word_for_word_from_its_file() -> None:
    excerpts = [b for lang in ("python", "toml") for b in blocks(lang) if b.source]
    assert len(excerpts) >= 5
    for block in excerpts:
        assert block.source is not None
        text = (ROOT / block.source).read_text(encoding="utf-8")
        assert block.code in text, f"{DOC.name}:{block.line} is not a copy of {block.source}"


def test_the_python_snippets_run_in_order(
    example_plugin: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "writing_a_connector"}
    snippets = [b for b in blocks("python") if not b.source]
    assert len(snippets) >= 8
    for block in snippets:
        code = compile(block.code, f"{DOC}:{block.line}", "exec")
        with warnings.catch_warnings():  # a snippet drops a sink on purpose, as a crash would
            warnings.simplefilter("ignore", ResourceWarning)
            exec(code, namespace)


def test_the_pipelines_are_valid_down_to_each_connector_config(example_plugin: None) -> None:
    import hub_example_plugin

    registry = plugin_registry(memory, hub_example_plugin)
    schema = json.loads((ROOT / "schemas" / "pipeline.schema.json").read_text(encoding="utf-8"))
    pipelines = [yaml.safe_load(b.code) for b in blocks("yaml")]
    assert len(pipelines) == 2
    for pipeline in pipelines:
        Draft202012Validator(schema).validate(pipeline)
        _check_connectors(pipeline, registry)


def _check_connectors(pipeline: dict[str, Any], registry: Registry) -> None:
    for kind in ("source", "sink"):
        for connector in pipeline.get(f"{kind}s", []):
            validate_config(registry.get(kind, connector["type"]).cls, connector.get("config", {}))
            for transform in connector.get("transforms", []):
                config = {k: v for k, v in transform.items() if k not in ("type", "when")}
                validate_config(registry.get("transform", transform["type"]).cls, config)


def test_the_toml_parses() -> None:
    for block in blocks("toml"):
        tomllib.loads(block.code)
