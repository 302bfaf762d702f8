"""``hub topics``: create, list, describe and delete topics."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import click

from hub.cli.context import HubContext, pass_hub
from hub.cli.output import human_bytes, info, json_option, print_json, print_table
from hub.errors import ConfigError
from hub.log import TopicConfig, TopicDescription

_INTEGER = re.compile(r"^-?\d+$")


@click.group()
def topics() -> None:
    """Create, list, describe and delete topics."""


def parse_config(name: str, pairs: Sequence[str], partitions: int | None = None) -> TopicConfig:
    """``k=v`` options into a ``TopicConfig``; one ``ConfigError`` lists every problem.

    Integer-looking values become integers, as Kafka's tools pass them (``retention.ms=-1``).
    """
    values: dict[str, Any] = {}
    problems: list[str] = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            problems.append(f"--config {pair!r}: expected key=value, e.g. retention.ms=7d")
            continue
        values[key] = int(value) if _INTEGER.match(value) else value
    if partitions is not None:
        if values.get("partitions", partitions) != partitions:
            problems.append(
                f"--partitions {partitions} and --config partitions={values['partitions']} "
                "disagree; give one"
            )
        values["partitions"] = partitions
    where = f"topic {name!r} config"
    try:
        config = TopicConfig.from_mapping(values, where=where)
    except ConfigError as exc:
        problems.extend(exc.problems or [str(exc)])
    if problems:
        raise ConfigError(f"invalid config for topic {name!r}", problems)
    return config


@topics.command()
@click.argument("name")
@click.option("--partitions", "-p", type=click.IntRange(min=1), help="Number of partitions.")
@click.option(
    "--config",
    "-c",
    "pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Topic config, repeatable: retention.ms=7d, retention.bytes=1GiB, flush=batch, ...",
)
@click.option("--if-not-exists", is_flag=True, help="Succeed if the topic already exists.")
@pass_hub
def create(
    hub: HubContext,
    name: str,
    partitions: int | None,
    pairs: tuple[str, ...],
    if_not_exists: bool,
) -> None:
    """Create topic NAME (takes the data directory's write lock)."""
    config = parse_config(name, pairs, partitions)
    with hub.writer() as log:
        existed = name in log.list_topics()
        config = log.create_topic(name, config, exist_ok=if_not_exists)
    if existed:
        info(f"topic {name!r} already exists ({config.partitions} partition(s)); left as it is")
    else:
        info(f"created topic {name!r} with {config.partitions} partition(s)")


@topics.command("list")
@json_option
@pass_hub
def list_(hub: HubContext, as_json: bool) -> None:
    """List topics with their partitions, records and size."""
    with hub.reader() as log:
        described = [log.describe_topic(name) for name in log.list_topics()]
    summaries = [_summary(d) for d in described]
    if as_json:
        print_json(summaries)
        return
    if not summaries:
        info(f"no topics in {hub.data_dir}")
        return
    print_table(
        ["topic", "#partitions", "#records", "#size"],
        [
            (s["name"], s["partitions"], s["records"], human_bytes(s["size_bytes"]))
            for s in summaries
        ],
    )


@topics.command()
@click.argument("name")
@json_option
@pass_hub
def describe(hub: HubContext, name: str, as_json: bool) -> None:
    """Show NAME's config and, per partition, earliest and latest offsets, size and segments."""
    with hub.reader() as log:
        described = log.describe_topic(name)
    document = _description(described)
    if as_json:
        print_json(document)
        return
    print_table(["config", "value"], document["config"].items(), title=f"topic {name}")
    print_table(
        ["#partition", "#earliest", "#latest", "#records", "#size", "#segments"],
        [
            (
                p["partition"],
                p["earliest"],
                p["latest"],
                p["records"],
                human_bytes(p["size_bytes"]),
                p["segments"],
            )
            for p in document["partitions"]
        ],
    )


@topics.command()
@click.argument("name")
@pass_hub
def delete(hub: HubContext, name: str) -> None:
    """Delete topic NAME, its data, and every group's committed offsets for it."""
    with hub.writer() as log:
        log.delete_topic(name)
    with hub.store() as store:
        forgotten = store.delete_topic_offsets(name)
    suffix = f"; forgot {forgotten} committed group offset(s)" if forgotten else ""
    info(f"deleted topic {name!r}{suffix}")


def _summary(described: TopicDescription) -> dict[str, Any]:
    return {
        "name": described.name,
        "partitions": len(described.partitions),
        "records": sum(p.latest - p.earliest for p in described.partitions),
        "size_bytes": sum(p.size_bytes for p in described.partitions),
    }


def _description(described: TopicDescription) -> dict[str, Any]:
    return {
        "name": described.name,
        "config": described.config.to_mapping(),
        "partitions": [
            {
                "partition": p.partition,
                "earliest": p.earliest,
                "latest": p.latest,
                "records": p.latest - p.earliest,
                "size_bytes": p.size_bytes,
                "segments": p.segments,
            }
            for p in described.partitions
        ],
    }
