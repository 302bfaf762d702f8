"""Fixtures of the log tests: every ``Log`` backend behind one factory, and helpers for real files.

``log_factory`` is parametrized over backends: a test written against it runs against each. Today
that is only ``LocalLog``; a Kafka backend adds one parameter here and must pass the same suite.
"""

from __future__ import annotations

import itertools
import json
import os
import select
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest

import hub
from hub.log import LocalLog, Log, TopicConfig

REPO_ROOT = Path(hub.__file__).resolve().parents[1]
BACKENDS = ["local"]


class LogFactory(Protocol):
    """Opens the backend under test; called again after ``close()`` it reopens the same log."""

    def __call__(
        self, *, auto_create_topics: bool = True, default_config: TopicConfig | None = None
    ) -> Log: ...


@pytest.fixture(params=BACKENDS)
def log_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LogFactory]:
    opened: list[Log] = []

    def make(*, auto_create_topics: bool = True, default_config: TopicConfig | None = None) -> Log:
        assert request.param == "local"
        log = LocalLog(
            tmp_path / "data",
            auto_create_topics=auto_create_topics,
            default_config=default_config,
        )
        opened.append(log)
        return log

    yield make
    for log in opened:
        log.close()


@pytest.fixture
def log(log_factory: LogFactory) -> Log:
    return log_factory()


_topic_numbers = itertools.count()


@pytest.fixture
def topic() -> str:
    """A fresh topic name: backends that share a cluster between tests never see it twice."""
    return f"test-topic-{os.getpid()}-{next(_topic_numbers)}"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def local_log(data_dir: Path) -> Iterator[LocalLog]:
    """A ``LocalLog`` whose background retention never runs on its own."""
    log = LocalLog(data_dir, retention_check_ms=3_600_000)
    yield log
    log.close()


def child_env() -> dict[str, str]:
    """Environment for a child Python process that imports ``hub`` from this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env


PYTHON = sys.executable


def partition_dir(data_dir: Path, topic: str, partition: int = 0) -> Path:
    return data_dir / "topics" / f"{topic}-{partition}"


def segment_files(
    data_dir: Path, topic: str, partition: int = 0, suffix: str = "log"
) -> list[Path]:
    return sorted(partition_dir(data_dir, topic, partition).glob(f"*.{suffix}"))


def read_all(log: Log, topic: str, partition: int, start: int | None = None) -> list[bytes | None]:
    """Every value from ``start`` (the earliest by default) to the log end, read page by page."""
    offset = log.earliest_offset(topic, partition) if start is None else start
    end = log.latest_offset(topic, partition)
    values: list[bytes | None] = []
    while offset < end:
        records = log.read(topic, partition, offset)
        assert records, f"read at {offset} returned nothing below the log end {end}"
        assert [r.offset for r in records] == list(range(offset, offset + len(records)))
        values.extend(r.value for r in records)
        offset += len(records)
    return values


def batch_spans(path: Path) -> list[tuple[int, int]]:
    """``(position, size)`` of each record batch in a segment file, from the batch headers."""
    data = path.read_bytes()
    spans = []
    position = 0
    while position + 12 <= len(data):
        size = int.from_bytes(data[position + 8 : position + 12], "big") + 12
        spans.append((position, size))
        position += size
    assert position == len(data), f"{path} does not end at a batch boundary"
    return spans


def flip_byte(path: Path, position: int) -> None:
    with path.open("r+b") as file:
        file.seek(position)
        byte = file.read(1)
        file.seek(position)
        file.write(bytes([byte[0] ^ 0xFF]))


def value_for(partition: int, offset: int) -> bytes:
    """A value that can be checked against the offset and partition it was stored at."""
    return f"p{partition}-o{offset}:".encode() * (1 + offset % 9)


class Child:
    """A Python child process importing ``hub`` from this checkout, spoken to by lines."""

    def __init__(self, script: Path | str, *args: str) -> None:
        command = [PYTHON, str(script)] if isinstance(script, Path) else [PYTHON, "-c", script]
        self.process = subprocess.Popen(
            [*command, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        self.pid = self.process.pid

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def readline(self, timeout: float = 20) -> str:
        """The next line of stdout (without its newline); fails the test after ``timeout``."""
        stdout = self.process.stdout
        assert stdout is not None
        ready, _, _ = select.select([stdout], [], [], timeout)
        if not ready:
            raise AssertionError(f"child {self.pid} said nothing for {timeout}s")
        line = stdout.readline()
        if not line:
            raise AssertionError(f"child {self.pid} exited: {self.finish()[1]}")
        return line.rstrip("\n")

    def call(self, op: str, timeout: float = 20, **arguments: Any) -> Any:
        """One request to ``reader_child.py``: its result, or an error as ``("error", name)``."""
        self.send(json.dumps({"op": op, **arguments}))
        reply = json.loads(self.readline(timeout))
        return reply["ok"] if "ok" in reply else ("error", reply["error"], reply["message"])

    def kill(self) -> None:
        """SIGKILL, and wait for the process to be gone."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def finish(self, timeout: float = 20) -> tuple[str, str]:
        """Close stdin, wait for the exit; the rest of stdout and stderr."""
        if self.process.stdout is None or self.process.stdout.closed:
            return "", ""
        return self.process.communicate(timeout=timeout)


@pytest.fixture
def spawn() -> Iterator[Callable[..., Child]]:
    """Start children that are killed (and their pipes closed) when the test ends."""
    children: list[Child] = []

    def start(script: Path | str, *args: str) -> Child:
        child = Child(script, *args)
        children.append(child)
        return child

    yield start
    for child in children:
        child.kill()
        child.finish()
