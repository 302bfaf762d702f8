"""One input file being read: its identity, the byte position reached, and bytes read ahead.

A file is known by ``(device, inode)`` rather than by name, so that a rotated file (renamed,
and a new one created at the old name) is neither read twice nor skipped. Inode numbers are
reused once a file is deleted, so a checkpoint also keeps a CRC of the file's first bytes
(``head``): a different file that happens to get the same inode does not inherit its offset.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HEAD_BYTES = 1024
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Identity:
    device: int
    inode: int

    @classmethod
    def of(cls, stat: os.stat_result) -> Identity:
        return cls(stat.st_dev, stat.st_ino)


class FileCursor:
    """An open file, read sequentially from ``position``; ``buffer`` holds bytes read past it."""

    def __init__(self, name: str, path: Path, position: int = 0) -> None:
        self.name = name
        self.path = path
        self.fd = os.open(path, os.O_RDONLY)
        self.identity = Identity.of(os.fstat(self.fd))
        self.position = position
        self.buffer = b""
        self.at_eof = False
        self.columns: list[str] | None = None  # set by the format once the header is known
        self.retired = False  # no matching name leads here any more: read to the end, close
        self._head = b""
        self._lines = (0, 1)  # (byte position, line number there), moved forward on demand

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    @property
    def closed(self) -> bool:
        return self.fd < 0

    def reopen(self) -> None:
        """Open again after ``close`` (to look for appended data), if the file is still there."""
        fd = os.open(self.path, os.O_RDONLY)
        if Identity.of(os.fstat(fd)) != self.identity:
            os.close(fd)
            raise FileNotFoundError(self.path)
        self.fd = fd

    def size(self) -> int:
        return os.fstat(self.fd).st_size

    def fill(self, count: int) -> bool:
        """Read up to ``count`` more bytes into the buffer; ``False`` at end of file."""
        chunk = os.pread(self.fd, count, self.position + len(self.buffer))
        if not chunk:
            self.at_eof = True
            return False
        self.buffer = self.buffer + chunk if self.buffer else chunk
        self.at_eof = False
        return True

    def consume(self, count: int) -> None:
        """The first ``count`` buffered bytes were turned into records (or skipped)."""
        self.position += count
        self.buffer = self.buffer[count:]

    def restart(self, position: int = 0) -> None:
        self.position = position
        self.buffer = b""
        self.at_eof = False
        self.columns = None
        self._head = b""
        self._lines = (0, 1)

    def read_at(self, position: int, count: int) -> bytes:
        return os.pread(self.fd, count, position)

    def skip_bom(self) -> None:
        """A UTF-8 byte order mark is not data: start after it."""
        if self.position == 0 and self.read_at(0, 3) == _UTF8_BOM:
            self.position = 3

    def head(self, position: int) -> int:
        """CRC-32 of the file's first ``min(position, HEAD_BYTES)`` bytes."""
        length = min(position, HEAD_BYTES)
        if len(self._head) < length:
            self._head = self.read_at(0, HEAD_BYTES)
        return zlib.crc32(self._head[:length])

    def offset(self) -> dict[str, Any]:
        """The source offset after the consumed bytes (see ``FileSource`` for the format)."""
        return {
            "path": self.name,
            "device": self.identity.device,
            "inode": self.identity.inode,
            "position": self.position,
            "head": self.head(self.position),
        }

    def matches(self, offset: dict[str, Any]) -> bool:
        """Whether a checkpointed offset was taken on this very file."""
        position = int(offset.get("position", 0))
        return (
            offset.get("device") == self.identity.device
            and offset.get("inode") == self.identity.inode
            and ("head" not in offset or offset["head"] == self.head(position))
            and self.size() >= position
        )

    def line_at(self, position: int) -> int:
        """The 1-based line number of the byte at ``position``; only failures ask, so lines are
        counted lazily rather than on every block."""
        start, line = self._lines if position >= self._lines[0] else (0, 1)
        while start < position:
            chunk = self.read_at(start, min(1 << 20, position - start))
            if not chunk:
                break
            line += chunk.count(b"\n")
            start += len(chunk)
        self._lines = (start, line)
        return line
