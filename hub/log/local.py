"""``LocalLog``: the embedded log backend, on local files in Kafka's layout.

::

    DATA_DIR/.lock                             the writer's pid, flock'ed
    DATA_DIR/recovery-point-offset-checkpoint  fsynced offsets per partition
    DATA_DIR/meta/topics/<topic>.json          topic configuration
    DATA_DIR/topics/<topic>-<partition>/       segments: <base offset>.log/.index/.timeindex

One process writes a data directory; any number of others may open it ``read_only`` and read
alongside, seeing appends as they land.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from hub.errors import ConfigError, LogError, TopicExistsError, TopicNotFoundError
from hub.log.base import Log, PartitionInfo, TopicDescription
from hub.log.checkpoint import read_checkpoint, write_checkpoint
from hub.log.config import TopicConfig
from hub.log.lock import DirectoryLock
from hub.log.partition import Partition
from hub.log.partitioner import StickyPartitioner, partition_for_key
from hub.log.recordbatch import EncodedBatch, RecordBatch, encode_batch_parts
from hub.record import Headers, Record

log = logging.getLogger(__name__)

_TOPIC_NAME = re.compile(r"^[A-Za-z0-9._-]{1,249}$")
_CHECKPOINT = "recovery-point-offset-checkpoint"
_RETENTION_CHECK_MS = 300_000


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def validate_topic_name(name: str) -> None:
    """Kafka's rule: 1-249 characters of ``[A-Za-z0-9._-]``, not ``.`` or ``..``."""
    if not _TOPIC_NAME.match(name) or name in (".", ".."):
        raise ConfigError(
            f"invalid topic name {name!r}: use 1 to 249 letters, digits, '.', '_' or '-'"
        )


@dataclass(slots=True)
class _Topic:
    name: str
    config: TopicConfig
    partitions: list[Partition]


