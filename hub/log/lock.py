"""One writer per data directory: an advisory ``flock`` on ``DATA_DIR/.lock`` holding the pid."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from hub.errors import LogLockedError


class DirectoryLock:
    """Held for the life of a writer; the kernel releases it if the process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> DirectoryLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise LogLockedError(
                f"data directory {self.path.parent} is being written by process {holder}; stop "
                "that process first, or use another --data-dir (reading commands such as consume, "
                "describe and groups work alongside it)"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None
