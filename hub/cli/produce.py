"""``hub produce``: JSON lines on stdin into a topic, appended in chunks as whole batches.

Each line's bytes (stripped) are the record's value, checked with orjson but never re-encoded.
With ``--key-field`` the key is that field as UTF-8 text, as a Kafka client with a string
serializer would send it, so keys land in the partitions Kafka would choose.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import click
import orjson

from hub.cli.context import HubContext, pass_hub
from hub.cli.output import binary_stdin, info, print_table
from hub.errors import HubError, LogError
from hub.log import LocalLog
from hub.record import Record

CHUNK_LINES = 5_000
CHUNK_BYTES = 4 << 20


@dataclass(frozen=True, slots=True)
class BadLine:
    """The first line that is not JSON: where, and what orjson said."""

    number: int
    column: int
    reason: str


@dataclass(slots=True)
class Chunk:
    """The parsed lines of one chunk, up to (not including) a bad line if there is one."""

    values: list[bytes]
    keys: list[bytes | None] | None
    bad: BadLine | None = None


def key_text(document: Any, field: str) -> bytes | None:
    """The key a string serializer would send: a string's text, else the value's JSON text."""
    if not isinstance(document, dict):
        return None
    value = document.get(field)
    if value is None:
        return None
    if isinstance(value, str):
        return value.encode()
    return orjson.dumps(value)


def read_chunks(stream: BinaryIO) -> Iterator[tuple[int, list[bytes]]]:
    """``(number of the first line, lines)``, bounded by line count and bytes."""
    lines: list[bytes] = []
    size = 0
    first = 1
    for line in stream:
        lines.append(line)
        size += len(line)
        if len(lines) >= CHUNK_LINES or size >= CHUNK_BYTES:
            yield first, lines
            first += len(lines)
            lines, size = [], 0
    if lines:
        yield first, lines


def parse_chunk(first: int, lines: Iterable[bytes], key_field: str | None) -> Chunk:
    """Validate each non-blank line; stop at the first invalid one."""
    values: list[bytes] = []
    keys: list[bytes | None] | None = None if key_field is None else []
    field = key_field or ""
    loads = orjson.loads
    for number, raw in enumerate(lines, first):
        line = raw.strip()
        if not line:
            continue
        try:
            document = loads(line)
        except orjson.JSONDecodeError as exc:
            indent = len(raw) - len(raw.lstrip())
            return Chunk(values, keys, BadLine(number, exc.pos + indent + 1, exc.msg))
        values.append(line)
        if keys is not None:
            keys.append(key_text(document, field))
    return Chunk(values, keys)


def append_chunk(log: LocalLog, topic: str, chunk: Chunk, partition: int | None) -> None:
    """One batch per partition: pinned with ``--partition``, else by key or sticky."""
    if not chunk.values:
        return
    if partition is not None:
        log.append_batch(topic, partition, chunk.values, keys=chunk.keys)
    elif chunk.keys is None:
        log.append(topic, [Record(value) for value in chunk.values])
    else:
        log.append(topic, [Record(v, k) for v, k in zip(chunk.values, chunk.keys, strict=True)])


@click.command()
@click.argument("topic")
@click.option(
    "--key-field",
    "-k",
    metavar="FIELD",
    help="Top-level field whose value is the record key (missing or null: no key).",
)
@click.option(
    "--partition",
    "-p",
    type=click.IntRange(min=0),
    help="Append every record to this partition instead of partitioning by key.",
)
@pass_hub
def produce(hub: HubContext, topic: str, key_field: str | None, partition: int | None) -> None:
    """Append JSON lines from stdin to TOPIC, one record per line.

    Blank lines are skipped. An invalid line stops the run: the lines before it are appended,
    nothing after it. The topic is created with default config if it does not exist.
    """
    stdin = binary_stdin()
    if stdin.isatty():
        info("reading JSON lines from stdin; end with Ctrl-D")
    with hub.writer() as log:
        if topic not in log.list_topics():
            config = log.create_topic(topic)
            info(
                f"topic {topic!r} did not exist: created it with the default config "
                f"({config.partitions} partition(s)); use `hub topics create` to choose"
            )
        count = log.partitions(topic)
        if partition is not None and partition >= count:
            raise LogError(
                f"topic {topic!r} has no partition {partition}: it has {count} (0..{count - 1})"
            )
        before = [log.latest_offset(topic, p) for p in range(count)]
        bad = None
        for first, lines in read_chunks(stdin):
            chunk = parse_chunk(first, lines, key_field)
            append_chunk(log, topic, chunk, partition)
            if chunk.bad is not None:
                bad = chunk.bad
                break
        after = [log.latest_offset(topic, p) for p in range(count)]
    total = _summarize(topic, before, after)
    if bad is not None:
        raise HubError(
            f"stdin line {bad.number}, column {bad.column}: not valid JSON ({bad.reason}); "
            f"appended the {total} record(s) before it and nothing after it"
        )


def _summarize(topic: str, before: list[int], after: list[int]) -> int:
    """Report on stderr how many records went to which partitions; return the total."""
    rows = [
        (p, end - start, f"{start}..{end - 1}")
        for p, (start, end) in enumerate(zip(before, after, strict=True))
        if end > start
    ]
    total = sum(row[1] for row in rows)
    if not total:
        info(f"appended no records to {topic!r}")
        return 0
    info(f"appended {total} record(s) to {topic!r}")
    print_table(["#partition", "#records", "offsets"], rows, err=True)
    return total
