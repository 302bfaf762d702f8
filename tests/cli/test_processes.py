"""The CLI as real processes: a writer alongside readers, signals, broken pipes."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest

from hub.store import Store
from tests.cli.conftest import Hub, json_lines, ok, parse_lines, produce

Start = Callable[..., subprocess.Popen[bytes]]

# A long-running writer: holds the data directory's lock and appends N records per stdin line.
WRITER = """
import sys
from hub.log import LocalLog, TopicConfig
from hub.record import Record

with LocalLog(sys.argv[1]) as log:
    log.create_topic("events", TopicConfig(partitions=2), exist_ok=True)
    print("ready", flush=True)
    total = 0
    for line in sys.stdin:
        n = int(line)
        log.append(
            "events",
            [Record(b'{"n": %d}' % (total + i), key=b"%d" % (total + i)) for i in range(n)],
        )
        total += n
        print("appended", flush=True)
"""


class Lines:
    """Lines of a child's stdout, read on a thread so that a test can wait with a timeout."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        self._stream = process.stdout
        self._queue: queue.Queue[bytes] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        for line in self._stream:
            self._queue.put(line)

    def take(self, count: int, timeout: float = 20) -> list[bytes]:
        return [self._queue.get(timeout=timeout) for _ in range(count)]

    def close(self) -> None:
        """Once the process has exited: the reader sees the end of the stream."""
        self._thread.join(timeout=20)
        self._stream.close()


@pytest.fixture
def writer(data_dir: Path) -> Iterator[tuple[subprocess.Popen[bytes], Lines]]:
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(data_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    lines = Lines(process)
    try:
        assert lines.take(1) == [b"ready\n"]
        yield process, lines
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=20)
        lines.close()


def _append(writer: tuple[subprocess.Popen[bytes], Lines], count: int) -> None:
    process, lines = writer
    assert process.stdin is not None
    process.stdin.write(b"%d\n" % count)
    process.stdin.flush()
    assert lines.take(1) == [b"appended\n"]


def _run(start: Start, *args: str, input: bytes = b"") -> tuple[int, bytes, bytes]:
    process = start(*args)
    out, err = process.communicate(input, timeout=60)
    return process.returncode, out, err


def test_readers_see_a_running_writers_appends(
    writer: tuple[subprocess.Popen[bytes], Lines], hub_process: Start
) -> None:
    _append(writer, 5)
    code, out, err = _run(hub_process, "consume", "events", "--from-beginning", "-g", "g")
    assert code == 0, err
    assert sorted(d["n"] for d in parse_lines(out)) == [0, 1, 2, 3, 4]

    _append(writer, 3)
    code, out, err = _run(hub_process, "topics", "describe", "events", "--json")
    assert code == 0, err
    assert sum(p["latest"] for p in orjson.loads(out)["partitions"]) == 8
    code, out, err = _run(hub_process, "consume", "events", "-g", "g")
    assert code == 0, err
    assert sorted(d["n"] for d in parse_lines(out)) == [5, 6, 7]
    code, out, err = _run(hub_process, "groups", "describe", "g", "--json")
    assert code == 0, err
    assert sum(p["lag"] for p in orjson.loads(out)["partitions"]) == 0


def test_second_writer_is_told_which_process_holds_the_lock(
    writer: tuple[subprocess.Popen[bytes], Lines], hub_process: Start
) -> None:
    process, _ = writer
    code, out, err = _run(hub_process, "produce", "events", input=b'{"n": 1}\n')
    assert code == 1
    assert out == b""
    message = err.decode()
    assert message.startswith("error: data directory")
    assert f"being written by process {process.pid}" in message
    assert "Traceback" not in message
    code, _, err = _run(hub_process, "topics", "create", "other")
    assert code == 1
    assert f"process {process.pid}" in err.decode()


def test_follow_receives_new_records_and_commits_on_sigint(
    hub: Hub, hub_process: Start, data_dir: Path
) -> None:
    produce(hub, "t", [{"n": 0}, {"n": 1}])
    with hub_process("consume", "t", "-g", "g", "--from-beginning", "--follow") as follower:
        lines = Lines(follower)
        try:
            assert parse_lines(b"".join(lines.take(2))) == [{"n": 0}, {"n": 1}]
            produce(hub, "t", [{"n": 2}, {"n": 3}, {"n": 4}])  # a writer while it follows
            assert parse_lines(b"".join(lines.take(3))) == [{"n": 2}, {"n": 3}, {"n": 4}]
            follower.send_signal(signal.SIGINT)
            assert follower.wait(timeout=20) == 0
        finally:
            if follower.poll() is None:
                follower.kill()
                follower.wait()
            lines.close()
        assert follower.stderr is not None
        err = follower.stderr.read().decode()
    assert "Traceback" not in err
    assert "consumed 5 record(s)" in err
    with Store.open(None, data_dir) as store:
        assert store.committed_offsets("g") == {("t", 0): 5}


def test_sigterm_stops_follow_cleanly(hub: Hub, hub_process: Start) -> None:
    produce(hub, "t", [{"n": 0}])
    with hub_process("consume", "t", "--from-beginning", "--follow") as follower:
        lines = Lines(follower)
        try:
            assert lines.take(1) == [b'{"n":0}\n']
            follower.send_signal(signal.SIGTERM)
            assert follower.wait(timeout=20) == 0
        finally:
            if follower.poll() is None:
                follower.kill()
                follower.wait()
            lines.close()


def test_broken_pipe_prints_no_traceback(hub: Hub, data_dir: Path) -> None:
    value = {"pad": "x" * 100}
    ok(hub("produce", "big", input=json_lines(*[{"n": i, **value} for i in range(20_000)])))
    command = ["consume", "big", "--from-beginning", "-g", "g"]
    consumer = subprocess.Popen(
        [sys.executable, "-m", "hub", "--data-dir", str(data_dir), *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    head = subprocess.Popen(["head", "-3"], stdin=consumer.stdout, stdout=subprocess.PIPE)
    assert consumer.stdout is not None
    consumer.stdout.close()
    out, _ = head.communicate(timeout=60)
    _, err = consumer.communicate(timeout=60)
    assert [d["n"] for d in parse_lines(out)] == [0, 1, 2]
    assert consumer.returncode == 0, err
    assert b"Traceback" not in err
    assert b"Exception ignored" not in err
    with Store.open(None, data_dir) as store:
        # only what reached the pipe before it broke may be committed, never everything
        assert sum(store.committed_offsets("g").values()) < 20_000
