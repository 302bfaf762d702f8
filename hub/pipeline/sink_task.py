"""A sink task: a consumer group member that writes batches and commits only after a flush.

Offsets are committed to the group (``<pipeline>.<sink>``) only after ``Sink.flush`` returned,
so every record is delivered at least once. A sink that stores its offsets with its data
(``exactly_once``) is resumed from ``committed_offsets()`` instead: exactly once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, cast

from hub.errors import FatalError, RecordError
from hub.log.recordbatch import RecordBatch, RecordColumns
from hub.pipeline.chain import TransformChain
from hub.pipeline.sink_batches import coalesce
from hub.pipeline.spec import SinkSpec
from hub.pipeline.status import State
from hub.pipeline.task import Task, TaskEnv
from hub.pipeline.value_schemas import unframe
from hub.sdk import Sink, SinkBatch, SinkContext
from hub.transforms.errors import RowsFailed

log = logging.getLogger(__name__)

TopicPartition = tuple[str, int]
FETCH_MAX_BYTES = 8 << 20  # per read: batches of a flush interval arrive in several reads
_OFFSET_COLUMN = "__hub_offset"


def assign(partitions: list[TopicPartition], task: int, tasks: int) -> list[TopicPartition]:
    """This task's share of the sink's partitions: every ``tasks``-th, in a stable order."""
    return sorted(partitions)[task::tasks]


@dataclass(frozen=True, slots=True)
class _Fetched:
    """One read of a partition: its batches from ``position`` (each decoded unless it is a
    control batch or wholly before ``position``), and the offset after the last."""

    tp: TopicPartition
    position: int
    end: int
    batches: list[tuple[RecordBatch, RecordColumns | None]]


@dataclass(frozen=True, slots=True)
class _Ahead:
    tp: TopicPartition
    position: int
    future: Future[_Fetched]


class SinkTask(Task):
    """One task of one sink connector; driven by one thread."""

    kind = "sink"

    def __init__(
        self,
        env: TaskEnv,
        spec: SinkSpec,
        task: int,
        sink: Sink,
        config: dict[str, Any],
        chain: TransformChain,
    ) -> None:
        super().__init__(env, spec, task, config, chain)
        self.spec: SinkSpec = spec
        self.sink = sink
        self.partitions: list[TopicPartition] = []
        self.positions: dict[TopicPartition, int] = {}
        self.targets: dict[TopicPartition, int] | None = None
        self._committed: dict[TopicPartition, int] = {}
        self._dead_written: set[TopicPartition] = set()
        self._pending_records = 0
        self._pending_bytes = 0
        self._pending_since: float | None = None
        self._next = 0
        self._opened = False
        self._reader: ThreadPoolExecutor | None = None
        self._ahead: _Ahead | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    def open(self) -> None:
        everything = [
            (topic, p) for topic in self.spec.topics for p in range(self.log.partitions(topic))
        ]
        self.partitions = assign(everything, self.task, self.spec.tasks)
        context = SinkContext(
            self.pipeline,
            self.spec.name,
            self.task,
            self.spec.tasks,
            self.spec.group,
            logging.getLogger(f"hub.connector.{self.spec.name}"),
            self._make_dead_letters_durable,
        )
        self._retry(lambda: self.sink.open(self.config, context), "open")
        self._opened = True
        own = self.sink.committed_offsets() if self.sink.exactly_once else None
        committed = self.store.committed_offsets(self.spec.group)
        for topic, partition in self.partitions:
            earliest = self.log.earliest_offset(topic, partition)
            latest = self.log.latest_offset(topic, partition)
            start = (own or {}).get((topic, partition), committed.get((topic, partition)))
            if start is None:
                start = earliest
            elif not earliest <= start <= latest:
                mine = own is not None and (topic, partition) in own
                self._warn_out_of_range(topic, partition, start, earliest, latest, mine)
                start = max(earliest, start)  # past the end: wait for the log to get there
            self.positions[topic, partition] = start
        self._committed = dict(self.positions)
        self._reader = ThreadPoolExecutor(1, thread_name_prefix=f"read-{self.status.name}")
        self.status.state = State.RUNNING

    def _warn_out_of_range(
        self, topic: str, partition: int, start: int, earliest: int, latest: int, own: bool
    ) -> None:
        where = f"{self.status.name}: {topic}-{partition}"
        if start < earliest:
            log.warning(
                "%s: offsets %d..%d were deleted (retention) before this sink read them; "
                "starting at %d, the earliest the log holds",
                where,
                start,
                earliest - 1,
                earliest,
            )
            return
        whose = "the offsets in its target resume" if own else f"group {self.spec.group!r} resumes"
        log.warning(
            "%s: %s at offset %d, past the log's end %d (a new data directory, or a log that "
            "lost its tail). The records below %d count as delivered: the sink waits for the "
            "log to reach it, so a source that replays what it produced is not written twice. "
            "To deliver the log from its start instead, reset %s",
            where,
            whose,
            start,
            latest,
            start,
            "the offsets in the sink's target" if own else "the group (hub groups reset)",
        )

    def close(self) -> None:
        if not self._opened:
            return
        try:
            if self.status.state is not State.FAILED:
                self.flush()
        finally:
            self._opened = False
            if self._reader is not None:
                self._reader.shutdown(cancel_futures=True)
                self._reader, self._ahead = None, None
            self.sink.close()

    # -- the work ------------------------------------------------------------------------------
    def run_once(self) -> bool:
        """Read each partition once and write what came; return whether anything did.

        The next read (from the log, decoded) runs on a helper thread while this one is
        written: decoding is array work that releases the GIL, writing mostly waits on I/O.
        """
        progressed = False
        count = len(self.partitions)
        rotated = [self.partitions[(self._next + step) % count] for step in range(count)]
        due = [t for t in rotated if self.targets is None or self.positions[t] < self.targets[t]]
        for i, tp in enumerate(due):
            fetched = self._prefetched(tp) or self._fetch(tp, self.positions[tp])
            following = due[(i + 1) % len(due)]
            self._prefetch(following, fetched.end if following == tp else self.positions[following])
            if self._write_fetched(fetched):
                progressed = True
        self._next = (self._next + 1) % max(count, 1)
        self._update_lag()
        self.maybe_flush()
        return progressed

    def idle_wait(self, backoff_s: float) -> float:
        """How long an idle task may wait: its back-off, cut short where its pending records'
        linger ends (they are flushed then, not when the next records come)."""
        if self._pending_since is None:
            return backoff_s
        linger_end = self._pending_since + self.spec.batch.linger_ms / 1000
        return max(0.0, min(backoff_s, linger_end - time.monotonic()))

    def wait_for_records(self, timeout_s: float) -> bool:
        """Long-poll: wait up to ``timeout_s`` for records past this task's one partition;
        ``False`` at once when the task reads several (the caller backs off instead)."""
        if len(self.partitions) != 1 or self.targets is not None:
            return False
        [(topic, partition)] = self.partitions
        position, timeout_ms = self.positions[topic, partition], max(1, int(timeout_s * 1000))
        self.log.wait(topic, partition, position, timeout_ms)
        return True

    @property
    def drained(self) -> bool:
        """With drain targets set (``--once``): every partition has reached its target."""
        return self.targets is not None and all(
            self.positions[tp] >= self.targets[tp] for tp in self.partitions
        )

    def drain_to_log_end(self) -> None:
        """``--once``: stop at the log ends seen now (called once every source is done)."""
        self.targets = {tp: self.log.latest_offset(*tp) for tp in self.partitions}

    def _fetch(self, tp: TopicPartition, position: int) -> _Fetched:
        """The log's batches of ``tp`` from ``position`` on, decoded (on any thread)."""
        topic, partition = tp
        if position > self.log.latest_offset(topic, partition):  # resumed past the log's end
            return _Fetched(tp, position, position, [])
        fetch_bytes = min(self.spec.batch.max_bytes, FETCH_MAX_BYTES)
        batches = self.log.fetch(topic, partition, position, max_bytes=fetch_bytes)
        decoded = [
            (batch, None if batch.is_control or batch.last_offset < position else batch.columns())
            for batch in batches
        ]
        end = batches[-1].next_offset if batches else position
        return _Fetched(tp, position, end, decoded)

    def _prefetch(self, tp: TopicPartition, position: int) -> None:
        if self._reader is not None and self._ahead is None:
            self._ahead = _Ahead(tp, position, self._reader.submit(self._fetch, tp, position))

    def _prefetched(self, tp: TopicPartition) -> _Fetched | None:
        """The read made ahead, if it is the one due now and found something; else None
        (it is dropped: a read that found nothing is made again, fresh)."""
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            return None
        if ahead.tp != tp or ahead.position != self.positions[tp]:
            ahead.future.exception()  # wait for it; what it read or raised is not wanted
            return None
        fetched = ahead.future.result()
        return fetched if fetched.end > fetched.position else None

    def _write_fetched(self, fetched: _Fetched) -> bool:
        if fetched.end == fetched.position:
            return False
        topic, partition = fetched.tp
        runs: list[SinkBatch] = []
        for batch, columns in fetched.batches:
            if columns is not None:
                runs += self._sink_batches(topic, partition, columns, fetched.position)
                self._pending_bytes += batch.size
        for sink_batch in coalesce(runs, self.spec.batch.max_records):
            self._write(sink_batch)
            self.status.add(records=len(sink_batch))
        self.positions[fetched.tp] = fetched.end
        if self._pending_since is None:
            self._pending_since = time.monotonic()
        return True

    def _sink_batches(
        self, topic: str, partition: int, c: RecordColumns, position: int
    ) -> list[SinkBatch]:
        """A log batch from ``position`` on, as sink batches: one per schema, transformed."""
        skip = next((i for i, offset in enumerate(c.offsets) if offset >= position), 0)
        if skip:
            c.offsets, c.timestamps = c.offsets[skip:], c.timestamps[skip:]
            c.keys, c.values, c.headers = c.keys[skip:], c.values[skip:], c.headers[skip:]
        self._pending_records += len(c.offsets)
        sink_batch = SinkBatch(
            topic, partition, c.offsets, c.timestamps, c.keys, c.values, c.headers
        )
        runs = [sink_batch] if self.registry is None else unframe(sink_batch, self.registry)
        if not self.chain:
            return runs
        return [t for t in map(self._transformed, runs) if t is not None]

    def _transformed(self, batch: SinkBatch) -> SinkBatch | None:
        """Apply the sink's transforms; tombstones pass through untouched."""
        import pyarrow as pa

        from hub.arrow import json_values_to_table, table_to_json_values

        rows = [i for i, value in enumerate(batch.values) if value is not None]
        try:
            table = json_values_to_table([cast(bytes, batch.values[i]) for i in rows])
        except RowsFailed as exc:  # values that are not JSON objects
            bad = [rows[i] for i in exc.rows]
            offsets, values = [batch.offsets[i] for i in bad], [batch.values[i] for i in bad]
            self._dead_letter(batch, offsets, values, "convert", exc)
            rows = [i for i in rows if i not in set(bad)]
            table = json_values_to_table([cast(bytes, batch.values[i]) for i in rows])
        table = table.append_column(_OFFSET_COLUMN, pa.array(rows, pa.int64()))
        table, failures = self.chain.apply(table)
        for failure in failures:
            offset = batch.offsets[rows[failure.row]]
            self._dead_letter(batch, [offset], [failure.value], "transform", failure.error)
        kept = table.column(_OFFSET_COLUMN).to_pylist()
        encoded = table_to_json_values(table.drop_columns([_OFFSET_COLUMN]))
        by_row = dict(zip(kept, encoded, strict=True))
        order = sorted(set(kept) | {i for i, v in enumerate(batch.values) if v is None})
        if not order:
            return None
        return SinkBatch(
            batch.topic,
            batch.partition,
            [batch.offsets[i] for i in order],
            [batch.timestamps[i] for i in order],
            [batch.keys[i] for i in order],
            [by_row.get(i) for i in order],
            [batch.headers[i] for i in order],
            batch.schema,
        )

    def _write(self, batch: SinkBatch) -> None:
        """Write; a ``RecordError`` is narrowed down by halves to the records that cause it."""
        try:
            self._retry(lambda: self.sink.write(batch), "write")
        except RecordError as exc:
            if len(batch) == 1:
                self._dead_letter(batch, list(batch.offsets), list(batch.values), "write", exc)
                return
            middle = len(batch) // 2
            self._write(batch.slice(0, middle))
            self._write(batch.slice(middle, len(batch)))

    def maybe_flush(self) -> None:
        policy = self.spec.batch
        due = (
            self._pending_records >= policy.max_records
            or self._pending_bytes >= policy.max_bytes
            or (
                self._pending_since is not None
                and time.monotonic() - self._pending_since >= policy.linger_ms / 1000
            )
        )
        if due or self.drained:
            self.flush()

    def flush(self) -> None:
        """Flush the sink, then commit the group's offsets: never the other way round."""
        if self.positions == self._committed and not self._pending_records:
            return
        self._make_dead_letters_durable()  # before any offset (the sink's own too) passes them
        self._retry(self.sink.flush, "flush")
        changed = {tp: o for tp, o in self.positions.items() if self._committed.get(tp) != o}
        if changed:
            self.store.commit_offsets(self.spec.group, changed)
            self._committed.update(changed)
        self._pending_records = self._pending_bytes = 0
        self._pending_since = None

    def _make_dead_letters_durable(self) -> None:
        if self._dead_written:
            self.log.flush(sorted(self._dead_written))
            self._dead_written.clear()

    def _update_lag(self) -> None:
        self.status.lag = sum(
            max(0, self.log.latest_offset(topic, partition) - self.positions[topic, partition])
            for topic, partition in self.partitions
        )

    # -- errors --------------------------------------------------------------------------------
    def _dead_letter(
        self,
        batch: SinkBatch,
        offsets: Sequence[int],
        values: list[bytes | None],
        stage: str,
        error: Any,
    ) -> None:
        if self.dead_letters is None:
            raise FatalError(
                f"sink {self.spec.name!r}: a record of {batch.topic}-{batch.partition} failed at "
                f"{stage}: {error}; set errors: {{tolerance: all, dead_letter_topic: ...}} to "
                "route failed records to a dead-letter topic instead of stopping"
            )
        positions = [
            {"topic": batch.topic, "partition": batch.partition, "offset": offset}
            for offset in offsets
        ]
        self._dead_written |= self.dead_letters.send(
            values, stage=stage, error=error, positions=positions
        )
        self.status.add(dead_lettered=len(values))
