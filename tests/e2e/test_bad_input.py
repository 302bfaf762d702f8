"""Bad input to ``hub run`` and ``hub validate``: a clear message, no traceback, a non-zero exit,
and nothing lost (what could not be delivered is delivered once the cause is fixed)."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from tests.e2e.support import (
    HubCommand,
    all_records,
    child_environment,
    output_files,
    summary_row,
    write_text,
)

SECRET = "hunter2-e2e-secret"

# name -> (pipeline file, a line with a problem, what the messages say)
BAD_FILES: dict[str, tuple[str, int, list[str]]] = {
    "invalid-yaml": (
        """
        pipeline: broken
        sources:
          - name: rows
            type: file
           topic: rows
        """,
        5,
        ["invalid YAML"],
    ),
    "unknown-types": (
        """
        pipeline: unknown
        sources:
          - name: rows
            type: nosuch
            topic: rows
            transforms:
              - {type: uppercase_all, fields: [name]}
        sinks:
          - name: out
            type: s3-bucket
            topics: [rows]
        """,
        4,
        [
            "unknown source type 'nosuch'; known sources: file, generate, sql",
            "unknown transform type 'uppercase_all'; known transforms: cast, drop, filter",
            "unknown sink type 's3-bucket'; known sinks: file, sql, stdout",
        ],
    ),
    "missing-env": (
        """
        pipeline: envy
        sources:
          - name: rows
            type: file
            topic: rows
            config: {path: "${env:HUB_E2E_MISSING}", format: csv}
        """,
        6,
        ["environment variable HUB_E2E_MISSING is not set"],
    ),
    "unknown-key": (
        """
        pipeline: typo
        sources:
          - name: rows
            type: file
            topic: rows
            confg: {path: rows.csv}
        """,
        6,
        ["unknown key 'confg' (did you mean 'config'?)"],
    ),
}


def assert_clean_failure(stderr: str, code: int, expected: int) -> None:
    assert code == expected, stderr
    assert "error: " in stderr
    assert "Traceback" not in stderr


def write_rows(path: Path, rows: list[str], header: str = "id,name,qty") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def good_rows(ids: range) -> list[str]:
    return [f"{i},n{i},{i * 2}" for i in ids]


def by_id_records(directory: Path) -> list[dict[str, object]]:
    return sorted(all_records(directory), key=lambda r: r["id"])


def ids_of(directory: Path) -> list[int]:
    return [r["id"] for r in by_id_records(directory)]


# -- configuration errors ------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_pipeline_file_stops_run_with_file_line_and_what_is_wrong(
    hub: HubCommand, workdir: Path, name: str
) -> None:
    text, line, messages = BAD_FILES[name]
    write_text(workdir / f"{name}.yaml", text)

    done = hub("run", f"{name}.yaml", "--once")

    assert_clean_failure(done.stderr, done.returncode, 2)
    assert f"{name}.yaml:{line}: " in done.stderr
    for message in messages:
        assert message in done.stderr
    assert not (workdir / "out").exists()


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_validate_reports_a_bad_file_with_file_and_line(
    hub: HubCommand, workdir: Path, name: str
) -> None:
    text, line, messages = BAD_FILES[name]
    write_text(workdir / f"{name}.yaml", text)

    done = hub("validate", f"{name}.yaml")

    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    problems = done.stdout.splitlines()
    assert any(p.startswith(f"{name}.yaml:{line}: ") for p in problems), problems
    assert all(re.match(rf"{name}\.yaml:\d+: ", p) for p in problems), problems
    for message in messages:
        assert any(message in p for p in problems), problems


def test_validate_reports_every_problem_of_every_file_at_once(
    hub: HubCommand, workdir: Path
) -> None:
    for name, (text, _, _) in BAD_FILES.items():
        write_text(workdir / f"{name}.yaml", text)
    good = write_text(
        workdir / "good.yaml",
        """
        pipeline: good
        sources:
          - {name: rows, type: file, topic: rows, config: {path: rows.csv}}
        """,
    )

    done = hub("validate", good.name, *(f"{name}.yaml" for name in BAD_FILES))

    assert done.returncode == 2, done.stderr
    for name, (_, line, messages) in BAD_FILES.items():
        assert f"{name}.yaml:{line}: " in done.stdout
        for message in messages:
            assert message in done.stdout
    assert "good.yaml: ok" in done.stdout
    assert hub("validate", good.name).returncode == 0


def test_resolved_secrets_never_appear_in_messages(hub: HubCommand, workdir: Path) -> None:
    write_text(
        workdir / "secret.yaml",
        """
        pipeline: secretive
        sources:
          - name: rows
            type: "${env:HUB_E2E_SECRET}"
            topic: rows
            config: {path: "${env:HUB_E2E_MISSING}"}
            batch: {linger: "${env:HUB_E2E_SECRET}"}
        """,
    )
    env = child_environment(HUB_E2E_SECRET=SECRET)

    for args in (["run", "secret.yaml", "--once"], ["validate", "secret.yaml"]):
        done = hub(*args, env=env)
        assert done.returncode == 2, done.stderr
        output = done.stdout + done.stderr
        assert "HUB_E2E_MISSING" in output
        assert "unknown source type '***'" in output
        assert "sources[0].batch.linger" in output
        assert SECRET not in output


# -- malformed rows ------------------------------------------------------------------------------
LENIENT = """
    pipeline: lenient
    topics:
      rows: {partitions: 3}
    sources:
      - name: rows-csv
        type: file
        topic: rows
        key: id
        config: {path: "in/*.csv", format: csv, max_records: 5, columns: {qty: integer}}
        errors: {tolerance: all, dead_letter_topic: rows.dlq}
    sinks:
      - name: out
        type: file
        topics: [rows]
        config: {path: out}
