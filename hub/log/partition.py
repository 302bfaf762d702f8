"""One partition of a topic: an ordered list of segments with dense offsets.

Appends, reads, long-polls, flushes, rolls and retention for one ``<topic>-<partition>`` directory.
"""

from __future__ import annotations

import bisect
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from hub.errors import CorruptLogError, LogError, OffsetOutOfRangeError
from hub.log.config import TopicConfig
from hub.log.recordbatch import HEADER_SIZE, EncodedBatch, RecordBatch
from hub.log.segment import BatchInfo, Segment, header_info, segment_name

log = logging.getLogger(__name__)

_INT32_MAX = (1 << 31) - 1
_READ_ONLY_POLL_S = 0.02


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class Partition:
    """Segments of one partition, guarded by one lock; reads run outside it.

    ``lock`` serializes appends and changes to the segment list; ``data_arrived`` (on the same
    lock) wakes long-polling readers. Reads count themselves as users of the segments they read
    (under the lock); a segment dropped by retention is closed once its last read is done, so a
    read never sees its descriptor closed, let alone reused for another file.
    """

    def __init__(
        self, directory: Path, topic: str, number: int, config: TopicConfig, *, writable: bool
    ) -> None:
        self.directory = directory
        self.topic = topic
        self.number = number
        self.config = config
        self.writable = writable
        self.lock = threading.Lock()
        self.data_arrived = threading.Condition(self.lock)
        self._flush_lock = threading.Lock()
        self.segments: list[Segment] = []
        self._bases: list[int] = []
        self._unflushed: list[Segment] = []
        self._retired: list[Segment] = []  # dropped, but still in use by a read
        self._users: Counter[Segment] = Counter()
        self.recovery_point = 0
        self.closed = False

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        directory: Path,
        topic: str,
        number: int,
        config: TopicConfig,
        *,
        writable: bool,
        recovery_point: int | None = None,
    ) -> Partition:
        """Open (and in a writer, recover) the partition in ``directory``.

        Segments from the one holding ``recovery_point`` on are CRC-checked; ``None`` checks all.
        """
        partition = cls(directory, topic, number, config, writable=writable)
        if writable:
            directory.mkdir(parents=True, exist_ok=True)
            for stray in directory.glob("*.deleted"):
                stray.unlink()
        partition._load(recovery_point)
        return partition

    def _segment_bases(self) -> list[int]:
        return sorted(int(p.stem) for p in self.directory.glob("*.log") if p.stem.isdigit())

    def _load(self, recovery_point: int | None) -> None:
        bases = self._segment_bases()
        if not bases and self.writable:
            bases = [0]
        for i, base in enumerate(bases):
            segment = self._open_segment(base)
            following = bases[i + 1] if i + 1 < len(bases) else None
            trusted = (
                recovery_point is not None
                and following is not None
                and (following <= recovery_point)
            )
            if not self.writable or trusted:
                segment.load(recovery_offset=None)
            else:
                dropped = segment.load(recovery_offset=max(recovery_point or 0, base))
                if dropped and following is not None:
                    self._drop_segments(bases[i + 1 :])
                    self._add(segment)
                    break
            self._check_dense(segment)
            self._add(segment)
        if recovery_point is not None and self.log_end < recovery_point:
            log.error(
                "%s: the log ends at offset %d, but offsets up to %d had been flushed: flushed "
                "records were lost (a truncated or missing segment file); offsets from %d will be "
                "given out again",
                self.directory,
                self.log_end,
                recovery_point,
                self.log_end,
            )
        self.recovery_point = self.log_end if self.segments else 0

    def _open_segment(self, base: int) -> Segment:
        return Segment(
            self.directory,
            base,
            writable=self.writable,
            index_interval_bytes=self.config.index_interval_bytes,
        )

    def _add(self, segment: Segment) -> None:
        self.segments.append(segment)
        self._bases.append(segment.base_offset)

    def _check_dense(self, segment: Segment) -> None:
        if self.segments and self.segments[-1].next_offset != segment.base_offset:
            previous = self.segments[-1]
            raise CorruptLogError(
                f"{self.directory}: segment {previous.log_path.name} ends at offset "
                f"{previous.next_offset} but the next segment starts at {segment.base_offset}; "
                "segment files are missing or were copied in by hand. Restore them, or move the "
                "later segments aside"
            )

    def _drop_segments(self, later: list[int]) -> None:
        """Kafka's rule: after a torn (unflushed) segment, later segments cannot be trusted."""
        for base in later:
            segment = self._open_segment(base)
            log.error(
                "%s: deleting %s, written after a segment whose unflushed tail was lost",
                self.directory,
                segment.log_path.name,
            )
            segment.delete()

    # -- offsets -------------------------------------------------------------------------------
    @property
    def log_end(self) -> int:
        return self.segments[-1].next_offset if self.segments else 0

    @property
    def earliest(self) -> int:
        return self.segments[0].base_offset if self.segments else 0

    @property
    def size_bytes(self) -> int:
        return sum(s.size for s in self.segments)

    # -- writing -------------------------------------------------------------------------------
    def append(self, batch: EncodedBatch) -> int:
        """Append an encoded batch (its base offset is set here); return the base offset."""
        size, count = batch.size, batch.count
        with self.lock:
            if self.closed:
                raise LogError(f"partition {self.topic}-{self.number} is closed")
            base = self.log_end
            if self._should_roll(size, count, batch.max_timestamp):
                self._roll(base)
            segment = self.segments[-1]
            info = BatchInfo(
                segment.size,
                base,
                base + count - 1,
                size,
                batch.base_timestamp,
                batch.max_timestamp,
            )
            segment.append(batch.buffers(base), info)
            if self.config.flush_ms == 0:
                segment.flush()
                self.recovery_point = self.log_end
            self.data_arrived.notify_all()
        return base

    def _should_roll(self, size: int, count: int, max_timestamp: int) -> bool:
        segment = self.segments[-1]
        if segment.size == 0:
            return False
        return (
            segment.size + size > self.config.segment_bytes
            or segment.size + size > _INT32_MAX
            or segment.next_offset + count - segment.base_offset > _INT32_MAX
            or (
                segment.first_timestamp is not None
                and max_timestamp - segment.first_timestamp >= self.config.segment_ms
            )
        )

    def _roll(self, base: int) -> None:
        old = self.segments[-1]
        old.seal()
        self._unflushed.append(old)
        self._add(self._open_segment(base))
        log.debug("%s: rolled to segment %s", self.directory, segment_name(base))

    def flush(self) -> None:
        """fsync every segment written since the last flush; move the recovery point."""
        with self._flush_lock:
            with self.lock:
                if self.closed:
                    return
                pending = [*self._unflushed, self.segments[-1]]
                self._unflushed.clear()
                end = self.log_end
            for segment in pending:
                segment.flush()
            self.recovery_point = end

    # -- reading -------------------------------------------------------------------------------
    def fetch(self, offset: int, max_bytes: int, timeout_ms: int) -> list[RecordBatch]:
        """Whole batches from the one holding ``offset``; waits up to ``timeout_ms`` at the end."""
        segment = self._segment_for(offset, timeout_ms)
        if segment is None:
            return []
        try:
            return self._read_batches(segment, offset, max_bytes)
        finally:
            self._release([segment])

    def wait(self, offset: int, timeout_ms: int) -> bool:
        """Whether ``offset`` is here, waiting up to ``timeout_ms`` for the log to reach it
        (past the end too)."""
        segment = self._segment_for(offset, timeout_ms, past_end=True)
        if segment is None:
            return False
        self._release([segment])
        return True

    def _read_batches(self, segment: Segment, offset: int, max_bytes: int) -> list[RecordBatch]:
        info = segment.locate(offset)
        if info is None or info.base_offset > offset:  # below the log end, so a batch holds it
            raise CorruptLogError(
                f"{segment.log_path}: no intact batch holds offset {offset}, yet the segment holds "
                f"offsets {segment.base_offset}..{segment.next_offset - 1}: a batch header is "
                "damaged. Restore the file from a backup, or move the segment aside to drop its "
                "records"
            )
        # Never past ``size``: beyond it a batch may still be being written.
        wanted = min(max(max_bytes, info.size), segment.size - info.position)
        data = segment.read(info.position, wanted)
        batches: list[RecordBatch] = []
        position = 0
        while position + HEADER_SIZE <= len(data):
            header = header_info(data[position : position + HEADER_SIZE], info.position + position)
            if header is None or position + header.size > len(data):
                break
            if batches and header.base_offset != batches[-1].next_offset:
                break
            size = header.size
            batch = RecordBatch.parse(data[position : position + size])
            if not batch.crc_ok():
                if batches:
                    break
                if not self.writable and info.position + position + size >= segment.size:
                    break  # the writer's last batch may still be landing
                batch.verify(f"{segment.log_path} byte {info.position + position}")
            batches.append(batch)
            position += size
        # A damaged batch ends the batches returned; the read that starts at it raises.
        return batches

    def _segment_for(
        self, offset: int, timeout_ms: int, *, past_end: bool = False
    ) -> Segment | None:
        """The segment holding ``offset``, waiting up to ``timeout_ms`` at the end (``None`` when
        the time is up). Past the end is out of range, unless ``past_end``: then it waits too."""
        deadline = time.monotonic() + timeout_ms / 1000
        with self.lock:
            while True:
                if self.closed:
                    raise LogError(f"partition {self.topic}-{self.number} is closed")
                if not self.writable:
                    self._refresh()
                if offset < self.earliest or (offset > self.log_end and not past_end):
                    raise OffsetOutOfRangeError(
                        f"offset {offset} is out of range for {self.topic}-{self.number}: it holds "
                        f"offsets {self.earliest} to {self.log_end - 1}; read from "
                        f"{self.earliest} (earliest) or {self.log_end} (latest)"
                    )
                if offset < self.log_end:
                    segment = self.segments[bisect.bisect_right(self._bases, offset) - 1]
                    self._users[segment] += 1
                    return segment
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                if self.writable:
                    self.data_arrived.wait(remaining)
                else:
                    self.lock.release()
                    try:
                        time.sleep(min(remaining, _READ_ONLY_POLL_S))
                    finally:
                        self.lock.acquire()

    def offset_for_time(self, timestamp: int) -> int | None:
        with self.lock:
            if not self.writable:
                self._refresh()
            segments = list(self.segments)
            self._users.update(segments)
        try:
            return self._offset_for_time(segments, timestamp)
        finally:
            self._release(segments)

    def _offset_for_time(self, segments: list[Segment], timestamp: int) -> int | None:
        for segment in segments:
            if segment.max_timestamp < timestamp:
                continue
            info = segment.first_batch_at_time(timestamp)
            if info is None:
                continue
            columns = RecordBatch.parse(segment.read(info.position, info.size)).columns()
            for offset, record_time in zip(columns.offsets, columns.timestamps, strict=True):
                if record_time >= timestamp:
                    return offset
        return None

    def refresh(self) -> None:
        """Read-only partitions: see segments and bytes another process wrote."""
        with self.lock:
            self._refresh()

    def _refresh(self) -> None:
        bases = self._segment_bases()
        if bases == self._bases:
            if self.segments:
                self.segments[-1].refresh()
            return
        known = {s.base_offset: s for s in self.segments}
        self.segments, self._bases = [], []
        for base in bases:
            segment = known.pop(base, None)
            if segment is None:
                try:
                    segment = self._open_segment(base)
                except FileNotFoundError:  # deleted by retention between listing and opening
                    continue
                segment.load(recovery_offset=None)
            else:
                segment.refresh()
            self._add(segment)
        self._retire(known.values())

    # -- retention -----------------------------------------------------------------------------
    def enforce_retention(self, now_ms: int | None = None) -> int:
        """Delete closed segments past ``retention.ms`` or beyond ``retention.bytes``."""
        now_ms = _now_ms() if now_ms is None else now_ms
        with self._flush_lock, self.lock:
            retention_ms, retention_bytes = self.config.retention_ms, self.config.retention_bytes
            total = self.size_bytes
            doomed = 0
            for segment in self.segments[:-1]:
                expired = retention_ms is not None and segment.max_timestamp < now_ms - retention_ms
                oversized = retention_bytes is not None and total - segment.size >= retention_bytes
                if not (expired or oversized):
                    break
                total -= segment.size
                doomed += 1
            for segment in self.segments[:doomed]:
                log.info(
                    "%s: retention deleted segment %s (offsets %d..%d)",
                    self.directory,
                    segment.log_path.name,
                    segment.base_offset,
                    segment.next_offset - 1,
                )
                for path in (segment.log_path, segment.index.path, segment.time_index.path):
                    path.unlink(missing_ok=True)
                if segment in self._unflushed:
                    self._unflushed.remove(segment)
            self._retire(self.segments[:doomed])
            del self.segments[:doomed]
            del self._bases[:doomed]
            return doomed

    def _retire(self, segments: Iterable[Segment]) -> None:
        """Close dropped segments now, or when the last read using one is done (under the lock)."""
        for segment in segments:
            if self._users[segment]:
                self._retired.append(segment)
            else:
                segment.close()

    def _release(self, segments: list[Segment]) -> None:
        with self.lock:
            self._users.subtract(segments)
            for segment in segments:
                if self._users[segment] <= 0:
                    del self._users[segment]
                    if segment in self._retired:
                        self._retired.remove(segment)
                        segment.close()

    # -- lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:
        with self.lock:
            if self.closed:
                return
            if self.writable and self.segments:
                self.segments[-1].seal()
        if self.writable:
            self.flush()
        with self._flush_lock, self.lock:
            self.closed = True
            for segment in (*self.segments, *self._retired):
                segment.close()
            self._retired.clear()
            self.data_arrived.notify_all()
