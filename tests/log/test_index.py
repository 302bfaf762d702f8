"""The sparse ``.index`` and ``.timeindex`` files: Kafka's formats, lookups, and rebuilds.

Indexes are caches of the segment: whatever happens to them, reads must still be right.
"""

from __future__ import annotations

import logging
import random
import struct
from pathlib import Path

import pytest

from hub.log import LocalLog, TopicConfig
from hub.log.index import IndexCorrupt, OffsetIndex, TimeIndex
from hub.record import Record
from tests.log.conftest import batch_spans, read_all, segment_files, value_for


# -- the offset index ------------------------------------------------------------------------------
@pytest.fixture
def offset_index(tmp_path: Path) -> OffsetIndex:
    index = OffsetIndex(tmp_path / "00000000000000000100.index", 100, writable=True)
    for last_offset, position in [(104, 0), (109, 300), (120, 700)]:
        index.add(last_offset, position)
    return index


def test_offset_index_entries_are_kafka_relative_offset_and_position(
    offset_index: OffsetIndex,
) -> None:
    data = offset_index.path.read_bytes()

    assert list(struct.iter_unpack(">ii", data)) == [(4, 0), (9, 300), (20, 700)]


@pytest.mark.parametrize(
    ("offset", "position", "entry"),
    [
        (100, 0, None),
        (104, 0, None),
        (105, 0, (104, 0)),
        (109, 0, (104, 0)),
        (110, 300, (109, 300)),
        (121, 700, (120, 700)),
        (10_000, 700, (120, 700)),
    ],
)
def test_lookup_gives_a_position_before_the_batch_holding_the_offset(
    offset_index: OffsetIndex, offset: int, position: int, entry: tuple[int, int] | None
) -> None:
    assert offset_index.lookup(offset) == position
    assert offset_index.entry_before(offset) == entry


def test_an_offset_index_loads_what_was_written(offset_index: OffsetIndex) -> None:
    offset_index.close()
    again = OffsetIndex(offset_index.path, 100, writable=True)

    again.load()

    assert (again.keys, again.values) == ([104, 109, 120], [0, 300, 700])
    again.close()


def test_truncating_an_offset_index_drops_later_entries(offset_index: OffsetIndex) -> None:
    assert offset_index.entries_below(700) == 2

    offset_index.truncate_to_entries(2)

    assert offset_index.keys == [104, 109]
    assert len(offset_index.path.read_bytes()) == 16
    offset_index.close()


def test_rewriting_an_offset_index_replaces_every_entry(offset_index: OffsetIndex) -> None:
    offset_index.rewrite([101], [0])

    assert offset_index.path.read_bytes() == struct.pack(">ii", 1, 0)
    offset_index.close()


@pytest.mark.parametrize(
    "entries",
    [
        [(5, 0), (3, 100)],
        [(3, 100), (5, 100)],
        [(3, 100), (5, 50)],
        [(-1, 0)],
        [(1, -5)],
    ],
    ids=["offsets back", "same position", "positions back", "negative offset", "negative position"],
)
def test_an_offset_index_out_of_order_is_corrupt(tmp_path: Path, entries: list) -> None:
    path = tmp_path / "00000000000000000000.index"
    path.write_bytes(b"".join(struct.pack(">ii", *e) for e in entries))

    with pytest.raises(IndexCorrupt, match="out of order"):
        OffsetIndex(path, 0, writable=False).load()


def test_a_missing_index_is_corrupt(tmp_path: Path) -> None:
    with pytest.raises(IndexCorrupt, match="missing"):
        OffsetIndex(tmp_path / "00000000000000000000.index", 0, writable=False).load()


