"""The ``file`` source, driven through open/poll/close on real files."""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.files import FileSource
from connectors.files import rows as rows_module
from connectors.files.types import arrow_types
from hub.errors import ConfigError
from hub.sdk import SourceBatch
from tests.connectors.drive import drain, offsets_after, rows, source_context

CSV = (
    "id,amount,name,active,created\n"
    "1,10.5,ada,true,2024-01-02T03:04:05\n"
    '2,20.25,"lovelace, ada",false,2024-01-02T03:04:06\n'
    '3,30,"multi\nline ""quoted""",true,2024-01-02T03:04:07\n'
    "4,40.75,grace,false,2024-01-02T03:04:08\r\n"
    "5,50,alan,true,2024-01-02T03:04:09\n"
)


def open_source(root: Path, offsets: dict[str, Any] | None = None, **config: Any) -> FileSource:
    source = FileSource()
    source.open({"root": str(root), "scan_interval": 0, **config}, source_context(offsets))
    return source


def read_all(root: Path, offsets: dict[str, Any] | None = None, **config: Any) -> list[SourceBatch]:
    source = open_source(root, offsets, **config)
    try:
        return drain(source)
    finally:
        source.close()


def ids(batches: list[SourceBatch]) -> list[int]:
    return [row["id"] for row in rows(batches)]


