"""Startup recovery of ``LocalLog``: torn tails are cut off, damage anywhere else is refused.

Every test writes a real log, closes it, damages its files by hand the way a crash or a bad disk
would, and opens it again.
"""

from __future__ import annotations

import logging
import random
from pathlib import Path

import pytest

from hub.errors import CorruptLogError
from hub.log import LocalLog, TopicConfig
from hub.log.checkpoint import read_checkpoint, write_checkpoint
from hub.log.recordbatch import HEADER_SIZE
from tests.log.conftest import (
    batch_spans,
    flip_byte,
    partition_dir,
    read_all,
    segment_files,
    value_for,
)

TOPIC = "events"
CONFIG = TopicConfig(segment_bytes=2048, index_interval_bytes=256, flush_ms=None, retention_ms=None)
PER_BATCH = 3


def fill(data_dir: Path, batches: int = 60, *, timestamp: int | None = None) -> int:
    """Write checkable values over several segments, the last holding a few batches too, at
    ``timestamp`` (default: the time of each append).

    Return the log end.
    """
    with LocalLog(data_dir) as log:
        log.create_topic(TOPIC, CONFIG, exist_ok=True)
        written = 0
        while written < batches or len(batch_spans(segment_files(data_dir, TOPIC)[-1])) < 4:
            base = log.latest_offset(TOPIC, 0)
            values = [value_for(0, base + i) for i in range(PER_BATCH)]
            log.append_batch(TOPIC, 0, values, timestamp=timestamp)
            written += 1
        return log.latest_offset(TOPIC, 0)


def expected(end: int) -> list[bytes | None]:
    return [value_for(0, offset) for offset in range(end)]


def forget_checkpoint(data_dir: Path) -> None:
    """What a crash leaves: no proof of what was flushed, so recovery checks every segment."""
    (data_dir / "recovery-point-offset-checkpoint").unlink()


def truncate(path: Path, size: int) -> None:
    with path.open("r+b") as file:
        file.truncate(size)


def warnings_of(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)


# -- the recovery point checkpoint -----------------------------------------------------------------
def test_the_checkpoint_is_kafkas_format_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "recovery-point-offset-checkpoint"

    write_checkpoint(path, {("orders", 1): 42, ("orders", 0): 7, ("a.b-c", 0): 0})

    assert path.read_text() == "0\n3\na.b-c 0 0\norders 0 7\norders 1 42\n"
    assert read_checkpoint(path) == {("orders", 1): 42, ("orders", 0): 7, ("a.b-c", 0): 0}


@pytest.mark.parametrize(
    "text", ["", "1\n0\n", "0\n2\norders 0 7\n", "0\n1\norders x 7\n", "0\n1\norders 0\n"]
)
def test_an_unusable_checkpoint_reads_as_none(tmp_path: Path, text: str) -> None:
    path = tmp_path / "recovery-point-offset-checkpoint"
    path.write_text(text)

    assert read_checkpoint(path) is None
    assert read_checkpoint(tmp_path / "missing") is None


def test_a_clean_close_checkpoints_every_partition(data_dir: Path) -> None:
    end = fill(data_dir)

    assert read_checkpoint(data_dir / "recovery-point-offset-checkpoint") == {(TOPIC, 0): end}


# -- torn tails ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kept", [HEADER_SIZE + 10, 30, 8], ids=["mid-batch", "mid-header", "8B"])
def test_torn_tail_is_truncated_on_recovery(
    data_dir: Path, caplog: pytest.LogCaptureFixture, kept: int
) -> None:
    end = fill(data_dir)
    active = segment_files(data_dir, TOPIC)[-1]
    position, _ = batch_spans(active)[-1]
    truncate(active, position + kept)

    with caplog.at_level(logging.WARNING, logger="hub.log"), LocalLog(data_dir) as log:
        assert log.latest_offset(TOPIC, 0) == end - PER_BATCH
        assert read_all(log, TOPIC, 0) == expected(end - PER_BATCH)
        assert log.append_batch(TOPIC, 0, [b"after"]) == end - PER_BATCH

    assert f"truncated a torn tail of {kept} bytes at byte {position}" in warnings_of(caplog)
    assert active.name in warnings_of(caplog)


