"""``hub consume``: a topic's records as JSON lines on stdout, optionally as a consumer group.

Where each partition starts follows Kafka's console consumer: ``--partition``/``--offset``, else
the group's committed offset, else the earliest with ``--from-beginning``, else the log end.
With ``--group`` the offsets of what was printed are committed (the next offset to read), so a
later run with the same group carries on after the last printed record.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from typing import BinaryIO

import click
import orjson

from hub.cli.context import HubContext, pass_hub
from hub.cli.output import binary_stdout, info, silence_stdout
from hub.cli.signals import stop_on_signals
from hub.consumer import Consumer
from hub.log import LocalLog
from hub.record import Record

POLL_RECORDS = 1_000
FOLLOW_POLL_MS = 250  # also how quickly a signal is noticed while waiting
COMMIT_INTERVAL_S = 1.0

Encoder = Callable[[Sequence[Record]], bytes]


def encode_values(records: Sequence[Record]) -> bytes:
    """``--format value``: each value's JSON, one per line (``null`` for a tombstone).

    The schema-id prefix of values written with a schema is left out: the lines stay JSON.
    """
    from hub.registry.wire import unframe

    return b"".join([(b"null" if r.value is None else unframe(r.value)) + b"\n" for r in records])


def _text(data: bytes | None) -> str | None:
    return None if data is None else data.decode("utf-8", "replace")


def _json_value(value: bytes | None) -> object:
    """Valid JSON is embedded as it is (``Fragment``: validated, never re-encoded)."""
    if value is None:
        return None
    try:
        parsed = orjson.loads(value)
    except orjson.JSONDecodeError:
        return value.decode("utf-8", "replace")
    if b"\n" in value or b"\r" in value:  # keep one record per line
        return parsed
    return orjson.Fragment(value)


def encode_full(records: Sequence[Record]) -> bytes:
    """``--format full``: one JSON object per record with its position, key, headers and
    the id of the schema its value was written with (null for plain JSON)."""
    from hub.registry.wire import schema_id_of, unframe

    dumps = orjson.dumps
    return b"".join(
        [
            dumps(
                {
                    "topic": r.topic,
                    "partition": r.partition,
                    "offset": r.offset,
                    "timestamp": r.timestamp,
                    "key": _text(r.key),
                    "headers": {name: _text(value) for name, value in r.headers},
                    "schema_id": schema_id_of(r.value),
                    "value": _json_value(None if r.value is None else unframe(r.value)),
                }
            )
            + b"\n"
            for r in records
        ]
    )


ENCODERS: dict[str, Encoder] = {"value": encode_values, "full": encode_full}


def start_offset(log: LocalLog, topic: str, partition: int, offset: str) -> int:
    """``--offset``: a number, ``earliest`` or ``latest``."""
    if offset == "earliest":
        return log.earliest_offset(topic, partition)
    if offset == "latest":
        return log.latest_offset(topic, partition)
    try:
        return int(offset)
    except ValueError:
        raise click.BadParameter(
            f"{offset!r} is not an offset; give a number, 'earliest' or 'latest'",
            param_hint="--offset",
        ) from None


@click.command()
@click.argument("topic")
@click.option("--group", "-g", help="Consumer group: resume from its offsets and commit them.")
@click.option(
    "--from-beginning", is_flag=True, help="Without a committed offset, start at the earliest."
)
@click.option("--partition", "-p", type=click.IntRange(min=0), help="Read only this partition.")
@click.option(
    "--offset",
    "-o",
    metavar="N|earliest|latest",
    help="Start --partition at this offset (overrides the group's committed offset).",
)
@click.option("--max", "-n", "limit", type=click.IntRange(min=1), help="Stop after N records.")
@click.option("--follow", "-f", is_flag=True, help="Wait for new records until Ctrl-C.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(ENCODERS)),
    default="value",
    show_default=True,
    help="value: the values as they are; full: JSON objects with position, key and headers.",
)
@pass_hub
def consume(
    hub: HubContext,
    topic: str,
    group: str | None,
    from_beginning: bool,
    partition: int | None,
    offset: str | None,
    limit: int | None,
    follow: bool,
    fmt: str,
) -> None:
    """Print TOPIC's records as JSON lines on stdout.

    Stops at the end of the log, or waits for more with --follow. Works while another process
    writes the data directory.
    """
    if offset is not None and partition is None:
        raise click.UsageError("--offset needs --partition: offsets are per partition")
    with ExitStack() as stack:
        log = stack.enter_context(hub.reader())
        store = stack.enter_context(hub.store()) if group is not None else None
        offsets = None
        if partition is not None and offset is not None:
            log.partitions(topic)  # an unknown topic is reported before a bad partition
            offsets = {partition: start_offset(log, topic, partition, offset)}
        consumer = Consumer(
            log,
            store,
            group,
            topic,
            partitions=None if partition is None else [partition],
            offsets=offsets,
            from_beginning=from_beginning,
        )
        stop = stack.enter_context(stop_on_signals())
        stdout = binary_stdout()
        printed = _pump(consumer, stdout, ENCODERS[fmt], limit, follow, stop.is_set)
    committed = f"; committed the offsets of group {group!r}" if group and printed else ""
    info(f"consumed {printed} record(s) from {topic!r}{committed}")


def next_offsets(records: Sequence[Record]) -> dict[int, int]:
    """``{partition: offset after its last record}``: what a group commits for ``records``."""
    after: dict[int, int] = {}
    for record in records:
        partition, offset = record.partition, record.offset
        assert partition is not None, "records read from the log carry their partition"
        assert offset is not None, "records read from the log carry their offset"
        after[partition] = offset + 1
    return after


def _pump(
    consumer: Consumer,
    stdout: BinaryIO,
    encode: Encoder,
    limit: int | None,
    follow: bool,
    stopped: Callable[[], bool],
) -> int:
    """Poll, print, commit what was printed; return how many records were printed.

    Only records whose lines were flushed are committed: a broken pipe or a signal never
    commits past what reached stdout.
    """
    printed = 0
    pending: dict[int, int] = {}
    last_commit = time.monotonic()
    try:
        while not stopped() and (limit is None or printed < limit):
            want = POLL_RECORDS if limit is None else min(POLL_RECORDS, limit - printed)
            records = consumer.poll(want, timeout_ms=FOLLOW_POLL_MS if follow else 0)
            if not records:
                if follow:
                    continue
                break
            try:
                stdout.write(encode(records))
                stdout.flush()
            except BrokenPipeError:  # `| head`: the reader has had enough
                silence_stdout()
                break
            printed += len(records)
            if consumer.group is not None:
                pending.update(next_offsets(records))
                if time.monotonic() - last_commit >= COMMIT_INTERVAL_S:
                    consumer.commit(pending)
                    pending.clear()
                    last_commit = time.monotonic()
    finally:
        if pending:
            consumer.commit(pending)
    return printed
