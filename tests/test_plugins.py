"""The plugin registry: entry points, origins, clashes, broken plugins, unknown types.

Installed plugins are simulated the way an installer leaves them: a ``.dist-info`` directory with
``METADATA`` and ``entry_points.txt`` on a ``sys.path`` entry, found by ``importlib.metadata``.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hub.errors import ConfigError, PluginError
from hub.hookspecs import hookimpl
from hub.plugins import ENTRY_POINT_GROUP, Registry, create_manager
from hub.sdk import Source
from hub.testing import MemorySink, MemorySource, memory, plugin_registry

EXAMPLE_PLUGIN = Path(__file__).resolve().parents[1] / "examples" / "plugin"

Install = Callable[..., str]


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A site-packages directory on ``sys.path``; modules imported from it are forgotten after."""
    directory = tmp_path / "site-packages"
    directory.mkdir()
    monkeypatch.syspath_prepend(str(directory))
    before = set(sys.modules)
    yield directory
    for name in set(sys.modules) - before:
        del sys.modules[name]


@pytest.fixture
def install(site: Path) -> Install:
    """Install a distribution: ``install("alpha-hub", "1.2", entry_point="alpha_hub")``; with
    ``code``, the module ``entry_point`` is written too. Returns the entry point's name."""

    def run(project: str, version: str, *, entry_point: str, code: str | None = None) -> str:
        name = project.replace("-", "_")
        dist_info = site / f"{name}-{version}.dist-info"
        dist_info.mkdir()
        (dist_info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {project}\nVersion: {version}\n"
        )
        (dist_info / "entry_points.txt").write_text(
            f"[{ENTRY_POINT_GROUP}]\n{name} = {entry_point}\n"
        )
        if code is not None:
            (site / f"{entry_point}.py").write_text(textwrap.dedent(code))
        return name

    return run


def registry_of_installed(*names: str) -> Registry:
    """Only these entry points: the test must not depend on what else is installed."""
    manager = create_manager(entry_points=False)
    for name in names:
        manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP, name=name)
    return Registry(manager)


def twin_source_plugin(cls_name: str) -> str:
    return f"""
        from hub.hookspecs import hookimpl
        from hub.sdk import Source

        class {cls_name}(Source):
            "Also called twin."
            type = "twin"

        @hookimpl
        def hub_sources():
            return [{cls_name}]
    """


def test_an_installed_plugin_is_found_through_its_entry_point(
    install: Install, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLE_PLUGIN))
    name = install("hub-example-plugin", "0.1.0", entry_point="hub_example_plugin")
    found = [(p.kind, p.type, p.package, p.version) for p in registry_of_installed(name).all()]
    assert found == [
        ("source", "counter", "hub-example-plugin", "0.1.0"),
        ("sink", "sqlite", "hub-example-plugin", "0.1.0"),
        ("transform", "uppercase", "hub-example-plugin", "0.1.0"),
    ]


def test_two_plugins_with_one_type_name_is_an_error_naming_both_packages(install: Install) -> None:
    alpha = install("alpha-hub", "1.0", entry_point="alpha_hub", code=twin_source_plugin("Alpha"))
    beta = install("beta-hub", "2.0", entry_point="beta_hub", code=twin_source_plugin("Beta"))
    with pytest.raises(PluginError) as caught:
        registry_of_installed(alpha, beta)
    message = str(caught.value)
    assert "two sources are named 'twin'" in message
    assert "Alpha from package alpha-hub" in message
    assert "Beta from package beta-hub" in message


def test_one_type_name_may_serve_a_source_and_a_sink() -> None:
    registry = plugin_registry(memory)
    assert registry.get("source", "memory").cls is MemorySource
    assert registry.get("sink", "memory").cls is MemorySink


class Returns:
    """A plugin whose ``hub_sources`` returns whatever it is given."""

    def __init__(self, *returned: object) -> None:
        self.returned = list(returned)

    @hookimpl
    def hub_sources(self) -> list[object]:
        return self.returned


@pytest.mark.parametrize(
    ("returned", "shown"),
    [(MemorySink, "<class '.*MemorySink'>"), (MemorySource(), "<.*MemorySource object at .*>")],
)
def test_a_hook_returning_something_other_than_a_source_class_is_a_plugin_error(
    returned: object, shown: str
) -> None:
    with pytest.raises(
        PluginError, match=f"returned {shown} from hub_sources; expected a subclass of hub.Source"
    ):
        plugin_registry(Returns(returned))


def test_a_connector_without_a_type_name_is_a_plugin_error() -> None:
    class Anonymous(Source):
        """Forgot its type."""

    with pytest.raises(PluginError, match=r"Anonymous from \S+ declares no `type` name"):
        plugin_registry(Returns(Anonymous))


def test_an_unknown_type_is_a_config_error_listing_the_known_ones() -> None:
    class Files(Source):
        """A second source."""

        type = "files"

    registry = plugin_registry(memory, Returns(Files))
    with pytest.raises(
        ConfigError, match=r"unknown source type 'csv'; known sources: files, memory"
    ):
        registry.get("source", "csv")
    with pytest.raises(ConfigError, match=r"unknown transform type 'x'; known transforms: none"):
        registry.get("transform", "x")


def test_plugins_registered_in_code_are_named_by_their_module() -> None:
    [source, sink] = plugin_registry(memory).all()
    assert (source.package, source.version) == ("hub.testing.memory", "-")
    assert (sink.kind, sink.cls) == ("sink", MemorySink)


def test_a_registry_without_entry_points_holds_only_the_plugins_given() -> None:
    assert plugin_registry().all() == []
    assert [p.type for p in plugin_registry(memory).all()] == ["memory", "memory"]


def test_extra_plugins_join_the_installed_ones(install: Install) -> None:
    alpha = install("alpha-hub", "1.0", entry_point="alpha_hub", code=twin_source_plugin("Alpha"))
    manager = create_manager([memory], entry_points=False)
    manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP, name=alpha)
    assert Registry(manager).types("source") == ["memory", "twin"]