# -- CSV -----------------------------------------------------------------------------------------
def test_csv_rows_arrive_as_typed_tables_in_bounded_batches(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text(CSV)
    batches = read_all(tmp_path, path="*.csv", max_records=2)
    assert [len(b) for b in batches] == [2, 2, 1]
    assert all(isinstance(b.records, pa.Table) for b in batches)
    first = batches[0].records
    assert isinstance(first, pa.Table)
    assert first.schema.field("id").type == pa.int64()
    assert first.schema.field("amount").type == pa.float64()
    assert first.schema.field("active").type == pa.bool_()
    assert pa.types.is_timestamp(first.schema.field("created").type)
    assert rows(batches)[1] == {
        "id": 2,
        "amount": 20.25,
        "name": "lovelace, ada",
        "active": False,
        "created": dt.datetime(2024, 1, 2, 3, 4, 6),
    }
    assert rows(batches)[2]["name"] == 'multi\nline "quoted"'
    assert rows(batches)[3]["created"] == dt.datetime(2024, 1, 2, 3, 4, 8)


def test_the_offset_names_the_file_and_the_byte_after_the_last_row(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id\n1\n2\n")
    batch = read_all(tmp_path, path="a.csv", max_records=1)[0]
    stat = path.stat()
    offset = batch.offsets["a.csv"]
    assert offset["path"] == "a.csv"
    assert (offset["device"], offset["inode"]) == (stat.st_dev, stat.st_ino)
    assert offset["position"] == len("id\n1\n")
    assert isinstance(offset["head"], int)


@pytest.mark.parametrize("max_records", [1, 2, 3, 100])
def test_a_restart_from_any_checkpoint_repeats_and_skips_nothing(
    tmp_path: Path, max_records: int
) -> None:
    (tmp_path / "a.csv").write_text(CSV)
    everything = read_all(tmp_path, path="a.csv", max_records=max_records)
    for done in range(len(everything) + 1):
        checkpoint = offsets_after(everything[:done])
        rest = read_all(tmp_path, checkpoint, path="a.csv", max_records=max_records)
        assert ids(everything[:done]) + ids(rest) == [1, 2, 3, 4, 5]


def test_polling_from_the_same_offsets_yields_the_same_batches(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("".join(f"{i},{'x' * (i % 7)}\n" for i in range(5000)))
    config: dict[str, Any] = {"path": "a.csv", "header": False, "max_records": 700}
    first = read_all(tmp_path, max_bytes=4096, **config)
    checkpoint = offsets_after(first[:3])
    again = read_all(tmp_path, checkpoint, max_bytes=4096, **config)
    assert [b.offsets for b in again] == [b.offsets for b in first[3:]]
    assert [len(b) for b in again] == [len(b) for b in first[3:]]


def test_a_quote_inside_an_unquoted_field_is_an_ordinary_character(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text('id,size\n1,5"\n2,"a\nb"\n3,x"y\n')
    for max_records in (1, 10):
        got = rows(read_all(tmp_path, path="a.csv", max_records=max_records))
        assert got == [{"id": 1, "size": '5"'}, {"id": 2, "size": "a\nb"}, {"id": 3, "size": 'x"y'}]


def test_a_row_with_the_wrong_number_of_columns_fails_alone_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text('id,name\n1,"two\nlines"\n2\n3,c\n4,d,extra\n5,e\n')
    batches = read_all(tmp_path, path="a.csv")
    assert ids(batches) == [1, 3, 5]
    failed = [f for b in batches for f in b.failed]
    assert [(f.raw, f.position["line"]) for f in failed] == [(b"2", 4), (b"4,d,extra", 6)]
    assert all(f.position["path"] == "a.csv" for f in failed)
    assert "Expected 2 columns, got 1" in failed[0].error


def test_a_value_that_does_not_convert_to_its_declared_type_fails_alone(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id,amount\n1,1.5\n2,lots\n3,3\n")
    batches = read_all(tmp_path, path="a.csv", columns={"id": "integer", "amount": "number"})
    assert rows(batches) == [{"id": 1, "amount": 1.5}, {"id": 3, "amount": 3.0}]
    (failure,) = [f for b in batches for f in b.failed]
    assert failure.raw == b"2,lots"
    assert failure.position == {"path": "a.csv", "line": 3, "position": len("id,amount\n1,1.5\n")}
    assert "lots" in failure.error


def test_failed_rows_after_a_restart_keep_their_true_line_numbers(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id\n1\n2\n3\nx,y\n")
    first = read_all(tmp_path, path="a.csv", max_records=2)
    rest = read_all(tmp_path, offsets_after(first[:1]), path="a.csv", max_records=2)
    assert [f.position["line"] for b in rest for f in b.failed] == [5]


def test_declared_types_apply_and_others_are_inferred(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id,code,day\n1,007,2024-05-06\n")
    (batch,) = read_all(tmp_path, path="a.csv", columns={"code": "string", "day": "date"})
    assert rows([batch]) == [{"id": 1, "code": "007", "day": dt.date(2024, 5, 6)}]


def test_without_a_header_columns_are_named_by_config_or_by_position(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("1,ada\n2,alan\n")
    named = read_all(tmp_path, path="a.csv", header=False, column_names=["id", "name"])
    assert rows(named) == [{"id": 1, "name": "ada"}, {"id": 2, "name": "alan"}]
    typed = read_all(tmp_path, path="a.csv", header=False, columns={"n": "string", "who": "string"})
    assert rows(typed)[0] == {"n": "1", "who": "ada"}
    numbered = read_all(tmp_path, path="a.csv", header=False)
    assert rows(numbered)[1] == {"f0": 2, "f1": "alan"}


def test_column_names_replace_the_header(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("a,b\n1,2\n")
    assert rows(read_all(tmp_path, path="a.csv", column_names=["x", "y"])) == [{"x": 1, "y": 2}]


def test_delimiter_quote_encoding_and_null_values_are_configurable(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes("id;name\n1;'Zoë; the\nfirst'\n2;NONE\n".encode("latin-1"))
    config: dict[str, Any] = {"delimiter": ";", "quote": "'", "encoding": "latin-1"}
    got = rows(read_all(tmp_path, path="a.csv", null_values=["NONE"], **config))
    assert got == [{"id": 1, "name": "Zoë; the\nfirst"}, {"id": 2, "name": None}]


def test_a_byte_order_mark_is_not_part_of_the_first_column_name(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes(b"\xef\xbb\xbfid,name\n1,a\n")
    assert rows(read_all(tmp_path, path="a.csv")) == [{"id": 1, "name": "a"}]


def test_a_last_row_without_newline_is_read_unless_following(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id\n1\n2")
    assert ids(read_all(tmp_path, path="a.csv")) == [1, 2]
    assert ids(read_all(tmp_path, path="a.csv", follow=True)) == [1]


def test_a_row_longer_than_max_bytes_is_read_whole(tmp_path: Path) -> None:
    long = "y" * 5000
    (tmp_path / "a.csv").write_text(f"id,text\n1,{long}\n2,short\n3,{long}\n")
    batches = read_all(tmp_path, path="a.csv", max_bytes=1024)
    assert ids(batches) == [1, 2, 3]
    assert rows(batches)[2]["text"] == long


def test_blank_lines_are_not_rows(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id\n1\n\n\n2\n\n")
    batches = read_all(tmp_path, path="a.csv", max_records=1)
    assert ids(batches) == [1, 2]
    assert not any(b.failed for b in batches)


def test_an_empty_file_yields_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("")
    (tmp_path / "b.csv").write_text("id\n")
    assert read_all(tmp_path, path="*.csv") == []


# -- JSON lines -------------------------------------------------------------------------------
def test_json_lines_become_tables(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"id": 1, "tags": ["a"]}\n\n{"id": 2, "nested": {"x": 1}}\n')
    batches = read_all(tmp_path, path="*.jsonl")
    assert isinstance(batches[0].records, pa.Table)
    assert rows(batches) == [
        {"id": 1, "tags": ["a"], "nested": None},
        {"id": 2, "tags": None, "nested": {"x": 1}},
    ]


def test_a_malformed_json_line_is_a_failed_record_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"id": 1}\n{"id": 2\n[3]\n{"id": 4}\n')
    batches = read_all(tmp_path, path="a.jsonl")
    assert ids(batches) == [1, 4]
    failed = [f for b in batches for f in b.failed]
    assert [(f.raw, f.position["line"]) for f in failed] == [(b'{"id": 2', 2), (b"[3]", 3)]
    assert "object" in failed[1].error


def test_json_lines_whose_types_disagree_still_arrive(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"id": 1}\n{"id": "two"}\n')
    assert ids(read_all(tmp_path, path="a.jsonl")) == [1, "two"]


def test_declared_json_types_fail_lines_that_do_not_convert(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"id": 1}\n{"id": "two"}\n{"id": 3}\n')
    batches = read_all(tmp_path, path="a.jsonl", columns={"id": "integer"})
    assert ids(batches) == [1, 3]
    assert [f.position["line"] for b in batches for f in b.failed] == [2]


def test_a_json_line_longer_than_arrows_parse_block_is_read(tmp_path: Path) -> None:
    big = "x" * 600_000
    (tmp_path / "a.jsonl").write_text(f'{{"id": 1, "big": "{big}"}}\n{{"id": 2}}\n')
    batches = read_all(tmp_path, path="a.jsonl")
    assert ids(batches) == [1, 2]
    assert rows(batches)[0]["big"] == big


def test_jsonl_resumes_mid_file(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text("".join(f'{{"id": {i}}}\n' for i in range(10)))
    first = read_all(tmp_path, path="a.jsonl", max_records=4)
    rest = read_all(tmp_path, offsets_after(first[:1]), path="a.jsonl", max_records=4)
    assert ids(rest) == list(range(4, 10))


# -- globs, the root, tasks -------------------------------------------------------------------
def test_a_glob_reads_every_match_in_name_order_one_partition_each(tmp_path: Path) -> None:
    (tmp_path / "in" / "deep").mkdir(parents=True)
    (tmp_path / "in" / "b.csv").write_text("id\n2\n")
    (tmp_path / "in" / "a.csv").write_text("id\n1\n")
    (tmp_path / "in" / "deep" / "c.csv").write_text("id\n3\n")
    (tmp_path / "in" / "skip.txt").write_text("id\n9\n")
    batches = read_all(tmp_path, path="in/**/*.csv")
    assert ids(batches) == [1, 2, 3]
    assert [list(b.offsets) for b in batches] == [["in/a.csv"], ["in/b.csv"], ["in/deep/c.csv"]]


def test_an_absolute_path_inside_the_root_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id\n1\n")
    assert ids(read_all(tmp_path, path=str(tmp_path / "*.csv"))) == [1]


def test_the_root_defaults_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.csv").write_text("id\n1\n")
    monkeypatch.chdir(tmp_path)
    source = FileSource()
    source.open({"path": "a.csv"}, source_context())
    assert ids(drain(source)) == [1]
    source.close()


@pytest.mark.parametrize("pattern", ["../*.csv", "in/../../*.csv", "/etc/*.csv"])
def test_a_path_leading_out_of_the_root_is_refused(tmp_path: Path, pattern: str) -> None:
    root = tmp_path / "root"
    root.mkdir()
    with pytest.raises(ConfigError, match="outside the root"):
        open_source(root, path=pattern)


def test_a_symlink_leading_out_of_the_root_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    secret = tmp_path / "secret.csv"
    secret.write_text("id\n1\n")
    (root / "link.csv").symlink_to(secret)
    with pytest.raises(ConfigError, match=r"'link.csv' resolves to .*secret.csv.*outside the root"):
        open_source(root, path="*.csv")


def test_a_symlink_inside_the_root_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id\n1\n")
    (tmp_path / "b.csv").symlink_to(tmp_path / "a.csv")
    assert ids(read_all(tmp_path, path="*.csv")) == [1]


def test_a_missing_root_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        open_source(tmp_path / "nope", path="*.csv")


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"encoding": "utf-16"}, "convert the files to UTF-8"),
        ({"encoding": "klingon"}, "unknown encoding"),
        ({"quote": ",", "delimiter": ","}, "must differ"),
        ({"delimiter": "§"}, "delimiter: '§' is not an ASCII character"),
        ({"path": "a.txt"}, "set `format: csv`"),
    ],
)
def test_semantic_config_problems_are_config_errors(
    tmp_path: Path, config: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        open_source(tmp_path, **{"path": "*.csv", **config})


def test_nothing_matching_is_a_warning_not_an_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert read_all(tmp_path, path="*.csv") == []
    assert "nothing under" in caplog.text


def test_tasks_split_the_files_between_them(tmp_path: Path) -> None:
    for i in range(12):
        (tmp_path / f"{i:02d}.csv").write_text(f"id\n{i}\n")
    seen: list[list[int]] = []
    for task in range(3):
        source = FileSource()
        source.open({"path": "*.csv", "root": str(tmp_path)}, source_context(task=task, tasks=3))
        seen.append(ids(drain(source)))
        source.close()
    assert sorted(i for part in seen for i in part) == list(range(12))
    assert all(part for part in seen)


# -- files that change --------------------------------------------------------------------------
def test_a_file_replaced_since_the_checkpoint_is_read_from_the_start(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id\n1\n2\n")
    checkpoint = offsets_after(read_all(tmp_path, path="a.csv"))
    replacement = tmp_path / "new.tmp"
    replacement.write_text("id\n7\n8\n9\n")
    os.replace(replacement, path)  # a new inode at the same path
    assert ids(read_all(tmp_path, checkpoint, path="a.csv")) == [7, 8, 9]


def test_a_file_rewritten_in_place_is_read_from_the_start(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id\n1\n2\n")
    checkpoint = offsets_after(read_all(tmp_path, path="a.csv"))
    path.write_text("id\n5\n6\n7\n8\n")  # same inode, other content
    assert ids(read_all(tmp_path, checkpoint, path="a.csv")) == [5, 6, 7, 8]


def test_a_checkpointed_file_renamed_to_another_match_resumes_where_it_was(tmp_path: Path) -> None:
    (tmp_path / "app.log.csv").write_text("id\n1\n2\n3\n")
    first = read_all(tmp_path, path="app*.csv", max_records=2)[:1]
    os.rename(tmp_path / "app.log.csv", tmp_path / "app.1.csv")
    (tmp_path / "app.log.csv").write_text("id\n10\n")
    rest = read_all(tmp_path, offsets_after(first), path="app*.csv", max_records=2)
    assert ids(first) + ids(rest) == [1, 2, 3, 10]


def test_appended_rows_are_read_when_polled_again(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id\n1\n")
    source = open_source(tmp_path, path="*.csv")
    assert ids(drain(source)) == [1]
    with path.open("a") as f:
        f.write("2\n")
    (tmp_path / "b.csv").write_text("id\n3\n")
    assert ids(drain(source)) == [2, 3]
    source.close()


def test_following_reads_rows_once_their_newline_is_written(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"id": 1}\n{"id"')
    source = open_source(tmp_path, path="*.jsonl", follow=True)
    assert ids(drain(source)) == [1]
    with path.open("a") as f:
        f.write(': 2}\n{"id": 3}\n')
    assert ids(drain(source)) == [2, 3]
    (tmp_path / "b.jsonl").write_text('{"id": 4}\n')
    assert ids(drain(source)) == [4]
    source.close()


def test_following_a_rotated_file_reads_its_rest_then_the_new_file(tmp_path: Path) -> None:
    path = tmp_path / "app.jsonl"
    path.write_text('{"id": 1}\n')
    source = open_source(tmp_path, path="app.jsonl", follow=True)
    assert ids(drain(source)) == [1]
    with path.open("a") as f:
        f.write('{"id": 2}\n{"id": 3}')  # the last line is finished by the rotation
    os.rename(path, tmp_path / "app.jsonl.1")
    path.write_text('{"id": 4}\n')
    batches = drain(source)
    batches += drain(source)
    assert ids(batches) == [2, 3, 4]
    positions = [b.offsets["app.jsonl"]["position"] for b in batches]
    assert positions[-1] == len('{"id": 4}\n')
    source.close()


def test_following_a_file_that_was_renamed_to_another_match_keeps_reading_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "app.jsonl"
    path.write_text('{"id": 1}\n')
    source = open_source(tmp_path, path="app.jsonl*", format="jsonl", follow=True)
    assert ids(drain(source)) == [1]
    os.rename(path, tmp_path / "app.jsonl.1")
    path.write_text('{"id": 3}\n')
    with (tmp_path / "app.jsonl.1").open("a") as f:
        f.write('{"id": 2}\n')
    batches = drain(source)
    assert sorted(ids(batches)) == [2, 3]
    renamed = next(b for b in batches if ids([b]) == [2])
    assert list(renamed.offsets) == ["app.jsonl.1"]
    source.close()


def test_a_truncated_file_is_read_again_from_the_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id\n1\n2\n3\n")
    source = open_source(tmp_path, path="a.csv", follow=True)
    assert ids(drain(source)) == [1, 2, 3]
    with path.open("w") as f:  # truncate in place (copytruncate rotation)
        f.write("id\n4\n")
    with caplog.at_level(logging.WARNING):
        assert ids(drain(source)) == [4]
    assert "truncated" in caplog.text
    source.close()


# -- cutting rows: any CSV, any batch size, any restart point --------------------------------------
_PLAIN = st.text(alphabet='ab1 "', max_size=4).filter(lambda s: not s.startswith('"'))
_QUOTED = st.text(alphabet='ab,"\n ', max_size=6).map(lambda s: '"' + s.replace('"', '""') + '"')


@settings(max_examples=100, deadline=None)
@given(
    table=st.lists(st.lists(st.one_of(_PLAIN, _QUOTED), min_size=3, max_size=3), max_size=25),
    max_records=st.integers(1, 6),
    restart=st.integers(0, 30),
    trailing_newline=st.booleans(),
    window=st.sampled_from([1, 2, 5, 64, rows_module.WINDOW]),
)
def test_blocks_parse_as_the_whole_file_does(
    table: list[list[str]], max_records: int, restart: int, trailing_newline: bool, window: int
) -> None:
    """Whatever the content (quoted newlines, stray quotes, a last row without newline), the
    numpy scan window and the batch size, blocks hold whole rows and restarts are exact."""
    text = "".join(",".join(fields) + "\n" for fields in table)
    if not trailing_newline:
        text = text[:-1]
    if not text.strip():
        return
    columns = dict.fromkeys(("a", "b", "c"), "string")
    with tempfile.TemporaryDirectory() as scratch, patch.object(rows_module, "WINDOW", window):
        root = Path(scratch)
        (root / "t.csv").write_text(text)
        whole = pacsv.read_csv(
            root / "t.csv",
            read_options=pacsv.ReadOptions(column_names=list(columns)),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types=arrow_types(columns)),
        ).to_pylist()
        config: dict[str, Any] = {"path": "t.csv", "header": False, "columns": columns}
        config.update(max_records=max_records, max_bytes=1024)
        batches = read_all(root, **config)
        assert rows(batches) == whole
        assert not any(b.failed for b in batches)
        done = batches[: restart % (len(batches) + 1)]
        rest = read_all(root, offsets_after(done), **config)
        assert rows(done) + rows(rest) == whole


def test_json_strings_that_look_like_dates_stay_as_written(tmp_path: Path) -> None:
    lines = [
        '{"at": "2020-01-01T00:00:00+02:00", "n": {"day": "2020-01-01"}, "l": ["2020-01-02"]}',
        '{"at": "2021-05-06T07:08:09Z", "n": {"day": "2021-05-06"}, "l": []}',
        '{"at": 17, "n": {"day": "x"}, "l": []}',
    ]
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n")
    got = rows(read_all(tmp_path, path="a.jsonl", max_records=1))
    assert [row["at"] for row in got] == ["2020-01-01T00:00:00+02:00", "2021-05-06T07:08:09Z", 17]
    assert got[0]["n"] == {"day": "2020-01-01"}
    assert got[0]["l"] == ["2020-01-02"]


def test_json_fields_declared_as_timestamps_are_timestamps(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"at": "2020-01-01T00:00:00"}\n')
    (batch,) = read_all(tmp_path, path="a.jsonl", columns={"at": "timestamp"})
    assert rows([batch]) == [{"at": dt.datetime(2020, 1, 1)}]


@pytest.mark.parametrize("max_records", [2, 5, 1000])
def test_blocks_are_cut_the_same_after_any_restart_even_around_long_rows(
    tmp_path: Path, max_records: int
) -> None:
    lengths = [3, 900, 40, 2500, 10, 10, 10, 700, 1100, 5, 5, 5, 5, 5, 300, 4000, 1]
    (tmp_path / "a.csv").write_text("".join(f"{i},{'y' * n}\n" for i, n in enumerate(lengths)))
    config: dict[str, Any] = {"path": "a.csv", "header": False, "max_bytes": 1024}
    config["max_records"] = max_records
    everything = read_all(tmp_path, **config)
    assert [r["f0"] for r in rows(everything)] == list(range(len(lengths)))
    for done in range(len(everything)):
        again = read_all(tmp_path, offsets_after(everything[:done]), **config)
        assert [b.offsets for b in again] == [b.offsets for b in everything[done:]]
