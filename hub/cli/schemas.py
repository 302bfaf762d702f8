"""``hub schemas``: the schema registry, on the local data directory or a server (``--url``)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hub.cli.context import HubContext, pass_hub
from hub.cli.output import info, json_option, print_json, print_table
from hub.errors import ConfigError

if TYPE_CHECKING:
    from hub.registry import Registry
    from hub.registry.remote import RemoteRegistry

LEVELS = (
    "NONE",
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
)


def _server_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--url`` and ``--token``: talk to a running registry instead of the data directory."""

    @click.option(
        "--url",
        envvar="HUB_REGISTRY_URL",
        metavar="URL",
        help="A schema registry server (hub serve, or Confluent's); env HUB_REGISTRY_URL.",
    )
    @click.option(
        "--token",
        envvar="HUB_API_TOKEN",
        metavar="TOKEN",
        help="The server's bearer token; env HUB_API_TOKEN.",
    )
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return command(*args, **kwargs)

    return wrapper


@contextmanager
def _registry(
    hub: HubContext, url: str | None, token: str | None
) -> Iterator[Registry | RemoteRegistry]:
    if url:
        from hub.registry.remote import RemoteRegistry

        remote = RemoteRegistry(url, token=token)
        try:
            yield remote
        finally:
            remote.close()
        return
    from hub.registry import Registry

    with hub.store() as store:
        yield Registry(store)


def _read_schema(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read schema file {path}: {exc.strerror}") from None


@click.group()
def schemas() -> None:
    """Register, inspect and check JSON Schemas in the schema registry."""


@schemas.command("list")
@click.option("--deleted", is_flag=True, help="Include soft-deleted subjects.")
@click.option("--prefix", metavar="PREFIX", help="Only subjects starting with PREFIX.")
@json_option
@_server_options
@pass_hub
def list_(
    hub: HubContext,
    deleted: bool,
    prefix: str | None,
    as_json: bool,
    url: str | None,
    token: str | None,
) -> None:
    """List subjects with their latest version and its schema id."""
    with _registry(hub, url, token) as registry:
        rows = []
        for subject in registry.subjects(deleted=deleted, prefix=prefix):
            latest = registry.version(subject, "latest", deleted=deleted)
            rows.append({"subject": subject, "version": latest.version, "id": latest.id})
    if as_json:
        print_json(rows)
    elif not rows:
        info("no subjects registered")
    else:
        print_table(["subject", "#latest version", "#id"], [tuple(r.values()) for r in rows])


@schemas.command()
@click.argument("subject")
@click.option(
    "--version", "version", default="latest", show_default=True, help="A number or latest."
)
@json_option
@_server_options
@pass_hub
def show(
    hub: HubContext, subject: str, version: str, as_json: bool, url: str | None, token: str | None
) -> None:
    """Print a version of SUBJECT: its id, version and schema."""
    with _registry(hub, url, token) as registry:
        found = registry.version(subject, version)
        versions = registry.versions(subject)
    if as_json:
        print_json(
            {
                "subject": found.subject,
                "version": found.version,
                "id": found.id,
                "schemaType": found.schema_type,
                "schema": found.parsed(),
            }
        )
        return
    info(f"{found.subject} version {found.version} of {versions[-1]}, id {found.id}")
    print_json(found.parsed())


@schemas.command()
@click.argument("subject")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_server_options
@pass_hub
def register(hub: HubContext, subject: str, file: Path, url: str | None, token: str | None) -> None:
    """Register the JSON Schema in FILE under SUBJECT (checked against its compatibility level)."""
    text = _read_schema(file)
    with _registry(hub, url, token) as registry:
        known = set(registry.versions(subject)) if subject in registry.subjects() else set()
        schema_id = registry.register(subject, text)
        found = registry.lookup(subject, text)
    verb = "already registered as" if found.version in known else "registered"
    click.echo(f"{subject}: {verb} version {found.version}, schema id {schema_id}")


@schemas.command()
@click.argument("subject")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--version", "version", default=None, help="Check against this version only.")
@json_option
@_server_options
@pass_hub
def check(
    hub: HubContext,
    subject: str,
    file: Path,
    version: str | None,
    as_json: bool,
    url: str | None,
    token: str | None,
) -> None:
    """Check FILE against SUBJECT's compatibility level; exit 1 if it is incompatible."""
    text = _read_schema(file)
    with _registry(hub, url, token) as registry:
        level = registry.compatibility(subject)
        found = registry.check(subject, text, version)
    if as_json:
        print_json(
            {
                "is_compatible": not found,
                "compatibilityLevel": str(level),
                "incompatibilities": [
                    {
                        "type": i.type,
                        "path": i.path,
                        "message": i.message,
                        "version": i.version,
                        "direction": i.direction,
                    }
                    for i in found
                ],
            }
        )
    elif not found:
        click.echo(f"{subject}: compatible ({level})")
    else:
        click.echo(f"{subject}: incompatible ({level}), {len(found)} problem(s):")
        for i in found:
            where = f" [{i.direction} vs version {i.version}]" if i.version else ""
            click.echo(f"  {i.type or 'INCOMPATIBLE'} at {i.path or '#'}: {i.message}{where}")
    if found:
        raise SystemExit(1)


@schemas.command()
@click.argument("subject", required=False)
@click.option("--level", type=click.Choice(LEVELS, case_sensitive=False), help="Set the level.")
@click.option(
    "--policy",
    type=click.Choice(["STRICT", "LENIENT"], case_sensitive=False),
    help="STRICT: Confluent's rules; LENIENT: optional properties may join an open model.",
)
@json_option
@_server_options
@pass_hub
def config(
    hub: HubContext,
    subject: str | None,
    level: str | None,
    policy: str | None,
    as_json: bool,
    url: str | None,
    token: str | None,
) -> None:
    """Show (or set) the compatibility level and policy of SUBJECT, or the global ones."""
    with _registry(hub, url, token) as registry:
        if level or policy:
            registry.set_config(subject, compatibility=level, policy=policy)
        current = {
            "subject": subject,
            "compatibilityLevel": str(registry.compatibility(subject)),
            "compatibilityPolicy": str(registry.policy(subject)),
        }
    if as_json:
        print_json(current)
    else:
        scope = subject or "global"
        click.echo(f"{scope}: {current['compatibilityLevel']} ({current['compatibilityPolicy']})")