class LocalLog(Log):
    """The embedded log. See ``Log`` for the contract.

    ``read_only`` opens a directory another process writes (no lock, no recovery, no writes).
    """

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        *,
        read_only: bool = False,
        auto_create_topics: bool = True,
        default_config: TopicConfig | None = None,
        retention_check_ms: int = _RETENTION_CHECK_MS,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.read_only = read_only
        self.auto_create_topics = auto_create_topics and not read_only
        self.default_config = default_config or TopicConfig()
        self._topics: dict[str, _Topic] = {}
        self._topics_lock = threading.RLock()
        self._checkpoint_lock = threading.Lock()
        self._partitioner = StickyPartitioner()
        self._lock: DirectoryLock | None = None
        self._closed = threading.Event()
        self._dirty: dict[Partition, float] = {}
        self._dirty_changed = threading.Condition()
        self._threads: list[threading.Thread] = []
        if read_only:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = DirectoryLock(self.data_dir / ".lock").acquire()
        try:
            self._recover()
        except BaseException:
            self._lock.release()
            raise
        self._start_thread("hub-log-flusher", self._flush_loop)
        self._start_thread("hub-log-retention", self._retention_loop, retention_check_ms)

    # -- paths and metadata --------------------------------------------------------------------
    def _meta_path(self, name: str) -> Path:
        return self.data_dir / "meta" / "topics" / f"{name}.json"

    def _partition_dir(self, name: str, number: int) -> Path:
        return self.data_dir / "topics" / f"{name}-{number}"

    def _read_meta(self, name: str) -> TopicConfig | None:
        try:
            meta = json.loads(self._meta_path(name).read_text())
        except FileNotFoundError:
            return None
        return TopicConfig.from_mapping(meta["config"], where=f"topic {name!r}")

    def _recover(self) -> None:
        meta_dir = self.data_dir / "meta" / "topics"
        names = sorted(p.stem for p in meta_dir.glob("*.json")) if meta_dir.exists() else []
        checkpoint = read_checkpoint(self.data_dir / _CHECKPOINT)
        topics_dir = self.data_dir / "topics"
        for leftover in topics_dir.glob("*.deleting") if topics_dir.exists() else ():
            shutil.rmtree(leftover, ignore_errors=True)
        for name in names:
            self._topics[name] = self._open_topic(name, checkpoint)
        for topic in self._topics.values():
            for partition in topic.partitions:
                partition.flush()
        self._write_checkpoint()

    def _open_topic(
        self, name: str, checkpoint: dict[tuple[str, int], int] | None = None
    ) -> _Topic:
        config = self._read_meta(name)
        if config is None:
            raise TopicNotFoundError(self._not_found(name))
        partitions = [
            Partition.open(
                self._partition_dir(name, number),
                name,
                number,
                config,
                writable=not self.read_only,
                recovery_point=None if checkpoint is None else checkpoint.get((name, number)),
            )
            for number in range(config.partitions)
        ]
        return _Topic(name, config, partitions)

    def _not_found(self, name: str) -> str:
        known = ", ".join(self.list_topics()) or "none"
        return (
            f"topic {name!r} does not exist in {self.data_dir} (topics: {known}); create it first"
        )

    def _topic(self, name: str) -> _Topic:
        topic = self._topics.get(name)
        if topic is not None:
            return topic
        if self.read_only:  # another process may have created it since
            validate_topic_name(name)
            with self._topics_lock:
                if name not in self._topics and self._meta_path(name).exists():
                    self._topics[name] = self._open_topic(name)
                if name in self._topics:
                    return self._topics[name]
        raise TopicNotFoundError(self._not_found(name))

    def _partition(self, topic: str, number: int) -> Partition:
        partitions = self._topic(topic).partitions
        if not 0 <= number < len(partitions):
            raise LogError(
                f"topic {topic!r} has no partition {number}: it has {len(partitions)} "
                f"(0..{len(partitions) - 1})"
            )
        return partitions[number]

    def _writable(self) -> None:
        if self.read_only:
            raise LogError(
                f"this view of {self.data_dir} is read-only; writes go through the process "
                "that holds its lock"
            )
        if self._closed.is_set():
            raise LogError(f"the log in {self.data_dir} is closed")

    # -- topics --------------------------------------------------------------------------------
    def create_topic(
        self, name: str, config: TopicConfig | None = None, *, exist_ok: bool = False
    ) -> TopicConfig:
        self._writable()
        validate_topic_name(name)
        config = config or self.default_config
        with self._topics_lock:
            if name in self._topics:
                if exist_ok:
                    return self._topics[name].config
                raise TopicExistsError(f"topic {name!r} already exists in {self.data_dir}")
            for number in range(config.partitions):
                leftover = self._partition_dir(name, number)
                if leftover.exists():  # a deletion of an earlier topic of this name was cut short
                    shutil.rmtree(leftover)
            meta = self._meta_path(name)
            meta.parent.mkdir(parents=True, exist_ok=True)
            tmp = meta.with_suffix(".tmp")
            tmp.write_text(json.dumps({"name": name, "config": config.to_mapping()}, indent=2))
            os.replace(tmp, meta)
            self._topics[name] = self._open_topic(name)
            log.info("created topic %s with %d partition(s)", name, config.partitions)
            return config

    def delete_topic(self, name: str) -> None:
        self._writable()
        with self._topics_lock:
            topic = self._topic(name)
            for partition in topic.partitions:
                with self._dirty_changed:
                    self._dirty.pop(partition, None)
                partition.close()
            del self._topics[name]
            self._meta_path(name).unlink()
            for partition in topic.partitions:
                doomed = partition.directory.with_name(partition.directory.name + ".deleting")
                os.replace(partition.directory, doomed)
                shutil.rmtree(doomed)
            self._write_checkpoint()
            log.info("deleted topic %s", name)

    def list_topics(self) -> list[str]:
        if self.read_only:
            meta_dir = self.data_dir / "meta" / "topics"
            return sorted(p.stem for p in meta_dir.glob("*.json")) if meta_dir.exists() else []
        return sorted(self._topics)

    def topic_config(self, name: str) -> TopicConfig:
        return self._topic(name).config

    def describe_topic(self, name: str) -> TopicDescription:
        topic = self._topic(name)
        infos = []
        for p in topic.partitions:
            if self.read_only:
                p.refresh()
            infos.append(
                PartitionInfo(p.number, p.earliest, p.log_end, p.size_bytes, len(p.segments))
            )
        return TopicDescription(name, topic.config, tuple(infos))

    # -- writing -------------------------------------------------------------------------------
    def _topic_for_append(self, name: str) -> _Topic:
        self._writable()
        topic = self._topics.get(name)
        if topic is None:
            if not self.auto_create_topics:
                raise TopicNotFoundError(self._not_found(name))
            self.create_topic(name, exist_ok=True)
            topic = self._topics[name]
        return topic

    def append(self, topic: str, records: Sequence[Record]) -> list[tuple[int, int]]:
        if not records:
            return []
        target = self._topic_for_append(topic)
        count = target.config.partitions
        sticky = self._partitioner.next_partition(count)
        chosen: dict[int, list[int]] = {}
        for i, record in enumerate(records):
            if record.partition is not None:
                number = record.partition
            elif (key := _as_bytes(record.key)) is not None:
                number = partition_for_key(key, count)
            else:
                number = sticky
            chosen.setdefault(number, []).append(i)
        now = _now_ms()
        # Check partitions and encode every batch before writing any: a bad partition or value
        # fails the whole call instead of leaving half of it appended.
        pending: list[tuple[Partition, EncodedBatch]] = []
        for number, indices in chosen.items():
            partition = self._partition(topic, number)
            batch = [records[i] for i in indices]
            headers = [r.headers for r in batch]
            encoded = encode_batch_parts(
                0,
                [_as_bytes(r.value) for r in batch],
                keys=[_as_bytes(r.key) for r in batch],
                headers=headers if any(headers) else None,
                timestamps=[now if r.timestamp is None else r.timestamp for r in batch],
            )
            pending.append((partition, encoded))
        result: list[tuple[int, int]] = [(0, 0)] * len(records)
        for (partition, encoded), (number, indices) in zip(pending, chosen.items(), strict=True):
            base = self._append_encoded(partition, encoded)
            for delta, i in enumerate(indices):
                result[i] = (number, base + delta)
        return result

    def append_batch(
        self,
        topic: str,
        partition: int,
        values: Sequence[bytes | None],
        *,
        keys: Sequence[bytes | None] | None = None,
        headers: Sequence[Headers] | None = None,
        timestamp: int | None = None,
        producer_id: int = -1,
        base_sequence: int = -1,
    ) -> int:
        self._topic_for_append(topic)
        target = self._partition(topic, partition)
        if not values:
            return target.log_end
        encoded = encode_batch_parts(
            0,
            values,
            keys=keys,
            headers=headers,
            timestamp=_now_ms() if timestamp is None else timestamp,
            producer_id=producer_id,
            producer_epoch=-1 if producer_id == -1 else 0,
            base_sequence=base_sequence,
        )
        return self._append_encoded(target, encoded)

    def _append_encoded(self, partition: Partition, encoded: EncodedBatch) -> int:
        base = partition.append(encoded)
        flush_ms = partition.config.flush_ms
        if flush_ms:
            with self._dirty_changed:
                if partition not in self._dirty:
                    self._dirty[partition] = time.monotonic() + flush_ms / 1000
                    self._dirty_changed.notify()
        return base

    def flush(self, partitions: Iterable[tuple[str, int]] | None = None) -> None:
        if self.read_only:
            return
        if partitions is None:
            targets = [p for topic in list(self._topics.values()) for p in topic.partitions]
        else:
            targets = [self._partition(topic, number) for topic, number in partitions]
        for partition in targets:
            partition.flush()
        self._write_checkpoint()

    # -- reading -------------------------------------------------------------------------------
    def fetch(
        self,
        topic: str,
        partition: int,
        offset: int,
        *,
        max_bytes: int = 1 << 20,
        timeout_ms: int = 0,
    ) -> list[RecordBatch]:
        return self._partition(topic, partition).fetch(offset, max_bytes, timeout_ms)

    def wait(self, topic: str, partition: int, offset: int, timeout_ms: int) -> bool:
        return self._partition(topic, partition).wait(offset, timeout_ms)

    def read(
        self,
        topic: str,
        partition: int,
        offset: int,
        *,
        max_records: int = 500,
        max_bytes: int = 1 << 20,
        timeout_ms: int = 0,
    ) -> list[Record]:
        records: list[Record] = []
        for batch in self.fetch(
            topic, partition, offset, max_bytes=max_bytes, timeout_ms=timeout_ms
        ):
            if batch.last_offset < offset:
                continue
            for record in batch.records(topic, partition):
                if record.offset is not None and record.offset >= offset:
                    records.append(record)
            if len(records) >= max_records:
                break
        return records[:max_records]

    def earliest_offset(self, topic: str, partition: int) -> int:
        target = self._partition(topic, partition)
        if self.read_only:
            target.refresh()
        return target.earliest

    def latest_offset(self, topic: str, partition: int) -> int:
        target = self._partition(topic, partition)
        if self.read_only:
            target.refresh()
        return target.log_end

    def offset_for_time(self, topic: str, partition: int, timestamp_ms: int) -> int | None:
        return self._partition(topic, partition).offset_for_time(timestamp_ms)

    # -- maintenance ---------------------------------------------------------------------------
    def enforce_retention(self, now_ms: int | None = None) -> int:
        """Apply retention to every partition now; return how many segments were deleted."""
        self._writable()
        return sum(
            partition.enforce_retention(now_ms)
            for topic in list(self._topics.values())
            for partition in topic.partitions
        )

    def _write_checkpoint(self) -> None:
        # The flusher thread, flush(), delete_topic() and close() all write it: they share a
        # temporary file, so one at a time.
        with self._checkpoint_lock:
            offsets = {
                (topic.name, p.number): p.recovery_point
                for topic in list(self._topics.values())
                for p in topic.partitions
            }
            write_checkpoint(self.data_dir / _CHECKPOINT, offsets)

    def _start_thread(self, name: str, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)  # type: ignore[arg-type]
        thread.start()
        self._threads.append(thread)

    def _flush_loop(self) -> None:
        """Group commit: fsync each dirty partition once its ``flush.ms`` has passed."""
        while not self._closed.is_set():
            with self._dirty_changed:
                if not self._dirty:
                    self._dirty_changed.wait()
                    continue
                now = time.monotonic()
                due = [p for p, deadline in self._dirty.items() if deadline <= now]
                if not due:
                    self._dirty_changed.wait(min(self._dirty.values()) - now)
                    continue
                for partition in due:
                    del self._dirty[partition]
            try:
                for partition in due:
                    partition.flush()
                self._write_checkpoint()
            except OSError:
                log.exception("background fsync failed; appends are in the OS but not on disk")

    def _retention_loop(self, interval_ms: int) -> None:
        while not self._closed.wait(interval_ms / 1000):
            try:
                self.enforce_retention()
            except Exception:
                log.exception("retention check failed")

    # -- lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        with self._dirty_changed:
            self._dirty.clear()
            self._dirty_changed.notify_all()
        for thread in self._threads:
            thread.join()
        with self._topics_lock:
            for topic in self._topics.values():
                for partition in topic.partitions:
                    partition.close()
            if not self.read_only:
                self._write_checkpoint()
            if self._lock is not None:
                self._lock.release()


def _as_bytes(value: object) -> bytes | None:
    if value is None or isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    raise TypeError(f"log keys and values are bytes (or str, or None), not {type(value).__name__}")
