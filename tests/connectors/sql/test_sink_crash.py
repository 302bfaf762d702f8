"""``hub run`` into a database, SIGKILLed at random moments of a 200k-row load, then rerun.

Each round starts ``python -m hub run`` (alternately with and without ``--once``) and kills it
with SIGKILL after a random delay (seeded: a failure names its delays): while it reads the CSV,
appends, writes rows, commits, or starts up. A last ``--once`` run finishes the work. Then the
table holds every id exactly once: the sink's rows and offsets commit in one transaction.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.plugins import registry
from tests.connectors.sql.conftest import Database
from tests.e2e.support import HubCommand, kill_rounds, write_text

ROWS = 200_000
ROUNDS = 6

PIPELINE = """
    pipeline: crash
    topics:
      rows: {{partitions: 2}}
    sources:
      - name: rows-csv
        type: file
        topic: rows
        key: id
        config: {{root: "{root}", path: rows.csv, format: csv}}
    sinks:
      - name: rows-db
        type: sql
        topics: [rows]
        config: {{url: "{url}", table: loaded, mode: {mode}, key_columns: [id]}}
        batch: {{max_records: 5000}}
"""


@pytest.fixture(scope="module")
def rows_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("input") / "rows.csv"
    with path.open("w") as file:
        file.write("id,name,amount,active,at\n")
        file.writelines(
            f"{i},name {i},{i % 1000 / 8},{str(i % 2 == 0).lower()},"
            f"2024-01-{1 + i % 28:02d}T{i % 24:02d}:00:00Z\n"
            for i in range(ROWS)
        )
    return path


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["insert", "upsert"])
def test_every_row_lands_exactly_once_after_kills_at_random_moments(
    database: Database, tmp_path: Path, rows_csv: Path, mode: str
) -> None:
    if "sql" not in registry().types("sink"):
        pytest.skip("the sql plugin is not installed (pip install -e .)")
    hub = HubCommand(cwd=tmp_path, data_dir=tmp_path / ".hub")
    text = PIPELINE.format(root=rows_csv.parent, url=database.url, mode=mode)
    write_text(tmp_path / "crash.yaml", text)

    seed = f"sql-crash-{database.backend}-{mode}"
    # startup takes ~0.7 s
    outcomes = kill_rounds(hub, "crash.yaml", seed, ROUNDS, delays=(0.4, 1.5))
    assert sum(status == -9 for _, status in outcomes) >= 2, outcomes
    hub.ok("run", "crash.yaml", "--once")

    [(count, distinct, low, high)] = database.query(
        "SELECT count(*), count(DISTINCT id), min(id), max(id) FROM loaded"
    )
    assert (count, distinct, low, high) == (ROWS, ROWS, 0, ROWS - 1), outcomes
    partition = database.quote("partition")
    offsets = database.query(f"SELECT {partition}, next_offset FROM hub_sink_offsets")
    assert sum(offset for _, offset in offsets) == ROWS, outcomes
