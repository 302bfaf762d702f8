"""Crash safety with real processes: a writer is SIGKILLed at random moments, again and again.

``crash_writer.py`` appends with ``flush: batch`` and acknowledges each append on stdout. After
each kill the log is reopened here: every acknowledged record must be there, intact, nothing
corrupt may come back, and the next writer must continue the offsets densely.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from hub.log import LocalLog
from tests.log.conftest import Child, read_all
from tests.log.crash_writer import PARTITIONS, TOPIC, crash_value

WRITER = Path(__file__).with_name("crash_writer.py")


def take_acks(lines: list[str], acked: list[int]) -> int:
    """Apply ``<partition> <base> <count>`` lines to the acknowledged ends; return how many."""
    taken = 0
    for line in lines:
        if line == "ready" or line.startswith("ready "):
            continue
        assert not line.startswith("error"), line
        partition, base, count = map(int, line.split())
        assert base == acked[partition], f"partition {partition}: {base} follows {acked[partition]}"
        acked[partition] = base + count
        taken += 1
    return taken


def check_log(data_dir: Path, acked: list[int]) -> list[int]:
    """Every record is intact and every acknowledged one is there; return the log ends."""
    with LocalLog(data_dir) as log:
        ends = []
        for partition in range(PARTITIONS):
            end = log.latest_offset(TOPIC, partition)
            assert end >= acked[partition], f"partition {partition} lost acknowledged records"
            values = read_all(log, TOPIC, partition, 0)
            assert len(values) == end
            for offset, value in enumerate(values):
                assert value == crash_value(partition, offset), f"{partition}@{offset} is wrong"
            ends.append(end)
        return ends


def run_rounds(
    data_dir: Path, spawn: Callable[..., Child], rounds: int, seed: int
) -> tuple[int, list[int]]:
    rng = random.Random(seed)
    acked = [0] * PARTITIONS
    total = 0
    for number in range(rounds):
        writer = spawn(WRITER, str(data_dir), str(seed * 100 + number))
        if number % 3 == 2:
            # Kill it early: while it opens and recovers the log, or in its first appends.
            time.sleep(rng.uniform(0, 0.3))
        else:
            ready = writer.readline()
            assert ready == "ready " + " ".join(map(str, acked)), "offsets must continue densely"
            deadline = time.monotonic() + rng.uniform(0.2, 0.8)
            while time.monotonic() < deadline:
                total += take_acks([writer.readline()], acked)
        writer.kill()
        total += take_acks(writer.finish()[0].splitlines(), acked)
        acked = check_log(data_dir, acked)
    return total, acked


@pytest.mark.slow
def test_acknowledged_appends_survive_sigkill_round_after_round(
    data_dir: Path, spawn: Callable[..., Child], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="hub.log"):
        total, ends = run_rounds(data_dir, spawn, rounds=6, seed=1)

    assert total > 20, "the writer should have acknowledged a fair number of appends"
    assert sum(ends) > 0
    torn = [r for r in caplog.records if "torn tail" in r.getMessage()]
    assert all(r.levelno == logging.WARNING for r in torn)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.slow
def test_a_log_recovered_after_a_kill_takes_appends_here_and_in_the_next_writer(
    data_dir: Path, spawn: Callable[..., Child]
) -> None:
    _, ends = run_rounds(data_dir, spawn, rounds=2, seed=2)

    with LocalLog(data_dir) as log:
        base = log.append_batch(TOPIC, 0, [crash_value(0, ends[0])])
        assert base == ends[0]
    ends[0] += 1

    writer = spawn(WRITER, str(data_dir), "99")
    assert writer.readline() == "ready " + " ".join(map(str, ends))
    writer.readline()
    writer.kill()
    check_log(data_dir, ends)
