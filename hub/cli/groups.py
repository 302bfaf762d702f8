"""``hub groups``: consumer groups' committed offsets, their lag, and moving them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from hub.cli.context import HubContext, pass_hub
from hub.cli.output import info, json_option, print_json, print_table
from hub.errors import HubError
from hub.groups import ConsumerGroups, GroupPartition


@click.group()
def groups() -> None:
    """Inspect consumer groups and reset their offsets."""


def _row(row: GroupPartition) -> dict[str, Any]:
    return {
        "topic": row.topic,
        "partition": row.partition,
        "committed": row.committed,
        "latest": row.latest,
        "lag": row.lag,
    }


@groups.command("list")
@json_option
@pass_hub
def list_(hub: HubContext, as_json: bool) -> None:
    """List groups with the topics they read and their total lag."""
    with hub.reader() as log, hub.store() as store:
        admin = ConsumerGroups(log, store)
        described = {group: admin.describe(group) for group in admin.list()}
    summaries: list[dict[str, Any]] = [
        {
            "group": group,
            "topics": sorted({row.topic for row in rows}),
            "lag": sum(row.lag for row in rows),
        }
        for group, rows in described.items()
    ]
    if as_json:
        print_json(summaries)
        return
    if not summaries:
        info("no consumer groups have committed offsets")
        return
    print_table(
        ["group", "topics", "#lag"],
        [(s["group"], ", ".join(s["topics"]), s["lag"]) for s in summaries],
    )


@groups.command()
@click.argument("group")
@json_option
@pass_hub
def describe(hub: HubContext, group: str, as_json: bool) -> None:
    """Per partition: the committed offset, the log end, and the lag between them."""
    with hub.reader() as log, hub.store() as store:
        admin = ConsumerGroups(log, store)
        known = admin.list()
        rows = admin.describe(group)
    if group not in known:
        raise HubError(
            f"consumer group {group!r} has no committed offsets "
            f"(groups: {', '.join(known) or 'none'}); a group exists once it commits"
        )
    if as_json:
        print_json({"group": group, "partitions": [_row(row) for row in rows]})
        return
    print_table(
        ["topic", "#partition", "#committed", "#latest", "#lag"],
        [(r.topic, r.partition, r.committed, r.latest, r.lag) for r in rows],
        title=f"group {group}",
    )


def _parse_datetime(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 date-time; e.g. 2024-05-01T12:00:00Z"
        ) from None


@groups.command()
@click.argument("group")
@click.option("--topic", "-t", required=True, help="The topic whose offsets move.")
@click.option("--to-earliest", is_flag=True, help="To the earliest offset still held.")
@click.option("--to-latest", is_flag=True, help="To the log end: skip everything there is.")
@click.option(
    "--to-datetime",
    metavar="ISO",
    callback=_parse_datetime,
    help="To the first record at or after this time, e.g. 2024-05-01T12:00:00Z.",
)
@click.option(
    "--to-offset",
    type=click.IntRange(min=0),
    help="To this offset (clamped into each partition's range, as Kafka does).",
)
@click.option(
    "--partition",
    "-p",
    "partitions",
    type=click.IntRange(min=0),
    multiple=True,
    help="Only this partition (repeatable); default all.",
)
@click.option("--dry-run", is_flag=True, help="Show the new offsets without committing them.")
@pass_hub
def reset(
    hub: HubContext,
    group: str,
    topic: str,
    to_earliest: bool,
    to_latest: bool,
    to_datetime: datetime | None,
    to_offset: int | None,
    partitions: tuple[int, ...],
    dry_run: bool,
) -> None:
    """Move GROUP's committed offsets in a topic; prints old → new per partition.

    Takes effect when the group's consumers next start.
    """
    chosen = [to_earliest, to_latest, to_datetime is not None, to_offset is not None]
    if sum(chosen) != 1:
        raise click.UsageError(
            "give exactly one of --to-earliest, --to-latest, --to-datetime and --to-offset"
        )
    with hub.reader() as log, hub.store() as store:
        admin = ConsumerGroups(log, store)
        old = admin.committed(group, topic)
        new = admin.reset(
            group,
            topic,
            to_earliest=to_earliest,
            to_latest=to_latest,
            to_datetime=to_datetime,
            to_offset=to_offset,
            partitions=partitions or None,
            dry_run=dry_run,
        )
    title = f"group {group}, topic {topic}" + (" (dry run: nothing committed)" if dry_run else "")
    print_table(
        ["#partition", "#old", "", "#new"],
        [(p, old.get((topic, p)), "→", offset) for p, offset in sorted(new.items())],
        title=title,
    )


@groups.command()
@click.argument("group")
@pass_hub
def delete(hub: HubContext, group: str) -> None:
    """Forget GROUP and all its committed offsets."""
    with hub.store() as store:
        forgotten = store.delete_group(group)
    if not forgotten:
        raise HubError(f"consumer group {group!r} has no committed offsets; nothing to delete")
    info(f"deleted group {group!r} ({forgotten} committed offset(s))")
