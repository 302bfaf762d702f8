"""One writer per data directory, across processes: the lock names its holder and dies with it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from hub.errors import CorruptLogError, LogLockedError
from hub.log import LocalLog
from hub.record import Record
from tests.log.conftest import Child, batch_spans, flip_byte, read_all, segment_files

HOLD = """
import sys
from hub.log import LocalLog
from hub.record import Record
log = LocalLog(sys.argv[1])
log.append("held", [Record(b"from the child")])
print("locked", flush=True)
sys.stdin.read()
log.close()
"""

TRY = """
import sys
from hub.errors import LogLockedError
from hub.log import LocalLog
try:
    LocalLog(sys.argv[1]).close()
    print("opened", flush=True)
except LogLockedError as exc:
    print("refused:", exc, flush=True)
"""


def test_a_second_writer_in_another_process_is_told_who_holds_the_lock(
    data_dir: Path, spawn: Callable[..., Child]
) -> None:
    holder = spawn(HOLD, str(data_dir))
    assert holder.readline() == "locked"

    with pytest.raises(LogLockedError, match=rf"being written by process {holder.pid}\b") as caught:
        LocalLog(data_dir)

    assert str(data_dir) in str(caught.value)
    assert "--data-dir" in str(caught.value)


def test_a_writer_in_another_process_is_refused_while_this_one_writes(
    local_log: LocalLog, spawn: Callable[..., Child]
) -> None:
    child = spawn(TRY, str(local_log.data_dir))

    line = child.readline()
    assert line.startswith(f"refused: data directory {local_log.data_dir} is being written")
    assert f"by process {os.getpid()};" in line


def test_the_lock_file_holds_the_writer_pid(local_log: LocalLog) -> None:
    assert (local_log.data_dir / ".lock").read_text() == f"{os.getpid()}\n"


def test_a_second_writer_in_the_same_process_is_refused(local_log: LocalLog) -> None:
    with pytest.raises(LogLockedError, match=rf"process {os.getpid()}\b"):
        LocalLog(local_log.data_dir)


def test_the_lock_is_released_on_close(data_dir: Path, spawn: Callable[..., Child]) -> None:
    holder = spawn(HOLD, str(data_dir))
    assert holder.readline() == "locked"

    holder.finish()

    with LocalLog(data_dir) as log:
        assert read_all(log, "held", 0) == [b"from the child"]
    assert (data_dir / ".lock").read_text() == ""


def test_the_lock_dies_with_its_process(data_dir: Path, spawn: Callable[..., Child]) -> None:
    holder = spawn(HOLD, str(data_dir))
    assert holder.readline() == "locked"

    holder.kill()

    with LocalLog(data_dir) as log:
        assert read_all(log, "held", 0) == [b"from the child"]
        assert (data_dir / ".lock").read_text() == f"{os.getpid()}\n"


def test_another_process_may_write_once_this_one_closes(
    data_dir: Path, spawn: Callable[..., Child]
) -> None:
    LocalLog(data_dir).close()

    child = spawn(TRY, str(data_dir))

    assert child.readline() == "opened"


def test_readers_need_no_lock(local_log: LocalLog) -> None:
    local_log.append("events", [Record(b"v")])

    with LocalLog(local_log.data_dir, read_only=True) as reader:
        assert read_all(reader, "events", 0) == [b"v"]
        reader.flush()  # nothing of its own to flush, and no checkpoint to write


def test_the_lock_is_released_when_opening_fails(data_dir: Path) -> None:
    with LocalLog(data_dir) as log:
        for _ in range(3):
            log.append("events", [Record(b"v" * 100)])
    (data_dir / "recovery-point-offset-checkpoint").unlink()
    segment = segment_files(data_dir, "events")[0]
    flip_byte(segment, batch_spans(segment)[0][0] + 70)

    with pytest.raises(CorruptLogError):
        LocalLog(data_dir)

    with pytest.raises(CorruptLogError):  # not LogLockedError
        LocalLog(data_dir)