def test_a_partial_entry_is_corrupt_for_the_writer_but_not_for_a_reader(tmp_path: Path) -> None:
    path = tmp_path / "00000000000000000000.index"
    path.write_bytes(struct.pack(">ii", 3, 0) + b"\x00\x00\x00")

    reader = OffsetIndex(path, 0, writable=False)
    reader.load()
    assert reader.keys == [3]
    writer = OffsetIndex(path, 0, writable=True)
    with pytest.raises(IndexCorrupt, match="partial"):
        writer.load()
    writer.close()


# -- the time index --------------------------------------------------------------------------------
@pytest.fixture
def time_index(tmp_path: Path) -> TimeIndex:
    index = TimeIndex(tmp_path / "00000000000000000100.timeindex", 100, writable=True)
    for timestamp, offset in [(1000, 102), (2000, 110), (3000, 111)]:
        index.add(timestamp, offset)
    return index


def test_time_index_entries_are_kafka_timestamp_and_relative_offset(
    time_index: TimeIndex,
) -> None:
    data = time_index.path.read_bytes()

    assert list(struct.iter_unpack(">qi", data)) == [(1000, 2), (2000, 10), (3000, 11)]
    assert time_index.max_timestamp == 3000
    time_index.close()


@pytest.mark.parametrize(
    ("timestamp", "offset"), [(0, None), (1000, None), (1001, 102), (2000, 102), (9999, 111)]
)
def test_offset_before_is_the_last_offset_known_to_be_earlier(
    time_index: TimeIndex, timestamp: int, offset: int | None
) -> None:
    assert time_index.offset_before(timestamp) == offset
    time_index.close()


@pytest.mark.parametrize(
    "entries",
    [[(2000, 1), (1000, 2)], [(1000, 1), (1000, 2)], [(1000, 5), (2000, 3)], [(1000, -1)]],
    ids=["time back", "same time", "offsets back", "negative offset"],
)
def test_a_time_index_out_of_order_is_corrupt(tmp_path: Path, entries: list) -> None:
    path = tmp_path / "00000000000000000000.timeindex"
    path.write_bytes(b"".join(struct.pack(">qi", *e) for e in entries))

    with pytest.raises(IndexCorrupt, match="out of order"):
        TimeIndex(path, 0, writable=False).load()


# -- rebuilding damaged indexes --------------------------------------------------------------------
TOPIC = "events"
CONFIG = TopicConfig(segment_bytes=3000, index_interval_bytes=200, retention_ms=None)


def fill(data_dir: Path) -> int:
    with LocalLog(data_dir) as log:
        log.create_topic(TOPIC, CONFIG)
        for n in range(40):
            base = log.latest_offset(TOPIC, 0)
            log.append(
                TOPIC, [Record(value_for(0, base + i), timestamp=1000 + 10 * n) for i in range(3)]
            )
        return log.latest_offset(TOPIC, 0)


def check_reads(data_dir: Path, end: int) -> None:
    with LocalLog(data_dir) as log:
        assert read_all(log, TOPIC, 0) == [value_for(0, o) for o in range(end)]
        for offset in range(end):
            assert log.read(TOPIC, 0, offset, max_records=1)[0].offset == offset
        for n in range(40):
            assert log.offset_for_time(TOPIC, 0, 1000 + 10 * n) == 3 * n
            assert log.offset_for_time(TOPIC, 0, 1000 + 10 * n - 5) == 3 * n


def garble(path: Path, how: str) -> None:
    data = path.read_bytes()
    entry = 8 if path.suffix == ".index" else 12
    assert len(data) >= 2 * entry, f"{path} holds too few entries to garble"
    if how == "deleted":
        path.unlink()
    elif how == "random bytes":
        path.write_bytes(random.Random(3).randbytes(len(data)))
    elif how == "partial entry":
        path.write_bytes(data[:-3])
    elif how == "zeroed":
        path.write_bytes(bytes(len(data)))
    elif how == "entries swapped":
        path.write_bytes(data[entry : 2 * entry] + data[:entry] + data[2 * entry :])
    elif how == "last entry shifted":
        if entry == 8:
            relative, position = struct.unpack(">ii", data[-8:])
            tail = struct.pack(">ii", relative, position + 5)
        else:
            timestamp, relative = struct.unpack(">qi", data[-12:])
            tail = struct.pack(">qi", timestamp + 5, relative)
        path.write_bytes(data[:-entry] + tail)
    else:  # pragma: no cover
        raise AssertionError(how)


