"""Fixtures of the log tests: every ``Log`` backend behind one factory, and helpers for real files.

``log_factory`` is parametrized over backends: a test written against it runs against each. Today
that is only ``LocalLog``; a Kafka backend adds one parameter here and must pass the same suite.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

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

    def make(
        *, auto_create_topics: bool = True, default_config: TopicConfig | None = None
    ) -> Log:
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
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT), *filter(None, [env.get("PYTHONPATH")])]
    )
    return env


PYTHON = sys.executable


def partition_dir(data_dir: Path, topic: str, partition: int = 0) -> Path:
    return data_dir / "topics" / f"{topic}-{partition}"


def segment_files(data_dir: Path, topic: str, partition: int = 0, suffix: str = "log") -> list[Path]:
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
