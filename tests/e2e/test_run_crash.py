"""``hub run`` SIGKILLed at random moments of a large CSV -> log -> files pipeline, then rerun.

Each round starts ``hub run`` (alternately with and without ``--once``) and kills it with
SIGKILL after a random delay (seeded: a failure names its delays and replays with them): in the
middle of reading the CSV, appending, checkpointing, writing or renaming a file, committing, or
starting up. A last ``hub run --once`` finishes the work. Then the log holds every row exactly
once (source -> log is exactly-once) and so do the sink's files (log -> files is too).
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from hub.log.partitioner import partition_for_key
from tests.e2e.support import (
    HubCommand,
    kill_rounds,
    output_records,
    summary_row,
    temporary_files,
    write_text,
)

ROWS = 1_000_000
ROUNDS = 5
PARTITIONS = 3
NAMES = ("ada", "grace", "alan", "edsger", "barbara")
CURRENCIES = ("EUR", "USD", "GBP")

PIPELINE = """
    pipeline: crash
    topics:
      rows: {{partitions: {partitions}}}
    sources:
      - name: rows-csv
        type: file
        topic: rows
        {key}
        config: {{root: "{root}", path: rows.csv, format: csv}}
    sinks:
      - name: rows-jsonl
        type: file
        topics: [rows]
        config: {{path: out, format: jsonl}}
"""


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``ROWS`` rows, ids 0 to ``ROWS - 1``; read-only, so shared by the tests of this module."""
    path = tmp_path_factory.mktemp("input") / "rows.csv"
    with path.open("w") as file:
        file.write("id,name,amount,currency,note\n")
        file.writelines(
            f"{i},{NAMES[i % 5]},{i % 10007 / 100},{CURRENCIES[i % 3]},row {i}\n"
            for i in range(ROWS)
        )
    return path


@pytest.mark.slow
@pytest.mark.parametrize("keyed", [True, False], ids=["keyed", "keyless"])
def test_every_row_lands_exactly_once_after_kills_at_random_moments(
    hub: HubCommand, workdir: Path, big_csv: Path, keyed: bool
) -> None:
    key = "key: id" if keyed else ""
    text = PIPELINE.format(partitions=PARTITIONS, key=key, root=big_csv.parent)
    write_text(workdir / "crash.yaml", text)

    outcomes = kill_rounds(hub, "crash.yaml", f"crash-{keyed}", ROUNDS, delays=(0.2, 2.0))
    assert sum(status == -9 for _, status in outcomes) >= 2, outcomes
    hub.ok("run", "crash.yaml", "--once")

    ends = hub.log_ends("rows")
    assert sum(ends) == ROWS, (outcomes, ends)  # nothing appended twice, nothing missed
    records = output_records(workdir / "out")
    assert [len(records.get(("rows", p), [])) for p in range(PARTITIONS)] == ends, outcomes
    ids = sorted(r["id"] for written in records.values() for r in written)
    assert ids == list(range(ROWS)), outcomes
    for (_, partition), written in records.items():
        assert all(r["note"] == f"row {r['id']}" for r in written)
        if keyed:  # a sample: murmur2 in Python takes microseconds
            for record in written[::97]:
                assert partition == partition_for_key(str(record["id"]).encode(), PARTITIONS)
    assert not temporary_files(workdir / "out")
    assert set(hub.lag("crash.rows-jsonl").values()) == {0}


@pytest.mark.slow
def test_sigterm_mid_run_stops_gracefully_and_the_next_run_carries_on(
    hub: HubCommand, workdir: Path, big_csv: Path
) -> None:
    text = PIPELINE.format(partitions=PARTITIONS, key="key: id", root=big_csv.parent)
    write_text(workdir / "crash.yaml", text)
    process = hub.start("run", "crash.yaml", stderr=workdir / "stopped.err")
    wait_for_file(workdir / "out", "rows-*.jsonl", process)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0, (workdir / "stopped.err").read_text()

    stopped = (workdir / "stopped.err").read_text()
    assert summary_row(stopped, "crash/rows-csv#0")["state"] == "stopped"
    assert summary_row(stopped, "crash/rows-jsonl#0")["state"] == "stopped"
    assert not temporary_files(workdir / "out")
    written = output_records(workdir / "out")
    # A partition the sink had not read from yet when the signal came has nothing committed.
    committed = {
        (p["topic"], p["partition"]): p["committed"]
        for p in hub.json("groups", "describe", "crash.rows-jsonl")["partitions"]
        if p["committed"]
    }
    assert committed == {tp: len(records) for tp, records in written.items()}  # flushed, then
    assert sum(committed.values()) < ROWS  # committed, mid-way

    hub.ok("run", "crash.yaml", "--once")
    ids = sorted(r["id"] for records in output_records(workdir / "out").values() for r in records)
    assert ids == list(range(ROWS))


DEAD_LETTERS = """
    pipeline: letters
    sources:
      - name: rows-csv
        type: file
        topic: rows
        config: {path: rows.csv, format: csv, max_records: 10}
        errors: {tolerance: all, dead_letter_topic: rows.dlq}
"""


def wait_for_file(directory: Path, pattern: str, process: subprocess.Popen[bytes]) -> None:
    """Until a non-empty file matching ``pattern`` is in ``directory`` (the process running)."""
    deadline = time.monotonic() + 30
    while not any(p.stat().st_size for p in directory.glob(pattern)):
        assert process.poll() is None, "hub run ended before the test could kill it"
        assert time.monotonic() < deadline, f"no {pattern} in {directory}"
        time.sleep(0.01)


@pytest.mark.slow
def test_dead_letters_are_not_sent_twice_after_a_kill(hub: HubCommand, workdir: Path) -> None:
    bad = 5_000
    lines = [f"{i},broken" for i in range(bad)]
    (workdir / "rows.csv").write_text("\n".join(["id,name,note", *lines]) + "\n")
    write_text(workdir / "letters.yaml", DEAD_LETTERS)
    process = hub.start("run", "letters.yaml", "--once", stderr=workdir / "killed.err")
    try:
        wait_for_file(workdir / ".hub" / "topics" / "rows.dlq-0", "*.log", process)
        time.sleep(0.2)  # dead letters keep coming; the next checkpoint is a second away
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -9, "hub run had finished: the kill came too late"

    hub.ok("run", "letters.yaml", "--once")

    letters = hub.consume_full("rows.dlq")
    lines_sent = sorted(int(letter["headers"]["hub.original.line"]) for letter in letters)
    assert lines_sent == list(range(2, bad + 2))  # every bad row once, the header is line 1
