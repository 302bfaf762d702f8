"""Sparse per-segment indexes, in Kafka's on-disk formats.

- ``OffsetIndex`` (``.index``): 8-byte entries ``(relative offset int32, file position int32)``;
  the offset is the *last* offset of the batch at that position, as in Kafka.
- ``TimeIndex`` (``.timeindex``): 12-byte entries ``(max timestamp so far int64, relative offset
  int32)``, appended only when the segment's max timestamp grows.

Indexes are caches of the segment file: when one is missing or fails its sanity check it is rebuilt
from the segment, never trusted.
"""

from __future__ import annotations

import bisect
import os
import struct
from pathlib import Path


class IndexCorrupt(Exception):
    """Internal: the index file cannot be trusted and must be rebuilt."""


class _Index:
    entry: struct.Struct

    def __init__(self, path: Path, base_offset: int, *, writable: bool) -> None:
        self.path = path
        self.base_offset = base_offset
        self.writable = writable
        self.keys: list[int] = []
        self.values: list[int] = []
        self._fd: int | None = None
        self.created = False  # the file did not exist: for a segment with data, it went missing
        if writable:
            self._open()  # a new segment starts with empty index files, as Kafka's do

    def _open(self) -> int:
        if self._fd is None:
            try:
                flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_EXCL
                self._fd = os.open(self.path, flags, 0o644)
                self.created = True
            except FileExistsError:
                self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND)
        return self._fd

    def load(self) -> None:
        """Read the entries from disk; ``IndexCorrupt`` if the file cannot be trusted."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError as exc:
            raise IndexCorrupt(f"{self.path} is missing") from exc
        usable = len(data) - len(data) % self.entry.size
        if usable != len(data) and self.writable:
            raise IndexCorrupt(f"{self.path} has a partial entry")
        self.keys, self.values = self._decode(data[:usable])

    def _decode(self, data: bytes) -> tuple[list[int], list[int]]:
        raise NotImplementedError

    def _encode(self, key: int, value: int) -> bytes:
        raise NotImplementedError

    def add(self, key: int, value: int) -> None:
        self.keys.append(key)
        self.values.append(value)
        if self.writable:
            os.write(self._open(), self._encode(key, value))

    def truncate_to_entries(self, count: int) -> None:
        """Keep the first ``count`` entries."""
        if count >= len(self.keys):
            return
        del self.keys[count:]
        del self.values[count:]
        if self.writable:
            os.ftruncate(self._open(), count * self.entry.size)

    def rewrite(self, keys: list[int], values: list[int]) -> None:
        """Replace every entry (after a rebuild)."""
        self.keys, self.values = keys, values
        if self.writable:
            fd = self._open()
            os.ftruncate(fd, 0)
            os.write(fd, b"".join(self._encode(k, v) for k, v in zip(keys, values, strict=True)))

    def flush(self) -> None:
        if self._fd is not None:
            os.fsync(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def delete(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)


class OffsetIndex(_Index):
    entry = struct.Struct(">ii")

    def _decode(self, data: bytes) -> tuple[list[int], list[int]]:
        base = self.base_offset
        offsets: list[int] = []
        positions: list[int] = []
        for relative, position in self.entry.iter_unpack(data):
            if (offsets and (relative + base <= offsets[-1] or position <= positions[-1])) or (
                relative < 0 or position < 0
            ):
                raise IndexCorrupt(f"{self.path} has entries out of order")
            offsets.append(relative + base)
            positions.append(position)
        return offsets, positions

    def _encode(self, key: int, value: int) -> bytes:
        return self.entry.pack(key - self.base_offset, value)

    def lookup(self, offset: int) -> int:
        """File position of a batch at or before the one holding ``offset`` (0 if none)."""
        entry = self.entry_before(offset)
        return 0 if entry is None else entry[1]

    def entry_before(self, offset: int) -> tuple[int, int] | None:
        """The last entry ``(last offset, position)`` of a batch ending before ``offset``."""
        i = bisect.bisect_left(self.keys, offset) - 1
        return (self.keys[i], self.values[i]) if i >= 0 else None

    def entries_below(self, position: int) -> int:
        """How many entries point before ``position``."""
        return bisect.bisect_left(self.values, position)


class TimeIndex(_Index):
    entry = struct.Struct(">qi")

    def _decode(self, data: bytes) -> tuple[list[int], list[int]]:
        base = self.base_offset
        timestamps: list[int] = []
        offsets: list[int] = []
        for timestamp, relative in self.entry.iter_unpack(data):
            if (timestamps and (timestamp <= timestamps[-1] or relative + base < offsets[-1])) or (
                relative < 0
            ):
                raise IndexCorrupt(f"{self.path} has entries out of order")
            timestamps.append(timestamp)
            offsets.append(relative + base)
        return timestamps, offsets

    def _encode(self, key: int, value: int) -> bytes:
        return self.entry.pack(key, value - self.base_offset)

    @property
    def max_timestamp(self) -> int | None:
        return self.keys[-1] if self.keys else None

    def offset_before(self, timestamp: int) -> int | None:
        """Last indexed offset whose running max timestamp is still below ``timestamp``."""
        i = bisect.bisect_left(self.keys, timestamp) - 1
        return self.values[i] if i >= 0 else None

    def entries_upto_offset(self, offset: int) -> int:
        """How many entries point at offsets below ``offset``."""
        return bisect.bisect_left(self.values, offset)
