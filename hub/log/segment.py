"""One segment of a partition: a ``.log`` file of record batches plus its two sparse indexes.

Files are named by the segment's base offset, 20 digits, as in Kafka:
``00000000000000000000.log``, ``.index``, ``.timeindex``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from hub.errors import CorruptLogError
from hub.log.index import IndexCorrupt, OffsetIndex, TimeIndex
from hub.log.recordbatch import HEADER, HEADER_SIZE, LENGTH_PREFIX, MAGIC, RecordBatch

log = logging.getLogger(__name__)

_MIN_BATCH = HEADER_SIZE - LENGTH_PREFIX  # batchLength of a batch with no record bytes
_RECOVERY_CHUNK = 8 << 20
_MAGIC_AT = 16  # position of the magic byte in a batch header
_MAGIC_BYTE = bytes([MAGIC])


def segment_name(base_offset: int) -> str:
    return f"{base_offset:020d}"


@dataclass(frozen=True, slots=True)
class BatchInfo:
    """A batch located by its header alone."""

    position: int
    base_offset: int
    last_offset: int
    size: int
    base_timestamp: int
    max_timestamp: int


def header_info(header: bytes | memoryview, position: int) -> BatchInfo | None:
    """Parse the batch header at the start of ``header``, or ``None`` if it cannot be one."""
    fields = HEADER.unpack_from(header)
    base_offset, length, _epoch, magic = fields[:4]
    if magic != MAGIC or length < _MIN_BATCH or fields[6] < 0:
        return None
    return BatchInfo(
        position, base_offset, base_offset + fields[6], length + LENGTH_PREFIX, fields[7], fields[8]
    )


class Segment:
    """A segment file, its indexes, and where its valid bytes end.

    A writable segment is appended to under the partition's lock; readers use ``pread`` on the
    same descriptor and never look past ``size``, which only moves after a write completed.
    """

    def __init__(
        self, directory: Path, base_offset: int, *, writable: bool, index_interval_bytes: int
    ) -> None:
        name = segment_name(base_offset)
        self.directory = directory
        self.base_offset = base_offset
        self.writable = writable
        self.log_path = directory / f"{name}.log"
        self.index = OffsetIndex(directory / f"{name}.index", base_offset, writable=writable)
        self.time_index = TimeIndex(directory / f"{name}.timeindex", base_offset, writable=writable)
        self.index_interval_bytes = index_interval_bytes
        flags = (os.O_RDWR | os.O_CREAT | os.O_APPEND) if writable else os.O_RDONLY
        self._fd: int | None = os.open(self.log_path, flags, 0o644)
        self.size = os.fstat(self._fd).st_size
        self.next_offset = base_offset
        self.first_timestamp: int | None = None
        self.max_timestamp = -1
        self._max_timestamp_offset = base_offset
        self._bytes_since_index = 0

    # -- opening -------------------------------------------------------------------------------
    def load(self, *, recovery_offset: int | None) -> int:
        """Load indexes and find the end of the segment; return bytes dropped from a torn tail.

        Batches holding ``recovery_offset`` and after are checked by CRC: they may not have been
        fsynced before a crash. ``None`` trusts the whole file (it was flushed before a clean
        shutdown). A missing or damaged index is rebuilt and the whole file checked.
        """
        try:
            self.index.load()
            self.time_index.load()
            self._check_indexes()
        except IndexCorrupt as exc:
            self.index.rewrite([], [])
            self.time_index.rewrite([], [])
            if not self.writable:  # another process writes this file: index it in memory
                end = 0
                for info in self.scan(0):
                    self._index_batch(info)
                    end = info.position + info.size
                self.size = end
                return 0
            log.warning("rebuilding the indexes of %s: %s", self.log_path, exc)
            return self._validate(0)
        if recovery_offset is not None and self.writable:
            return self._validate(self.index.lookup(recovery_offset))
        if self.time_index.keys:
            self.max_timestamp = self.time_index.keys[-1]
            self._max_timestamp_offset = self.time_index.values[-1]
        first = header_info(self.read(0, HEADER_SIZE), 0) if self.size >= HEADER_SIZE else None
        self.first_timestamp = first.base_timestamp if first else None
        start = self.index.values[-1] if self.index.values else 0
        end = self._track(self.scan(start), start)
        if not self.writable:
            self.size = end  # the writer's last batch may still be landing: not ours yet
        return 0

    def _check_indexes(self) -> None:
        """Kafka's sanity check and a little more: the last entries must match the file."""
        for index in (self.index, self.time_index):
            if index.created and self.size:
                raise IndexCorrupt(f"{index.path} is missing")
        keys, values = self.index.keys, self.index.values
        if keys:
            if values[-1] >= self.size:
                raise IndexCorrupt(f"{self.index.path} points past the end of {self.log_path}")
            if not self._batch_ends_at(values[-1], keys[-1]):
                raise IndexCorrupt(f"the last entry of {self.index.path} misses its batch")
        if self.time_index.keys:
            timestamp, offset = self.time_index.keys[-1], self.time_index.values[-1]
            end = start = self._scan_start(offset)
            for info in self.scan(start):
                if info.last_offset >= offset:
                    if info.last_offset != offset or info.max_timestamp != timestamp:
                        raise IndexCorrupt(f"the last entry of {self.time_index.path} is wrong")
                    break
                end = info.position + info.size
            else:
                if end == self.size:  # else a damaged batch stopped the scan: reads report it
                    raise IndexCorrupt(f"{self.time_index.path} points past {self.log_path}")

    def _batch_ends_at(self, position: int, last_offset: int) -> bool:
        """Whether a batch header at ``position`` names ``last_offset`` as its last offset."""
        header = self.read(position, HEADER_SIZE)
        info = header_info(header, position) if len(header) == HEADER_SIZE else None
        return info is not None and info.last_offset == last_offset

    def _validate(self, start: int) -> int:
        """CRC-check every batch from ``start``; truncate a torn tail, refuse mid-file damage."""
        kept = self.index.entries_below(start)
        self.index.truncate_to_entries(kept)
        kept_offset = self.index.keys[-1] + 1 if self.index.keys else self.base_offset
        self.time_index.truncate_to_entries(self.time_index.entries_upto_offset(kept_offset))
        self._track(self.scan(0, end=start))
        self._bytes_since_index = 0
        position = start
        for info, problem in self._checked_batches(start):
            if problem is not None:
                return self._handle_bad_batch(position, problem)
            self._index_batch(info)
            position = info.position + info.size
        return 0

    def _checked_batches(self, start: int) -> Iterator[tuple[BatchInfo, str | None]]:
        position = start
        while position < self.size:
            header = self.read(position, HEADER_SIZE)
            if len(header) < HEADER_SIZE:
                yield BatchInfo(position, -1, -1, 0, -1, -1), "a partial batch header"
                return
            info = header_info(header, position)
            if info is None:
                yield BatchInfo(position, -1, -1, 0, -1, -1), "an invalid batch header"
                return
            if info.position + info.size > self.size:
                yield info, "a batch cut short by the end of the file"
                return
            if info.base_offset != self.next_offset:
                due = self.next_offset
                yield info, f"a batch at offset {info.base_offset} where offset {due} was due"
                return
            data = self.read(position, info.size)
            if not RecordBatch.parse(data).crc_ok():
                yield info, "a batch failing its CRC-32C"
                return
            yield info, None
            position += info.size

    def _handle_bad_batch(self, position: int, problem: str) -> int:
        if self._valid_batch_follows(position):
            raise CorruptLogError(
                f"{self.log_path}: {problem} at byte {position}, followed by valid batches: this "
                "is damage in the middle of the segment, not a torn write. Restore the file from a "
                "backup, or move it and later segments aside to drop their records"
            )
        dropped = self.size - position
        log.warning(
            "%s: truncated a torn tail of %d bytes at byte %d (%s); offsets continue at %d",
            self.log_path,
            dropped,
            position,
            problem,
            self.next_offset,
        )
        self.truncate(position)
        return dropped

    def _valid_batch_follows(self, position: int) -> bool:
        """Whether a CRC-valid batch of later offsets starts anywhere after ``position``.

        A torn write only leaves garbage at the end of the file. The bad batch's own length cannot
        be trusted to find the next one (a flipped length or magic byte is damage too), so every
        position holding the magic byte is tried.
        """
        start = position + 1
        while start + HEADER_SIZE <= self.size:
            chunk = self.read(start, _RECOVERY_CHUNK + HEADER_SIZE)
            found = chunk.find(_MAGIC_BYTE, _MAGIC_AT, _MAGIC_AT + _RECOVERY_CHUNK)
            while found != -1:
                candidate = found - _MAGIC_AT
                header = chunk[candidate : candidate + HEADER_SIZE]
                if len(header) < HEADER_SIZE:
                    header = self.read(start + candidate, HEADER_SIZE)
                if self._valid_batch_at(header, start + candidate):
                    return True
                found = chunk.find(_MAGIC_BYTE, found + 1, _MAGIC_AT + _RECOVERY_CHUNK)
            start += _RECOVERY_CHUNK
        return False

    def _valid_batch_at(self, header: bytes, position: int) -> bool:
        if len(header) < HEADER_SIZE:
            return False
        info = header_info(header, position)
        return (
            info is not None
            and info.base_offset > self.next_offset  # not, say, a batch inside a record value
            and position + info.size <= self.size
            and RecordBatch.parse(self.read(position, info.size)).crc_ok()
        )

    def _track(self, batches: Iterator[BatchInfo], end: int = 0) -> int:
        """Note each batch; return where the last one ends (``end`` if there is none)."""
        for info in batches:
            self._note(info)
            end = info.position + info.size
        return end

    def _note(self, info: BatchInfo) -> None:
        self.next_offset = info.last_offset + 1
        if self.first_timestamp is None:
            self.first_timestamp = info.base_timestamp
        if info.max_timestamp > self.max_timestamp:
            self.max_timestamp = info.max_timestamp
            self._max_timestamp_offset = info.last_offset

    def _index_batch(self, info: BatchInfo) -> None:
        self._note(info)
        self._bytes_since_index += info.size
        if self._bytes_since_index >= self.index_interval_bytes:
            self.index.add(info.last_offset, info.position)
            self._index_time()
            self._bytes_since_index = 0

    def _index_time(self) -> None:
        """Add a time index entry if the segment's max timestamp grew (0 is a timestamp too)."""
        indexed = self.time_index.max_timestamp
        if self.next_offset > self.base_offset and (
            indexed is None or self.max_timestamp > indexed
        ):
            self.time_index.add(self.max_timestamp, self._max_timestamp_offset)

    # -- writing -------------------------------------------------------------------------------
    def append(self, parts: Sequence[bytes | memoryview], info: BatchInfo) -> None:
        """Write one batch (given as buffers, written with one ``writev``) at the end."""
        assert self._fd is not None
        written = os.writev(self._fd, parts)
        if written != info.size:
            self.truncate(info.position)
            raise OSError(f"short write to {self.log_path}: {written} of {info.size} bytes")
        self.size += info.size
        self._index_batch(info)

    def truncate(self, position: int) -> None:
        """Drop every byte from ``position`` on (and index entries pointing there)."""
        assert self._fd is not None
        os.ftruncate(self._fd, position)
        self.size = position
        self.index.truncate_to_entries(self.index.entries_below(position))
        self.next_offset = self.base_offset
        self.first_timestamp = None
        self.max_timestamp = -1
        self._track(self.scan(0))
        self.time_index.truncate_to_entries(self.time_index.entries_upto_offset(self.next_offset))

    def seal(self) -> None:
        """The segment stops being active: index its max timestamp, as Kafka does on roll."""
        self._index_time()

    def flush(self) -> None:
        if self._fd is not None:
            os.fsync(self._fd)
        self.index.flush()
        self.time_index.flush()

    # -- reading -------------------------------------------------------------------------------
    def read(self, position: int, size: int) -> bytes:
        assert self._fd is not None
        return os.pread(self._fd, size, position)

    def refresh(self) -> None:
        """Read-only segments: pick up batches another process appended.

        ``size`` moves to the end of the last complete batch only: the file may end inside one
        that is still being written, and the next refresh must start at a batch boundary.
        """
        assert self._fd is not None
        size = os.fstat(self._fd).st_size
        if size > self.size:
            self.size = self._track(self.scan(self.size, end=size), self.size)

    def scan(self, start: int, end: int | None = None) -> Iterator[BatchInfo]:
        """Complete batches from ``start`` up to ``end``, located by their headers only."""
        end = self.size if end is None else end
        position = start
        while position + HEADER_SIZE <= end:
            header = self.read(position, HEADER_SIZE)
            if len(header) < HEADER_SIZE:  # the file is shorter than we knew
                return
            info = header_info(header, position)
            if info is None or position + info.size > end:
                return
            yield info
            position += info.size

    def locate(self, offset: int) -> BatchInfo | None:
        """The batch holding ``offset`` (or the first after it), found via the sparse index.

        ``None`` if no complete batch holds it: the file is damaged (or ends before ``offset``).
        """
        for info in self.scan(self._scan_start(offset)):
            if info.last_offset >= offset:
                return info
        return None

    def _scan_start(self, offset: int) -> int:
        """Position of a batch before the one holding ``offset``, from the index if it is right."""
        entry = self.index.entry_before(offset)
        if entry is None:
            return 0
        last_offset, position = entry
        if not self._batch_ends_at(position, last_offset):
            log.warning("%s does not match %s; scanning it whole", self.index.path, self.log_path)
            return 0
        return position

    def first_batch_at_time(self, timestamp: int) -> BatchInfo | None:
        """First batch whose max timestamp is >= ``timestamp``."""
        before = self.time_index.offset_before(timestamp)
        start = 0 if before is None else self._scan_start(before)
        for info in self.scan(start):
            if info.max_timestamp >= timestamp:
                return info
        return None

    # -- lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self.index.close()
        self.time_index.close()

    def delete(self) -> None:
        self.close()
        for path in (self.log_path, self.index.path, self.time_index.path):
            path.unlink(missing_ok=True)
