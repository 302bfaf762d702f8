"""Driving the real ``hub`` command: in-process through click's runner, or as a subprocess."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import orjson
import pytest
from click.testing import CliRunner, Result

from hub.cli import cli


class Hub(Protocol):
    def __call__(self, *args: str, input: bytes | str | None = None) -> Result: ...


@pytest.fixture
def hub(data_dir: Path) -> Hub:
    """``hub --data-dir <tmp> ARGS...`` in-process; stdout and stderr kept apart."""
    runner = CliRunner()

    def run(*args: str, input: bytes | str | None = None) -> Result:
        return runner.invoke(
            cli, ["--data-dir", str(data_dir), *args], input=input, catch_exceptions=False
        )

    return run


@pytest.fixture
def hub_process(data_dir: Path) -> Callable[..., subprocess.Popen[bytes]]:
    """``python -m hub --data-dir <tmp> ARGS...`` as a real process, pipes on all three streams."""

    def start(*args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "hub", "--data-dir", str(data_dir), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    return start


def json_lines(*documents: object) -> bytes:
    return b"".join(orjson.dumps(d) + b"\n" for d in documents)


def parse_lines(output: bytes | str) -> list[Any]:
    if isinstance(output, str):
        output = output.encode()
    return [orjson.loads(line) for line in output.splitlines()]


def ok(result: Result, code: int = 0) -> Result:
    """Assert the exit code, showing both streams when it differs."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


def produce(hub: Hub, topic: str, documents: Sequence[object], *options: str) -> Result:
    return ok(hub("produce", topic, *options, input=json_lines(*documents)))
