"""``hub plugins list``: every connector and transform installed, and where each comes from."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from hub.cli.output import console, info, json_option, print_json
from hub.plugins import PluginInfo, registry

COLUMNS = ("kind", "type", "package", "version", "description")


@click.group()
def plugins() -> None:
    """List the installed connectors and transforms."""


@plugins.command("list")
@click.option(
    "--kind", type=click.Choice(["source", "sink", "transform"]), help="Only plugins of this kind."
)
@json_option
def list_(kind: str | None, as_json: bool) -> None:
    """Every connector and transform: kind, type name, package, version and what it does."""
    entries = [describe(p) for p in registry().all() if kind is None or p.kind == kind]
    if as_json:
        print_json(entries)
        return
    if not entries:
        info(f"no {kind or 'connector or transform'} plugins are installed")
        return
    table = Table(show_edge=False, pad_edge=False)
    for column in COLUMNS[:-1]:
        table.add_column(column, no_wrap=True)
    table.add_column(COLUMNS[-1])  # on a narrow terminal, descriptions wrap: names never do
    for entry in entries:
        table.add_row(*(entry[c] for c in COLUMNS))
    console().print(table)


def describe(plugin: PluginInfo) -> dict[str, Any]:
    """One plugin as ``--json`` shows it; ``class`` is where to read its code."""
    return {
        "kind": plugin.kind,
        "type": plugin.type,
        "package": plugin.package,
        "version": plugin.version,
        "description": plugin.description,
        "class": _qualified_name(plugin.cls),
    }


def _qualified_name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"
