"""``hub plugins list``: what is installed, as a table and as JSON."""

from __future__ import annotations

import re

import orjson
import pytest

from hub.hookspecs import hookimpl
from hub.sdk import Transform
from hub.testing import memory, plugin_registry
from tests.cli.conftest import Hub, ok

MEMORY_SOURCE_LINE = "Emits the records listed in its config, in batches; resumes from its offset."
MEMORY_SINK_LINE = "Keeps flushed batches in memory under a name that a test looks up afterwards."


class Shout(Transform):
    """Shouts.

    Longer explanations stay out of the table.
    """

    type = "shout"


class Quiet(Transform):
    type = "quiet"


class TransformPlugin:
    @hookimpl
    def hub_transforms(self) -> list[type[Transform]]:
        return [Shout, Quiet]


@pytest.fixture(autouse=True)
def _installed(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = plugin_registry(memory, TransformPlugin())
    monkeypatch.setattr("hub.cli.plugins.registry", lambda: registry)


def test_list_prints_a_table_of_every_plugin(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    lines = ok(hub("plugins", "list")).stdout.splitlines()
    header, _, *rows = ([c.strip() for c in re.split("[│┃]", line)] for line in lines)
    assert header == ["kind", "type", "package", "version", "description"]
    assert rows == [
        ["source", "memory", "hub.testing.memory", "-", MEMORY_SOURCE_LINE],
        ["sink", "memory", "hub.testing.memory", "-", MEMORY_SINK_LINE],
        ["transform", "quiet", rows[2][2], "-", ""],
        ["transform", "shout", rows[3][2], "-", "Shouts."],
    ]


def test_list_json_gives_kind_type_origin_version_description_and_class(hub: Hub) -> None:
    entries = orjson.loads(ok(hub("plugins", "list", "--json")).stdout)
    assert entries[0] == {
        "kind": "source",
        "type": "memory",
        "package": "hub.testing.memory",
        "version": "-",
        "description": MEMORY_SOURCE_LINE,
        "class": "hub.testing.memory:MemorySource",
    }
    assert [(e["kind"], e["type"]) for e in entries] == [
        ("source", "memory"),
        ("sink", "memory"),
        ("transform", "quiet"),
        ("transform", "shout"),
    ]
    assert entries[2]["description"] == ""  # not Transform's inherited docstring


def test_list_filters_by_kind(hub: Hub) -> None:
    entries = orjson.loads(ok(hub("plugins", "list", "--kind", "sink", "--json")).stdout)
    assert [(e["kind"], e["type"]) for e in entries] == [("sink", "memory")]


def test_list_says_when_nothing_of_a_kind_is_installed(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = plugin_registry(memory)
    monkeypatch.setattr("hub.cli.plugins.registry", lambda: registry)
    result = ok(hub("plugins", "list", "--kind", "transform"))
    assert result.stdout == ""
    assert result.stderr == "no transform plugins are installed\n"
