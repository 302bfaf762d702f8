"""The ``file`` sink, driven through open/write/flush/close into real directories."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pyarrow.csv as pacsv
import pytest

from connectors.files import FileSink
from hub.errors import FatalError, RecordError, RetriableError
from tests.connectors.drive import sink_batch, sink_context


def open_sink(directory: Path, task: int = 0, tasks: int = 1, **config: Any) -> FileSink:
    sink = FileSink()
    sink.open({"path": str(directory), **config}, sink_context(task, tasks))
    return sink


def values(first: int, count: int) -> tuple[list[int], list[bytes | None]]:
    offsets = list(range(first, first + count))
    return offsets, [b'{"id":%d}' % i for i in offsets]


def lines(directory: Path, pattern: str = "*.jsonl") -> list[bytes]:
    return [line for path in sorted(directory.glob(pattern)) for line in path.read_bytes().split()]


def names(directory: Path) -> list[str]:
    return sorted(os.listdir(directory))


def test_flush_completes_a_file_named_by_topic_partition_and_offsets(tmp_path: Path) -> None:
    sink = open_sink(tmp_path)
    sink.write(sink_batch(*values(0, 3)))
    assert names(tmp_path) == [f".orders-0-{0:020d}.jsonl.tmp"]  # invisible to *.jsonl
    sink.flush()
    assert names(tmp_path) == [f"orders-0-{0:020d}-{2:020d}.jsonl"]
    assert (tmp_path / names(tmp_path)[0]).read_bytes() == b'{"id":0}\n{"id":1}\n{"id":2}\n'
    assert sink.committed_offsets() == {("orders", 0): 3}
    sink.close()


def test_each_partition_gets_its_own_files(tmp_path: Path) -> None:
    sink = open_sink(tmp_path)
    sink.write(sink_batch(*values(0, 2), topic="my-topic.v1", partition=0))
    sink.write(sink_batch(*values(5, 1), topic="my-topic.v1", partition=11))
    sink.flush()
    sink.close()
    assert names(tmp_path) == [
        f"my-topic.v1-0-{0:020d}-{1:020d}.jsonl",
        f"my-topic.v1-11-{5:020d}-{5:020d}.jsonl",
    ]
    assert open_sink(tmp_path).committed_offsets() == {
        ("my-topic.v1", 0): 2,
        ("my-topic.v1", 11): 6,
    }


def test_nothing_written_since_the_last_flush_means_no_new_file(tmp_path: Path) -> None:
    sink = open_sink(tmp_path)
    sink.write(sink_batch(*values(0, 1)))
    sink.flush()
    sink.flush()
    assert len(names(tmp_path)) == 1


def test_files_rotate_after_max_records_exactly(tmp_path: Path) -> None:
    sink = open_sink(tmp_path, max_records=4)
    sink.write(sink_batch(*values(0, 6)))
    sink.write(sink_batch(*values(6, 5)))
    sink.flush()
    ranges = [name.split("-")[2:4] for name in names(tmp_path)]
    assert [(int(a), int(b.split(".")[0])) for a, b in ranges] == [(0, 3), (4, 7), (8, 10)]
    assert lines(tmp_path) == [b'{"id":%d}' % i for i in range(11)]


def test_files_rotate_before_exceeding_max_bytes(tmp_path: Path) -> None:
    sink = open_sink(tmp_path, max_bytes=30)  # three 10-byte lines per file
    sink.write(sink_batch(*values(0, 10)))
    sink.flush()
    sizes = [(tmp_path / name).stat().st_size for name in names(tmp_path)]
    assert sizes == [27, 27, 27, 9]
    assert lines(tmp_path) == [b'{"id":%d}' % i for i in range(10)]


def test_files_rotate_after_max_age(tmp_path: Path) -> None:
    sink = open_sink(tmp_path, max_age="50ms")
    sink.write(sink_batch(*values(0, 1)))
    time.sleep(0.08)
    sink.write(sink_batch(*values(1, 1)))  # the first file is old: completed before this one
    assert [n for n in names(tmp_path) if not n.startswith(".")] == [
        f"orders-0-{0:020d}-{0:020d}.jsonl"
    ]
    sink.flush()
    assert len(names(tmp_path)) == 2


def test_a_crash_before_flush_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    sink = open_sink(tmp_path, max_records=3)
    sink.write(sink_batch(*values(0, 5)))  # completes 0-2; 3-4 are in a temporary file
    for output in sink._files.values():  # the process dies: no flush, no close
        output.file.close()
    assert f".orders-0-{3:020d}.jsonl.tmp" in names(tmp_path)
    restarted = open_sink(tmp_path, max_records=3)
    assert not [n for n in names(tmp_path) if n.endswith(".tmp")]  # leftovers removed
    resume = restarted.committed_offsets()[("orders", 0)]
    assert resume == 3
    restarted.write(sink_batch(*values(resume, 10 - resume)))  # the runtime delivers again
    restarted.flush()
    assert lines(tmp_path) == [b'{"id":%d}' % i for i in range(10)]


def test_records_delivered_twice_are_written_once(tmp_path: Path) -> None:
    sink = open_sink(tmp_path)
    sink.write(sink_batch(*values(0, 5)))
    sink.write(sink_batch(*values(3, 4)))  # overlaps the open file
    sink.flush()
    sink.write(sink_batch(*values(0, 8)))  # overlaps the completed file
    sink.flush()
    assert lines(tmp_path) == [b'{"id":%d}' % i for i in range(8)]


def test_close_without_flush_discards_what_is_not_durable(tmp_path: Path) -> None:
    sink = open_sink(tmp_path)
    sink.write(sink_batch(*values(0, 2)))
    sink.close()
    assert names(tmp_path) == []


def test_with_several_tasks_leftovers_are_removed_by_the_partitions_new_writer(
    tmp_path: Path,
) -> None:
    (tmp_path / f".orders-0-{0:020d}.jsonl.tmp").write_bytes(b"partial")
    (tmp_path / f".orders-1-{0:020d}.jsonl.tmp").write_bytes(b"partial")
    sink = open_sink(tmp_path, task=0, tasks=2)
    sink.write(sink_batch(*values(0, 1), partition=0))
    sink.flush()
    assert names(tmp_path) == [
        f".orders-1-{0:020d}.jsonl.tmp",  # another task's partition: not ours to touch
        f"orders-0-{0:020d}-{0:020d}.jsonl",
    ]


def test_tombstones_write_no_line_but_count_in_the_range(tmp_path: Path) -> None:
    sink = open_sink(tmp_path)
    sink.write(sink_batch([0, 1, 2], [b"1", None, b"3"]))
    sink.flush()
    assert names(tmp_path) == [f"orders-0-{0:020d}-{2:020d}.jsonl"]
    assert lines(tmp_path) == [b"1", b"3"]


def test_a_value_spanning_lines_is_written_on_one(tmp_path: Path) -> None:
    sink = open_sink(tmp_path)
    sink.write(sink_batch([0, 1], [b'{\n  "a": "x\\ny"\n}', b"2"]))
    sink.flush()
    path = tmp_path / names(tmp_path)[0]
    assert path.read_bytes() == b'{"a":"x\\ny"}\n2\n'


def test_csv_files_have_a_header_each(tmp_path: Path) -> None:
    sink = open_sink(tmp_path, format="csv", max_records=2)
    sink.write(sink_batch([0, 1, 2], [b'{"id":1,"name":"a"}', None, b'{"id":3,"name":"c, d"}']))
    sink.flush()
    files = names(tmp_path)
    assert files == [f"orders-0-{0:020d}-{1:020d}.csv", f"orders-0-{2:020d}-{2:020d}.csv"]
    assert (tmp_path / files[0]).read_text() == '"id","name"\n1,"a"\n'
    second = pacsv.read_csv(tmp_path / files[1]).to_pylist()
    assert second == [{"id": 3, "name": "c, d"}]


def test_csv_starts_a_new_file_when_the_columns_change(tmp_path: Path) -> None:
    sink = open_sink(tmp_path, format="csv")
    sink.write(sink_batch([0], [b'{"id":1}']))
    sink.write(sink_batch([1], [b'{"id":2.5}']))  # a double: cast to the file's int64? no
    sink.write(sink_batch([2], [b'{"other":"x"}']))
    sink.flush()
    texts = [(tmp_path / name).read_text() for name in names(tmp_path)]
    assert texts[-1] == '"other"\n"x"\n'
    assert sink.committed_offsets() == {("orders", 0): 3}


def test_csv_refuses_nested_values_with_a_hint(tmp_path: Path) -> None:
    sink = open_sink(tmp_path, format="csv")
    with pytest.raises(FatalError, match="flatten"):
        sink.write(sink_batch([0], [b'{"a":{"b":1}}']))
    sink.close()


def test_an_unwritable_directory_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(FatalError, match=r"cannot write to the output directory .*file/out"):
        open_sink(blocker / "out")


def test_a_failed_write_is_rolled_back_and_can_be_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sink = open_sink(tmp_path)
    sink.write(sink_batch(*values(0, 2)))
    output = sink._files["orders", 0]
    real_write = output.file.write

    def half_then_full(data: bytes) -> int:
        real_write(data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.file, "write", half_then_full)
    with pytest.raises(RetriableError, match="No space left"):
        sink.write(sink_batch(*values(2, 2)))
    monkeypatch.setattr(output.file, "write", real_write)
    sink.write(sink_batch(*values(2, 2)))  # the runtime retries the same batch
    sink.flush()
    assert lines(tmp_path) == [b'{"id":%d}' % i for i in range(4)]


def test_the_output_directory_is_created(tmp_path: Path) -> None:
    sink = open_sink(tmp_path / "a" / "b")
    sink.write(sink_batch(*values(0, 1)))
    sink.flush()
    assert len(names(tmp_path / "a" / "b")) == 1


def test_csv_writes_values_of_mixed_types_as_json_text(tmp_path: Path) -> None:
    sink = open_sink(tmp_path, format="csv")
    sink.write(sink_batch([0, 1], [b'{"id":1,"v":1}', b'{"id":2,"v":"x"}']))
    sink.flush()
    sink.close()
    assert (tmp_path / names(tmp_path)[0]).read_text() == '"id","v"\n1,"1"\n2,"""x"""\n'


def test_csv_passes_values_that_are_not_objects_to_the_dead_letter_policy(tmp_path: Path) -> None:
    sink = open_sink(tmp_path, format="csv")
    with pytest.raises(RecordError):
        sink.write(sink_batch([0, 1], [b'{"id":1}', b"[1, 2]"]))
    sink.close()
