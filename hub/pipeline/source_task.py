"""A source task: poll, transform, append to the log, and checkpoint once durable.

Exactly-once from a source into the log works like Kafka's idempotent producer, in the log's own
format: every batch a task appends carries the task's producer id and a sequence number in its
RecordBatch header, and its first record carries a ``hub.source`` header with the source
offsets the batch reached and how many partitions it was split into. The checkpoint (source
offsets, last sequence, and where each partition's log ended) is written to the store after the
appended batches are fsynced. On restart, the task scans the log past those ends for its own
later batches: complete ones move the offsets forward without appending anything again; a batch
cut short between partitions (a crash in the middle of one source batch) is replayed from the
source, skipping the portions that landed. One fsync per checkpoint, no duplicates, no gaps.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, cast

import orjson

from hub.arrow.value_array import ValueArray
from hub.errors import FatalError, LogError
from hub.log.partitioner import partition_for_key
from hub.pipeline.chain import TransformChain
from hub.pipeline.spec import SourceSpec
from hub.pipeline.status import State
from hub.pipeline.task import T, Task, TaskEnv
from hub.pipeline.value_schemas import SourceSchemas, frame
from hub.record import Headers
from hub.sdk import Source, SourceBatch, SourceContext

log = logging.getLogger(__name__)

CHECKPOINT_INTERVAL_S = 1.0
MARKER = "hub.source"  # header of each portion's first record: portions and offsets reached
_SEQUENCE_SPACE = 1 << 31  # baseSequence is an int32


def producer_id(pipeline: str, connector: str, task: int) -> int:
    """A stable, positive int64 naming one source task in batch headers."""
    digest = hashlib.blake2b(f"{pipeline}\0{connector}\0{task}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


class SourceTask(Task):
    """One task of one source connector; driven by one thread at a time."""

    kind = "source"

    def __init__(
        self,
        env: TaskEnv,
        spec: SourceSpec,
        task: int,
        source: Source,
        config: dict[str, Any],
        chain: TransformChain,
    ) -> None:
        super().__init__(env, spec, task, config, chain)
        self.spec: SourceSpec = spec
        self.source = source
        self.producer_id = producer_id(env.pipeline, spec.name, task)
        self._offsets: dict[str, Any] = {}
        self._sequence = 0  # the last sequence appended
        self._checkpointed = 0  # the last sequence checkpointed
        # The last checkpoint as stored; its log ends ("topic/partition" -> offset) cover every
        # partition this task has appended to, so a restart knows where to look for its batches.
        self._saved: dict[str, Any] = {"sequence": 0, "offsets": {}, "log_ends": {}}
        self._landed: dict[int, set[tuple[str, int]]] = {}  # a batch cut short, to finish
        self._offsets_after: dict[int, dict[str, Any]] = {}
        self._touched: set[tuple[str, int]] = set()
        self._last_checkpoint = time.monotonic()
        self._opened = False
        self._connector: ThreadPoolExecutor | None = None
        self._append_failed = False
        self._converter: ThreadPoolExecutor | None = None
        self._next: Future[tuple[_Prepared | None, Future[SourceBatch | None] | None]] | None = None
        self.schemas = (
            SourceSchemas(env.registry, env.schemas, f"source {spec.name!r}")
            if env.registry is not None
            else None
        )

    # -- lifecycle -----------------------------------------------------------------------------
    def open(self) -> None:
        checkpoints = self.store.load_checkpoints(self.pipeline, self.spec.name)
        offsets: dict[str, Any] = {}
        for doc in checkpoints.values():  # every task's: the task count may have changed
            offsets.update(doc.get("offsets", {}))
        own = checkpoints.get(self.task)
        if own is not None:
            self._saved = own
            self._sequence = self._checkpointed = own["sequence"]
            self._recover_from_log()
            offsets.update(self._saved["offsets"])
        self._offsets = offsets
        context = SourceContext(
            self.pipeline,
            self.spec.name,
            self.task,
            self.spec.tasks,
            dict(offsets),
            logging.getLogger(f"hub.connector.{self.spec.name}"),
        )
        self._connector = ThreadPoolExecutor(1, thread_name_prefix=f"source-{self.status.name}")
        self._converter = ThreadPoolExecutor(1, thread_name_prefix=f"convert-{self.status.name}")
        self._on_connector(
            lambda: self._retry(lambda: self.source.open(self.config, context), "open")
        )
        self._opened = True
        self.status.state = State.RUNNING
        if self._landed:
            log.info(
                "%s: batch %s landed in only some partitions before the task stopped; "
                "replaying it from the source without appending those portions again",
                self.status.name,
                next(iter(self._landed)),
            )

    def _recover_from_log(self) -> None:
        """Take up batches that landed after the checkpoint (see the module docstring)."""
        landed = self._find_landed()
        for sequence in sorted(landed):
            partitions, portions, offsets = landed[sequence]
            if len(partitions) < portions:  # only the last batch can be cut short
                self._landed = {sequence: partitions}
                break
            self._offsets_after[sequence] = offsets
        for sequence in sorted(self._offsets_after):
            self._saved["offsets"].update(self._offsets_after.pop(sequence))
            self._sequence = sequence
        if self._sequence != self._checkpointed:
            log.info(
                "%s: batches %d..%d had landed in the log after the last checkpoint; "
                "continuing after them",
                self.status.name,
                self._checkpointed + 1,
                self._sequence,
            )

    def _find_landed(self) -> dict[int, tuple[set[tuple[str, int]], int, dict[str, Any]]]:
        """Our batches past the checkpoint: sequence -> (partitions, portions, source offsets)."""
        landed: dict[int, tuple[set[tuple[str, int]], int, dict[str, Any]]] = {}
        for name, start in self._saved["log_ends"].items():
            topic, _, number = name.rpartition("/")
            partition = int(number)
            try:
                end = self.log.latest_offset(topic, partition)
            except LogError:  # the topic is gone
                continue
            position = max(start, self.log.earliest_offset(topic, partition))  # retention
            while position < end:
                batches = self.log.fetch(topic, partition, position, max_bytes=1 << 20)
                if not batches:
                    break
                for batch in batches:
                    position = batch.next_offset
                    if batch.producer_id != self.producer_id:
                        continue
                    marker = dict(batch.columns().headers[0]).get(MARKER)
                    if marker is None:
                        continue
                    info = orjson.loads(marker)
                    sequence = self._unwrap(batch.base_sequence)
                    if sequence > self._checkpointed:
                        entry = landed.setdefault(
                            sequence, (set(), info["portions"], info["offsets"])
                        )
                        entry[0].add((topic, partition))
        return landed

    def _unwrap(self, stored: int) -> int:
        """A stored int32 sequence back to the running sequence near the checkpoint's."""
        base = self._checkpointed - self._checkpointed % _SEQUENCE_SPACE
        candidate = base + stored
        return candidate + _SEQUENCE_SPACE if candidate < self._checkpointed - 1000 else candidate

    def close(self) -> None:
        try:
            if self._opened:
                self._discard_prefetch()
                if not self._append_failed:
                    self.checkpoint()
        finally:
            try:
                if self._opened:
                    self._opened = False
                    self._on_connector(self.source.close)
            finally:
                if self._connector is not None:
                    self._connector.shutdown()
                if self._converter is not None:
                    self._converter.shutdown()

    def _on_connector(self, action: Callable[[], T]) -> T:
        """Run ``action`` on the connector's own thread: a source lives on one thread."""
        assert self._connector is not None
        return self._connector.submit(action).result()

    def _discard_prefetch(self) -> None:
        """Wait for the batches polled and converted ahead and drop them: the checkpoint does
        not cover them."""
        if self._next is not None:
            if self._next.exception() is None:
                _, polled = self._next.result()
                if polled is not None:
                    polled.exception()
            self._next = None

    # -- the work ------------------------------------------------------------------------------
    def poll_once(self) -> bool:
        """One poll, appended; return False when the source is caught up.

        Three batches are in hand at once: while one is appended here, the next is converted
        (transforms, JSON, schemas) on a converter thread and the one after is polled on the
        connector's. Arrow, file and database reads release the GIL, so the three overlap. A
        poll is made ahead only after one that found records, never after the source caught up.
        """
        assert self._connector is not None
        assert self._converter is not None
        if self._next is None:
            first = self._connector.submit(self._poll)
            self._next = self._converter.submit(self._convert_polled, first)
        prepared, polled = self._next.result()
        self._next = None
        if prepared is None:
            self.checkpoint()
            return False
        self._next = self._converter.submit(self._convert_polled, polled)
        self._append_prepared(prepared)
        if time.monotonic() - self._last_checkpoint >= CHECKPOINT_INTERVAL_S:
            self.checkpoint()
        return True

    def _poll(self) -> SourceBatch | None:
        """One poll (on the connector's thread)."""
        return self._retry(self.source.poll, "poll")

    def _convert_polled(
        self, polled: Future[SourceBatch | None] | None
    ) -> tuple[_Prepared | None, Future[SourceBatch | None] | None]:
        """The polled batch made ready for the log, and the poll after it, started before the
        conversion when this one found records (on the converter thread)."""
        assert polled is not None
        assert self._connector is not None
        batch = polled.result()
        if batch is None:
            return None, None
        following = self._connector.submit(self._poll)
        return self._convert(batch), following

    def _process(self, batch: SourceBatch) -> None:
        """Convert and append one batch, on the calling thread (tests drive this directly)."""
        self._append_prepared(self._convert(batch))

    def _convert(self, batch: SourceBatch) -> _Prepared:
        from hub.arrow import (
            keys_from_column,
            split_reserved,
            table_to_json_array,
            table_to_json_values,
            to_table,
        )

        dead = _DeadPortion()
        if batch.failed:
            self._dead_letter(
                dead,
                [f.raw for f in batch.failed],
                "poll",
                [f.error for f in batch.failed],
                [dict(f.position) for f in batch.failed],
            )
        table = to_table(batch.records)
        table, failures = self.chain.apply(table)
        if failures:
            self._dead_letter(
                dead, [f.value for f in failures], "transform", [f.error for f in failures], None
            )
        table, keys, topics = split_reserved(table, default_topic=self.spec.topic)
        prefixes: dict[str, bytes] = {}
        if self.schemas:
            checked = self.schemas.check(table, topics, self.spec.topic, batch.schema)
            if checked.rejected:
                rows = sorted(checked.rejected)
                rejected = table_to_json_values(table.take(rows))
                errors = [checked.rejected[row] for row in rows]
                self._dead_letter(dead, rejected, "validate", errors, None)
                table, keys, topics = _without_rows(table, keys, topics, set(rows))
            prefixes = checked.prefixes
        if keys is None and self.spec.key:
            keys = keys_from_column(table, self.spec.key)
        texts = cast("Sequence[bytes]", table_to_json_array(table))  # no nulls: one per row
        values = frame(texts, topics, self.spec.topic, prefixes)
        return _Prepared(values, keys, topics, batch.offsets, dead)

    def _append_prepared(self, prepared: _Prepared) -> None:
        self._sequence += 1
        try:
            appended = self._append(
                prepared.values, prepared.keys, prepared.topics, prepared.offsets, prepared.dead
            )
        except BaseException:
            # Part of the batch may have landed: never checkpoint past it, so that a restart
            # finds those portions and finishes the batch instead of appending it again.
            self._append_failed = True
            raise
        self._offsets.update(prepared.offsets)
        self.status.add(records=appended, dead_lettered=len(prepared.dead.values))

    def _append(
        self,
        values: Sequence[bytes],
        keys: list[bytes | None] | None,
        topics: list[str] | None,
        offsets: Any,
        dead: _DeadPortion,
    ) -> int:
        """Append one source batch, portion by portion, skipping portions that already landed.

        Dead letters are one more portion of the batch, so they too land exactly once.
        """
        sequence = self._sequence
        landed = self._landed.pop(sequence, set())
        portions = self._portions(values, keys, topics)
        dead_target = self._dead_target() if dead.values else None
        count = len(portions) + (dead_target is not None)
        marker = (MARKER, orjson.dumps({"portions": count, "offsets": offsets}))
        if dead_target is not None:
            self._append_portion(dead_target, dead.values, None, dead.headers, marker, landed)
        appended = 0
        for (topic, partition), rows in portions.items():
            portion = values if rows is None else _take(values, rows)
            portion_keys = keys if rows is None or keys is None else [keys[i] for i in rows]
            self._append_portion((topic, partition), portion, portion_keys, None, marker, landed)
            appended += len(portion)
        if landed:
            log.error(
                "%s: replayed batch %d no longer goes to %s as it did before the restart: the "
                "source did not replay the same records; some may be duplicated",
                self.status.name,
                sequence,
                sorted(landed),
            )
        return appended

    def _append_portion(
        self,
        target: tuple[str, int],
        values: Sequence[bytes],
        keys: list[bytes | None] | None,
        headers: list[Headers] | None,
        marker: tuple[str, bytes],
        landed: set[tuple[str, int]],
    ) -> None:
        """One portion: a batch stamped with our producer id and sequence, marker in front."""
        topic, partition = target
        self._remember(topic, partition)
        self._touched.add(target)
        if target in landed:
            landed.discard(target)
            return
        stamped: list[Headers] = [()] * len(values) if headers is None else list(headers)
        stamped[0] = (*stamped[0], marker)
        self.log.append_batch(
            topic,
            partition,
            values,
            keys=keys,
            headers=stamped,
            producer_id=self.producer_id,
            base_sequence=self._sequence % _SEQUENCE_SPACE,
        )

    def _dead_target(self) -> tuple[str, int]:
        """Where this batch's dead letters go: a partition of the dead-letter topic."""
        assert self.dead_letters is not None
        topic = self.dead_letters.topic
        return topic, (self._sequence + self.task) % self.log.partitions(topic)

    def _portions(
        self,
        values: Sequence[bytes],
        keys: list[bytes | None] | None,
        topics: list[str] | None,
    ) -> dict[tuple[str, int], list[int] | None]:
        """Rows of each (topic, partition); ``None`` means every row. Deterministic on replay."""
        if not values:
            return {}
        if topics is None:
            topic = self.spec.topic
            partitions = self.log.partitions(topic)
            if keys is None or partitions == 1:  # one portion: no key needs hashing
                return {(topic, (self._sequence + self.task) % partitions): None}
        portions: dict[tuple[str, int], list[int]] = defaultdict(list)
        counts: dict[str, int] = {}
        sticky = self._sequence + self.task
        for i in range(len(values)):
            topic = topics[i] if topics is not None else self.spec.topic
            count = counts.get(topic)
            if count is None:
                self.log.create_topic(topic, exist_ok=True)
                count = counts[topic] = self.log.partitions(topic)
            key = keys[i] if keys is not None else None
            partition = sticky % count if key is None else partition_for_key(key, count)
            portions[topic, partition].append(i)
        return dict(portions)

    def _remember(self, topic: str, partition: int) -> None:
        """Before the first append to a partition, store where it ends: restarts scan from there."""
        name = f"{topic}/{partition}"
        if name not in self._saved["log_ends"]:
            self._saved["log_ends"][name] = self.log.latest_offset(topic, partition)
            self.store.save_checkpoint(self.pipeline, self.spec.name, self.task, self._saved)

    def checkpoint(self) -> None:
        """fsync what this task appended, then record where the source is."""
        if self._sequence == self._checkpointed and not self._touched:
            return
        self.log.flush(sorted(self._touched))
        self._touched.clear()
        log_ends = {
            name: self.log.latest_offset(topic, int(number))
            for name in self._saved["log_ends"]
            for topic, _, number in [name.rpartition("/")]
        }
        document = {
            "sequence": self._sequence,
            "offsets": dict(self._offsets),
            "log_ends": log_ends,
        }
        self.store.save_checkpoint(self.pipeline, self.spec.name, self.task, document)
        self._saved = document
        self._checkpointed = self._sequence
        self._last_checkpoint = time.monotonic()

    # -- errors --------------------------------------------------------------------------------
    def _dead_letter(
        self,
        dead: _DeadPortion,
        values: list[bytes],
        stage: str,
        errors: list[str],
        positions: list[dict[str, Any]] | None,
    ) -> None:
        if self.dead_letters is None:
            raise FatalError(
                f"source {self.spec.name!r}: {len(values)} record(s) failed at {stage}, first: "
                f"{errors[0]}; set errors: {{tolerance: all, dead_letter_topic: ...}} to route "
                "failed records to a dead-letter topic instead of stopping"
            )
        for i, value in enumerate(values):
            dead.values.append(value)
            dead.headers += self.dead_letters.headers(
                1, stage=stage, error=errors[i], positions=[positions[i]] if positions else None
            )


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A polled batch made ready for the log: JSON values, keys, topics, offsets, dead letters."""

    values: Sequence[bytes]  # a ValueArray: the JSON texts stay in Arrow
    keys: list[bytes | None] | None
    topics: list[str] | None
    offsets: Any
    dead: _DeadPortion


@dataclass(slots=True)
class _DeadPortion:
    """The dead letters of one source batch, appended with it."""

    values: list[bytes] = field(default_factory=list)
    headers: list[Headers] = field(default_factory=list)


def _take(values: Sequence[bytes], rows: list[int]) -> Sequence[bytes]:
    if isinstance(values, ValueArray):
        return cast("Sequence[bytes]", values.take(rows))
    return [values[i] for i in rows]


def _without_rows(
    table: Any, keys: list[bytes | None] | None, topics: list[str] | None, rows: set[int]
) -> tuple[Any, list[bytes | None] | None, list[str] | None]:
    """The batch minus ``rows`` (rejected by its schema): table, keys and topics in step."""
    import pyarrow as pa

    kept = [i for i in range(table.num_rows) if i not in rows]
    return (
        table.take(pa.array(kept, pa.int64())),
        None if keys is None else [keys[i] for i in kept],
        None if topics is None else [topics[i] for i in kept],
    )
