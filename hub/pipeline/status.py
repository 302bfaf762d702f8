"""What each task is doing and has done: shown live by ``hub run`` and in its summary."""

from __future__ import annotations

import enum
import threading
import time
from dataclasses import dataclass, field


class State(enum.Enum):
    STARTING = "starting"
    RUNNING = "running"
    IDLE = "idle"
    DONE = "done"
    FAILED = "failed"
    STOPPED = "stopped"


@dataclass(slots=True)
class TaskStatus:
    """Counters of one task; written by its own thread, read by the progress view."""

    pipeline: str
    connector: str
    kind: str  # "source" or "sink"
    task: int
    state: State = State.STARTING
    records: int = 0
    dead_lettered: int = 0
    lag: int | None = None
    error: str | None = None
    started: float = field(default_factory=time.monotonic)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, records: int = 0, dead_lettered: int = 0) -> None:
        with self._lock:
            self.records += records
            self.dead_lettered += dead_lettered

    def fail(self, error: BaseException) -> None:
        from hub.secrets import redact

        self.state = State.FAILED
        self.error = redact(f"{type(error).__name__}: {error}")

    @property
    def name(self) -> str:
        return f"{self.connector}#{self.task}"

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.records / elapsed if elapsed > 0 else 0.0