"""


def test_malformed_rows_go_to_the_dead_letter_topic_with_their_lines(
    hub: HubCommand, workdir: Path
) -> None:
    bad = {
        4: ("4,too-few", "Expected 3 columns, got 2"),
        17: ("17,x,1,too-many", "Expected 3 columns, got 4"),
        18: ("18,also-short", "Expected 3 columns, got 2"),
        25: ("25,n25,lots", "invalid value 'lots'"),  # qty is an integer column
        33: ("33,n33,1,2,3", "Expected 3 columns, got 5"),
    }
    rows = [bad[i][0] if i in bad else f"{i},n{i},{i * 2}" for i in range(1, 41)]
    write_rows(workdir / "in" / "a.csv", rows)
    write_text(workdir / "lenient.yaml", LENIENT)

    done = hub.ok("run", "lenient.yaml", "--once")

    assert ids_of(workdir / "out") == [i for i in range(1, 41) if i not in bad]
    assert {r["qty"] for r in all_records(workdir / "out")} == {
        i * 2 for i in range(1, 41) if i not in bad
    }
    letters = hub.consume_full("rows.dlq")
    assert [letter["value"] for letter in letters] == [row for row, _ in bad.values()]
    for letter, (id_, (_, message)) in zip(letters, bad.items(), strict=True):
        headers = letter["headers"]
        assert headers["hub.original.line"] == str(id_ + 1)  # the header is line 1
        assert headers["hub.original.path"] == "in/a.csv"
        assert headers["hub.pipeline"] == "lenient"
        assert headers["hub.connector"] == "rows-csv"
        assert headers["hub.stage"] == "poll"
        assert headers["hub.error.class"] == "RecordError"
        assert message in headers["hub.error.message"]
    summary = summary_row(done.stderr, "lenient/rows-csv#0")
    assert (summary["state"], summary["records"], summary["dead-lettered"]) == ("done", "35", "5")

    hub.ok("run", "lenient.yaml", "--once")  # a rerun sends nothing twice
    assert len(hub.consume_full("rows.dlq")) == len(bad)
    assert ids_of(workdir / "out") == [i for i in range(1, 41) if i not in bad]


def test_a_row_that_is_not_utf8_is_a_dead_letter_and_leaves_its_batch_as_text(
    hub: HubCommand, workdir: Path
) -> None:
    csv = workdir / "in" / "a.csv"
    csv.parent.mkdir()
    csv.write_bytes(b"id,name,qty\n1,ada,2\n2,b\xff\xfe,4\n3,cy,6\n")
    write_text(workdir / "lenient.yaml", LENIENT)

    hub.ok("run", "lenient.yaml", "--once")

    written = by_id_records(workdir / "out")
    assert written == [{"id": 1, "name": "ada", "qty": 2}, {"id": 3, "name": "cy", "qty": 6}]
    [letter] = hub.consume_full("rows.dlq")
    assert letter["headers"]["hub.original.line"] == "3"
    assert "utf-8" in letter["headers"]["hub.error.message"].lower()


STRICT = """
    pipeline: strict
    sources:
      - name: rows-csv
        type: file
        topic: rows
        config: {path: "in/*.csv", format: csv, max_records: 5}
        errors: {tolerance: none}
    sinks:
      - name: out
        type: file
        topics: [rows]
        config: {path: out}
