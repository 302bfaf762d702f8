"""The SQL examples, run as their comments tell a user to: ``hub run examples/...`` with
``PGURL`` set, against the real PostgreSQL server (a scratch schema each)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.conftest import POSTGRES_URL, _scratch
from tests.connectors.sql.conftest import Database
from tests.e2e.support import HubCommand, child_environment, output_files
from tests.e2e.test_run_once import REPOSITORY, by_id, quickstart_expected

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres() -> Iterator[Database]:
    with _scratch(POSTGRES_URL) as url:
        yield Database("postgresql", url)


def copy_example(workdir: Path, name: str) -> None:
    (workdir / "examples").mkdir(exist_ok=True)
    shutil.copy(REPOSITORY / "examples" / name, workdir / "examples")
    if not (workdir / "examples" / "data").exists():
        shutil.copytree(REPOSITORY / "examples" / "data", workdir / "examples" / "data")


def test_csv_to_postgres_loads_the_orders_once(
    hub: HubCommand, workdir: Path, postgres: Database
) -> None:
    copy_example(workdir, "csv-to-postgres.yaml")
    good, bad = quickstart_expected(workdir / "examples" / "data" / "orders.csv")
    env = child_environment(PGURL=postgres.url)

    hub.ok("run", "examples/csv-to-postgres.yaml", "--once", env=env)
    hub.ok("run", "examples/csv-to-postgres.yaml", "--once", env=env)  # nothing new: no change

    rows = postgres.query("SELECT id, customer, amount, currency FROM orders ORDER BY id")
    assert rows == [(r["id"], r["customer"], r["amount"], r["currency"]) for r in by_id(good)]
    [(group, delivered)] = postgres.query(
        "SELECT connector_group, sum(next_offset) FROM hub_sink_offsets GROUP BY 1"
    )
    assert group == "csv-to-postgres.orders-postgres"
    assert delivered == len(good)
    assert len(hub.consume_full("orders.dlq")) == len(bad)


def test_postgres_to_files_reads_new_and_updated_rows_incrementally(
    hub: HubCommand, workdir: Path, postgres: Database
) -> None:
    copy_example(workdir, "postgres-to-files.yaml")
    env = child_environment(PGURL=postgres.url)
    hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    postgres.query(
        "CREATE TABLE orders (id BIGINT PRIMARY KEY, customer TEXT NOT NULL, "
        "updated_at TIMESTAMPTZ NOT NULL)",
    )
    for n in range(1, 4):  # two rows share a timestamp: neither may be skipped
        at = hour_ago + dt.timedelta(minutes=min(n, 2))
        postgres.query("INSERT INTO orders VALUES (:id, :c, :at)", id=n, c=f"c{n}", at=at)

    hub.ok("run", "examples/postgres-to-files.yaml", "--once", env=env)
    assert sorted(r["id"] for r in _written(workdir)) == [1, 2, 3]

    later = hour_ago + dt.timedelta(minutes=30)
    postgres.query("UPDATE orders SET customer = 'c2b', updated_at = :at WHERE id = 2", at=later)
    postgres.query("INSERT INTO orders VALUES (4, 'c4', :at)", at=later)
    hub.ok("run", "examples/postgres-to-files.yaml", "--once", env=env)

    written = _written(workdir)
    assert sorted(r["id"] for r in written) == [1, 2, 2, 3, 4]  # only the change and the new
    assert {r["customer"] for r in written if r["id"] == 2} == {"c2", "c2b"}


def _written(workdir: Path) -> list[dict[str, Any]]:
    files = output_files(workdir / "out" / "orders-changes")
    return [orjson.loads(line) for file in files for line in file.lines()]