def test_garbage_after_the_last_batch_is_truncated(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    end = fill(data_dir)
    active = segment_files(data_dir, TOPIC)[-1]
    size = active.stat().st_size
    garbage = random.Random(7).randbytes(300)
    with active.open("ab") as file:
        file.write(garbage)

    with caplog.at_level(logging.WARNING, logger="hub.log"), LocalLog(data_dir) as log:
        assert read_all(log, TOPIC, 0) == expected(end)
        assert log.append_batch(TOPIC, 0, [b"after"]) == end

    assert active.stat().st_size > size
    assert f"truncated a torn tail of {len(garbage)} bytes at byte {size}" in warnings_of(caplog)


def test_a_last_batch_failing_its_crc_is_a_torn_tail(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    end = fill(data_dir)
    active = segment_files(data_dir, TOPIC)[-1]
    position, size = batch_spans(active)[-1]
    flip_byte(active, position + size - 4)

    with caplog.at_level(logging.WARNING, logger="hub.log"), LocalLog(data_dir) as log:
        assert read_all(log, TOPIC, 0) == expected(end - PER_BATCH)

    assert f"truncated a torn tail of {size} bytes" in warnings_of(caplog)


def test_a_torn_tail_is_found_without_a_checkpoint(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    end = fill(data_dir)
    forget_checkpoint(data_dir)
    active = segment_files(data_dir, TOPIC)[-1]
    position, _ = batch_spans(active)[-1]
    truncate(active, position + 100)

    with caplog.at_level(logging.WARNING, logger="hub.log"), LocalLog(data_dir) as log:
        assert read_all(log, TOPIC, 0) == expected(end - PER_BATCH)

    assert "truncated a torn tail of 100 bytes" in warnings_of(caplog)


def test_segments_written_after_a_torn_segment_are_dropped(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fill(data_dir)
    forget_checkpoint(data_dir)
    segments = segment_files(data_dir, TOPIC)
    torn = segments[-2]
    spans = batch_spans(torn)
    truncate(torn, spans[-1][0] + 20)
    torn_base = int(torn.stem) + (len(spans) - 1) * PER_BATCH

    with caplog.at_level(logging.WARNING, logger="hub.log"), LocalLog(data_dir) as log:
        assert log.latest_offset(TOPIC, 0) == torn_base
        assert read_all(log, TOPIC, 0) == expected(torn_base)
        assert log.append_batch(TOPIC, 0, [b"after"]) == torn_base

    assert not segments[-1].exists()
    assert f"deleting {segments[-1].name}" in warnings_of(caplog)


def test_an_unclean_shutdown_without_damage_loses_nothing(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    end = fill(data_dir)
    forget_checkpoint(data_dir)

    with caplog.at_level(logging.WARNING, logger="hub.log"), LocalLog(data_dir) as log:
        assert read_all(log, TOPIC, 0) == expected(end)

    assert warnings_of(caplog) == ""


def test_a_garbled_checkpoint_means_checking_everything(data_dir: Path) -> None:
    end = fill(data_dir)
    (data_dir / "recovery-point-offset-checkpoint").write_bytes(b"\x00\xffnot a checkpoint")

    with LocalLog(data_dir) as log:
        assert read_all(log, TOPIC, 0) == expected(end)

    (data_dir / "recovery-point-offset-checkpoint").write_text("0\n7\nevents 0 99\n")
    first = segment_files(data_dir, TOPIC)[0]
    position, _ = batch_spans(first)[1]
    flip_byte(first, position + HEADER_SIZE + 3)

    with pytest.raises(CorruptLogError, match=first.name):
        LocalLog(data_dir)


# -- damage in the middle --------------------------------------------------------------------------
# Where a flipped byte lands in a batch, relative to its start.
DAMAGE = {
    "record bytes": lambda size: HEADER_SIZE + 5,
    "crc": lambda size: 18,
    "attributes": lambda size: 21,
    "length": lambda size: 10,
    "magic": lambda size: 16,
    "base offset": lambda size: 7,
}


@pytest.mark.parametrize("where", sorted(DAMAGE))
def test_damage_in_the_recovery_range_raises_on_open(data_dir: Path, where: str) -> None:
    fill(data_dir)
    forget_checkpoint(data_dir)
    active = segment_files(data_dir, TOPIC)[-1]
    position, size = batch_spans(active)[1]
    flip_byte(active, position + DAMAGE[where](size))

    with pytest.raises(
        CorruptLogError, match=rf"{active}: .* at byte {position}, followed by valid"
    ):
        LocalLog(data_dir)


@pytest.mark.parametrize("segment", [0, 2])
def test_damage_in_an_early_segment_raises_on_open_after_a_crash(
    data_dir: Path, segment: int
) -> None:
    fill(data_dir)
    forget_checkpoint(data_dir)
    damaged = segment_files(data_dir, TOPIC)[segment]
    position, _ = batch_spans(damaged)[0]
    flip_byte(damaged, position + 10)

    with pytest.raises(CorruptLogError, match=damaged.name):
        LocalLog(data_dir)
    assert damaged.exists()


@pytest.mark.parametrize("where", sorted(DAMAGE))
def test_damage_in_a_closed_segment_raises_on_read(data_dir: Path, where: str) -> None:
    # One timestamp throughout: the time index's one entry is the segment's first batch, so the
    # sanity check at open (Kafka's: the last index entries match the file) never reaches the
    # damaged third batch; with the clock's, a slow run may index that batch and fail at open.
    end = fill(data_dir, timestamp=1_700_000_000_000)
    damaged, following = segment_files(data_dir, TOPIC)[1:3]
    position, size = batch_spans(damaged)[2]
    flip_byte(damaged, position + DAMAGE[where](size))
    base = int(damaged.stem)
    bad_offset = base + 2 * PER_BATCH

    with LocalLog(data_dir) as log:
        # Reads up to the damage return the intact batches before it, then the damage raises.
        assert [r.value for r in log.read(TOPIC, 0, base)] == expected(bad_offset)[base:]
        with pytest.raises(CorruptLogError, match=damaged.name):
            log.read(TOPIC, 0, bad_offset)
        assert read_all(log, TOPIC, 0, int(following.stem)) == expected(end)[int(following.stem) :]
        assert [r.value for r in log.read(TOPIC, 0, 0, max_records=1)] == [value_for(0, 0)]


@pytest.mark.parametrize("where", ["record bytes", "crc", "attributes"])
def test_reads_resume_after_a_batch_failing_its_crc(data_dir: Path, where: str) -> None:
    end = fill(data_dir)
    damaged = segment_files(data_dir, TOPIC)[1]
    position, size = batch_spans(damaged)[2]
    flip_byte(damaged, position + DAMAGE[where](size))
    after = int(damaged.stem) + 3 * PER_BATCH

    with LocalLog(data_dir) as log:
        assert read_all(log, TOPIC, 0, after) == expected(end)[after:]


def test_a_missing_segment_in_the_middle_raises_on_open(data_dir: Path) -> None:
    fill(data_dir)
    segment_files(data_dir, TOPIC)[1].unlink()

    with pytest.raises(CorruptLogError, match="segment files are missing"):
        LocalLog(data_dir)


def test_losing_flushed_records_is_logged_as_an_error(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    end = fill(data_dir)
    last = segment_files(data_dir, TOPIC)[-1]
    last.unlink()

    with caplog.at_level(logging.ERROR, logger="hub.log"), LocalLog(data_dir) as log:
        assert log.latest_offset(TOPIC, 0) == int(last.stem)

    assert f"the log ends at offset {last.stem.lstrip('0')}, but offsets up to {end}" in (
        warnings_of(caplog)
    )


def test_an_interrupted_topic_deletion_is_finished_on_open(data_dir: Path) -> None:
    fill(data_dir)
    leftover = data_dir / "topics" / "gone-0.deleting"
    leftover.mkdir()
    (leftover / "00000000000000000000.log").write_bytes(b"old data")

    with LocalLog(data_dir) as log:
        assert log.list_topics() == [TOPIC]

    assert not leftover.exists()
    assert partition_dir(data_dir, TOPIC).exists()


def test_a_new_topic_never_inherits_segments_of_a_half_deleted_one(data_dir: Path) -> None:
    fill(data_dir)
    # A crash after the topic's metadata was removed, before its directory was.
    (data_dir / "meta" / "topics" / f"{TOPIC}.json").unlink()

    with LocalLog(data_dir) as log:
        assert log.list_topics() == []
        log.create_topic(TOPIC, CONFIG)
        assert log.latest_offset(TOPIC, 0) == 0
        assert log.append_batch(TOPIC, 0, [b"fresh"]) == 0
        assert read_all(log, TOPIC, 0) == [b"fresh"]