"""


def test_a_malformed_row_without_tolerance_fails_the_source_and_loses_nothing(
    hub: HubCommand, workdir: Path
) -> None:
    rows = good_rows(range(1, 31))
    rows[22] = "23,broken"
    csv = write_rows(workdir / "in" / "a.csv", rows)
    write_text(workdir / "strict.yaml", STRICT)

    done = hub("run", "strict.yaml", "--once")

    assert_clean_failure(done.stderr, done.returncode, 1)
    assert "error: 1 task(s) failed: source rows-csv#0" in done.stderr
    assert summary_row(done.stderr, "strict/rows-csv#0")["state"] == "failed"
    assert summary_row(done.stderr, "strict/out#0")["state"] == "done"
    assert "Expected 3 columns, got 2: 23,broken" in done.stderr
    assert "tolerance: all" in done.stderr  # what to do about it
    delivered = ids_of(workdir / "out")
    assert delivered == list(range(1, 21))  # the batches before the bad one (max_records: 5)

    rows[22] = "23,n23,46"
    write_rows(csv, rows)  # the row fixed in place
    hub.ok("run", "strict.yaml", "--once")
    assert ids_of(workdir / "out") == list(range(1, 31))


# -- unwritable output ---------------------------------------------------------------------------
UNWRITABLE = """
    pipeline: blocked
    topics:
      rows: {{partitions: 2}}
    sources:
      - name: rows-csv
        type: file
        topic: rows
        config: {{path: "in/*.csv", format: csv}}
    sinks:
      - name: out
        type: file
        topics: [rows]
        config: {{path: "{path}"}}
"""


def test_an_unwritable_output_directory_fails_the_sink_and_loses_nothing(
    hub: HubCommand, workdir: Path
) -> None:
    write_rows(workdir / "in" / "a.csv", good_rows(range(1, 51)))
    (workdir / "blocker.txt").write_text("a file, not a directory\n")  # root may write anywhere
    write_text(workdir / "blocked.yaml", UNWRITABLE.format(path="blocker.txt/${env:HUB_E2E_OUT}"))
    env = child_environment(HUB_E2E_OUT=SECRET)

    done = hub("run", "blocked.yaml", "--once", env=env)

    assert_clean_failure(done.stderr, done.returncode, 1)
    assert "cannot write to the output directory" in done.stderr
    assert "Not a directory" in done.stderr
    assert "error: 1 task(s) failed: sink out#0" in done.stderr
    assert summary_row(done.stderr, "blocked/out#0")["state"] == "failed"
    assert SECRET not in done.stdout + done.stderr
    assert (workdir / "blocker.txt").read_text() == "a file, not a directory\n"
    assert sum(hub.log_ends("rows")) == 50  # the rows wait in the log

    write_text(workdir / "blocked.yaml", UNWRITABLE.format(path="out"))
    hub.ok("run", "blocked.yaml", "--once")
    assert ids_of(workdir / "out") == list(range(1, 51))
    assert set(hub.lag("blocked.out").values()) == {0}


def test_an_output_directory_replaced_by_a_file_fails_the_run_then_resumes_where_it_was(
    hub: HubCommand, workdir: Path
) -> None:
    """Between two runs the sink's directory is moved away and a file takes its name: the next
    run fails and says why; once the directory is back, only the new rows are written."""
    write_rows(workdir / "in" / "a.csv", good_rows(range(1, 11)))
    write_text(workdir / "blocked.yaml", UNWRITABLE.format(path="out"))
    hub.ok("run", "blocked.yaml", "--once")
    first = sorted(p.name for p in (workdir / "out").iterdir())

    write_rows(workdir / "in" / "a.csv", good_rows(range(1, 21)))  # ten rows more
    (workdir / "out").rename(workdir / "kept")
    (workdir / "out").write_text("")
    done = hub("run", "blocked.yaml", "--once")
    assert_clean_failure(done.stderr, done.returncode, 1)
    assert "cannot write to the output directory" in done.stderr

    (workdir / "out").unlink()
    (workdir / "kept").rename(workdir / "out")
    hub.ok("run", "blocked.yaml", "--once")
    assert ids_of(workdir / "out") == list(range(1, 21))
    assert set(first) <= {p.name for p in (workdir / "out").iterdir()}
    lines = [orjson.loads(line) for f in output_files(workdir / "out") for line in f.lines()]
    assert len(lines) == 20