HOW = [
    "deleted",
    "random bytes",
    "partial entry",
    "zeroed",
    "entries swapped",
    "last entry shifted",
]


@pytest.mark.parametrize("suffix", ["index", "timeindex"])
@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("segment", [0, -1], ids=["closed segment", "active segment"])
def test_a_damaged_index_is_rebuilt_and_reads_stay_right(
    data_dir: Path, caplog: pytest.LogCaptureFixture, suffix: str, how: str, segment: int
) -> None:
    end = fill(data_dir)
    path = segment_files(data_dir, TOPIC, suffix=suffix)[segment]
    garble(path, how)

    with caplog.at_level(logging.WARNING, logger="hub.log"):
        check_reads(data_dir, end)

    assert f"rebuilding the indexes of {path.with_suffix('.log')}" in caplog.text
    check_reads(data_dir, end)  # the rebuilt files are good on the next open


def test_rebuilt_indexes_match_the_originals(data_dir: Path) -> None:
    fill(data_dir)
    indexes = segment_files(data_dir, TOPIC, suffix="index")
    time_indexes = segment_files(data_dir, TOPIC, suffix="timeindex")
    originals = {path: path.read_bytes() for path in [*indexes, *time_indexes]}
    for path in originals:
        path.unlink()

    with LocalLog(data_dir):
        pass

    assert all(path.read_bytes() == originals[path] for path in indexes)
    # A closed segment's time index also got its maximum when the segment rolled; a rebuild
    # leaves that entry out (the maximum is found by scanning the tail of the segment anyway).
    for path in time_indexes:
        assert originals[path].startswith(path.read_bytes())
        assert len(originals[path]) - len(path.read_bytes()) in (0, 12)


def test_an_index_entry_in_the_middle_pointing_astray_does_not_break_reads(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    end = fill(data_dir)
    path = segment_files(data_dir, TOPIC, suffix="index")[0]
    data = bytearray(path.read_bytes())
    relative, position = struct.unpack(">ii", data[8:16])
    data[8:16] = struct.pack(">ii", relative, position + 1)
    path.write_bytes(bytes(data))

    with caplog.at_level(logging.WARNING, logger="hub.log"):
        check_reads(data_dir, end)

    assert f"{path} does not match" in caplog.text


def test_the_index_is_sparse(data_dir: Path) -> None:
    fill(data_dir)
    log_file = segment_files(data_dir, TOPIC)[0]
    spans = batch_spans(log_file)
    entries = list(struct.iter_unpack(">ii", log_file.with_suffix(".index").read_bytes()))

    assert 1 < len(entries) <= log_file.stat().st_size // CONFIG.index_interval_bytes
    assert len(entries) < len(spans)
    starts = {position: int(log_file.stem) for position, _ in spans}
    assert all(position in starts for _, position in entries)


def test_records_at_the_epoch_are_indexed_once(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with LocalLog(data_dir) as log:
        log.create_topic(TOPIC, TopicConfig(index_interval_bytes=0, segment_bytes=200))
        for _ in range(6):
            log.append(TOPIC, [Record(b"v" * 50, timestamp=0)])

    with caplog.at_level(logging.WARNING, logger="hub.log"), LocalLog(data_dir) as log:
        assert log.offset_for_time(TOPIC, 0, 0) == 0

    assert caplog.text == ""
    for path in segment_files(data_dir, TOPIC, suffix="timeindex"):
        assert list(struct.iter_unpack(">qi", path.read_bytes())) == [(0, 0)]
