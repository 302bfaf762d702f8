"""Running ``hub`` as a process in a working directory, and reading what the file sink wrote.

The file sink's output is read by its documented contract only: a completed file is named
``<topic>-<partition>-<first offset>-<last offset>.jsonl`` (or ``.csv``; offsets in 20 digits)
and holds one line (one row) per record of that offset range; anything else in the directory (a
temporary name starting with ``.``) is not output.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

TIMEOUT_S = 120
_COMPLETE = re.compile(
    r"^(?P<topic>.+)-(?P<partition>\d+)-(?P<first>\d{20})-(?P<last>\d{20})\.(jsonl|csv)$"
)


def child_environment(**extra: str) -> dict[str, str]:
    """This environment without anything that would point ``hub`` at another data directory or
    store, plus ``extra``; a wide terminal so that no message is wrapped."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(COLUMNS="250", NO_COLOR="1", **extra)
    return env


@dataclass(frozen=True, slots=True)
class HubCommand:
    """``python -m hub --data-dir DATA ARGS...`` run as a process in the directory ``cwd``."""

    cwd: Path
    data_dir: Path

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "hub", "--data-dir", str(self.data_dir), *args]

    def __call__(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.argv(*args),
            cwd=self.cwd,
            env=env or child_environment(),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )

    def start(self, *args: str, stderr: Path) -> subprocess.Popen[bytes]:
        """Started, not waited for; stdout discarded, stderr into the file ``stderr`` (pipes
        that nobody reads would fill up and block it)."""
        with stderr.open("wb") as errors:
            return subprocess.Popen(
                self.argv(*args),
                cwd=self.cwd,
                env=child_environment(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )

    def ok(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Run; it must exit 0, cleanly."""
        done = self(*args, env=env)
        assert done.returncode == 0, f"hub {' '.join(args)}: exit {done.returncode}\n{done.stderr}"
        assert "Traceback" not in done.stderr, done.stderr
        return done

    def json(self, *args: str) -> Any:
        return orjson.loads(self.ok(*args, "--json").stdout)

    def lag(self, group: str) -> dict[tuple[str, int], int]:
        """``hub groups describe GROUP --json``: lag per (topic, partition)."""
        described = self.json("groups", "describe", group)
        return {(p["topic"], p["partition"]): p["lag"] for p in described["partitions"]}

    def log_ends(self, topic: str) -> list[int]:
        """``hub topics describe TOPIC --json``: each partition's latest offset."""
        return [p["latest"] for p in self.json("topics", "describe", topic)["partitions"]]

    def consume_full(self, topic: str) -> list[dict[str, Any]]:
        """Every record of ``topic`` with its position, key and headers."""
        done = self.ok("consume", topic, "--from-beginning", "--format", "full")
        return [orjson.loads(line) for line in done.stdout.splitlines()]


@dataclass(frozen=True, slots=True)
class OutputFile:
    path: Path
    topic: str
    partition: int
    first: int
    last: int

    def lines(self) -> list[bytes]:
        return self.path.read_bytes().splitlines()


def output_files(directory: Path) -> list[OutputFile]:
    """The completed files in ``directory``, by topic, partition and offset."""
    found = []
    for path in directory.iterdir() if directory.exists() else ():
        match = _COMPLETE.match(path.name)
        if match is not None:
            found.append(
                OutputFile(
                    path,
                    match["topic"],
                    int(match["partition"]),
                    int(match["first"]),
                    int(match["last"]),
                )
            )
    return sorted(found, key=lambda f: (f.topic, f.partition, f.first))


def output_records(directory: Path) -> dict[tuple[str, int], list[dict[str, Any]]]:
    """Every record written to ``directory`` as JSON lines, per (topic, partition) in offset
    order, after checking that the files of each partition cover its offsets from 0 without gap
    or overlap and that each holds exactly one line per offset of its range."""
    records: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for file in output_files(directory):
        written = records.setdefault((file.topic, file.partition), [])
        assert file.first == len(written), f"{file.path.name} does not follow offset {len(written)}"
        lines = file.lines()
        assert len(lines) == file.last - file.first + 1, f"{file.path.name}: {len(lines)} lines"
        written.extend(orjson.loads(line) for line in lines)
    return records


def all_records(directory: Path) -> list[dict[str, Any]]:
    return [record for written in output_records(directory).values() for record in written]


def temporary_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


def summary_row(stderr: str, task: str) -> dict[str, str]:
    """The row of ``task`` (``pipeline/connector#n``) in ``hub run``'s summary table, by column:
    task, kind, state, records, records/s, lag, dead-lettered, error (its first line)."""
    columns = ["task", "kind", "state", "records", "records/s", "lag", "dead-lettered", "error"]
    for line in stderr.splitlines():
        cells = [cell.strip() for cell in line.split("\u2502")]
        if cells[0] == task and len(cells) == len(columns):
            return dict(zip(columns, cells, strict=True))
    raise AssertionError(f"no row for {task} in the summary:\n{stderr}")


def kill_rounds(
    hub: HubCommand, pipeline: str, seed: str, rounds: int, *, delays: tuple[float, float]
) -> list[tuple[float, int | None]]:
    """Start ``hub run`` and SIGKILL it after a random delay (seeded, between ``delays``),
    ``rounds`` times, every other run with ``--once``; return each round's (delay, exit
    status): -9 when killed, 0 when a ``--once`` run finished first."""
    rng = random.Random(seed)
    outcomes: list[tuple[float, int | None]] = []
    for number in range(rounds):
        once = ["--once"] if number % 2 == 0 else []
        stderr = hub.cwd / f"round-{number}.err"
        process = hub.start("run", pipeline, *once, stderr=stderr)
        delay = round(rng.uniform(*delays), 3)
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        outcomes.append((delay, process.returncode))
        assert process.returncode in (0, -9), (outcomes, stderr.read_text())
        assert "Traceback" not in stderr.read_text(), (outcomes, stderr.read_text())
    return outcomes


def write_text(path: Path, text: str) -> Path:
    """``text`` (dedented) into ``path``, creating its directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path
