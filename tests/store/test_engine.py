"""Opening stores: the SQLite default, several processes at once, and readable errors."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

import hub
from hub.errors import StoreError
from hub.store import SCHEMA_VERSION, Store
from hub.store.engine import begin_write, create
from hub.store.tables import group_offsets
from tests.conftest import StoreTarget

REPO = Path(hub.__file__).resolve().parents[1]


def test_default_store_is_a_sqlite_file_in_the_data_dir(data_dir: Path) -> None:
    with Store.open(None, data_dir) as store:
        assert store.url == f"sqlite:///{data_dir / 'store.db'}"
    assert (data_dir / "store.db").is_file()


def test_sqlite_store_runs_in_wal_mode_with_a_busy_timeout(data_dir: Path) -> None:
    with Store.open(None, data_dir) as store, store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000


def test_the_url_shown_for_a_store_hides_its_password() -> None:
    store = Store(create("postgresql+psycopg://hub:secret@db.example/hub", None), SCHEMA_VERSION)
    try:
        assert store.url == "postgresql+psycopg://hub:***@db.example/hub"
        assert "secret" not in repr(store)
    finally:
        store.close()


def test_a_store_needs_a_url_or_a_data_dir() -> None:
    with pytest.raises(ValueError, match="URL or a data directory"):
        Store.open(None)


def test_unreachable_database_raises_store_error_without_the_password() -> None:
    with pytest.raises(StoreError) as caught:
        Store.open("postgresql+psycopg://user:secret@127.0.0.1:1/x")

    message = str(caught.value)
    assert "secret" not in message
    assert "postgresql+psycopg://user:***@127.0.0.1:1/x" in message
    assert "could not open the store" in message
    assert "running and reachable" in message


def test_unknown_dialect_raises_store_error_naming_the_known_ones() -> None:
    with pytest.raises(StoreError, match="postgresql\\+psycopg") as caught:
        Store.open("nosuchdb://user:secret@host/db")
    assert "secret" not in str(caught.value)


def test_missing_driver_raises_store_error_naming_the_extra() -> None:
    with pytest.raises(StoreError, match=r"streamhub\[sql\]"):
        Store.open("mysql+mysqldb://user:secret@127.0.0.1/db")


def test_unparsable_url_raises_store_error() -> None:
    with pytest.raises(StoreError, match="not a valid SQLAlchemy URL"):
        Store.open("not a url")


def test_unwritable_sqlite_location_raises_store_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(StoreError, match="could not open the store"):
        Store.open(f"sqlite:///{tmp_path / 'file' / 'store.db'}")


_COMMITTER = """
import sys, time
from pathlib import Path
from hub.store import SCHEMA_VERSION, Store
from hub.store.engine import begin_write, create
from hub.store.tables import group_offsets

url, data_dir, me, ready_dir, rounds = sys.argv[1:]
url = None if url == "-" else url
ready = Path(ready_dir)
(ready / me).touch()
while len(list(ready.iterdir())) < 2:  # start together, so the two really overlap
    time.sleep(0.005)
with Store.open(url, Path(data_dir)) as store:
    for n in range(int(rounds)):
        store.commit_offsets("shared", {("orders", int(me)): n + 1, ("refunds", 0): n + 1})
        store.commit_offsets(f"own-{me}", {("orders", 0): n + 1})
        store.committed_offsets("shared")
"""


def test_two_processes_commit_to_one_store_at_once(
    store_target: StoreTarget, tmp_path: Path
) -> None:
    rounds = 200
    ready = tmp_path / "ready"
    ready.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = [store_target.url or "-", str(store_target.data_dir), "", str(ready), str(rounds)]
    processes = []
    for me in ("0", "1"):
        args[2] = me
        processes.append(
            subprocess.Popen(
                [sys.executable, "-c", _COMMITTER, *args],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    errors = [process.communicate(timeout=120)[1] for process in processes]
    assert [process.returncode for process in processes] == [0, 0], "\n".join(errors)

    with store_target.open() as store:
        assert store.committed_offsets("shared") == {
            ("orders", 0): rounds,
            ("orders", 1): rounds,
            ("refunds", 0): rounds,
        }
        assert store.list_groups() == ["own-0", "own-1", "shared"]


def test_a_writer_that_reads_first_waits_for_the_lock_instead_of_failing(
    data_dir: Path,
) -> None:
    """Write transactions begin IMMEDIATE: with a plain BEGIN, a read taken while another
    process writes would leave a stale snapshot, and the write after it would fail at once
    with "database is locked" whatever the busy timeout."""
    holding = threading.Event()

    def hold_the_lock(store: Store) -> None:
        with begin_write(store.engine) as connection:
            connection.execute(insert(group_offsets), [_row("billing", 1)])
            holding.set()
            time.sleep(0.3)

    with Store.open(None, data_dir) as first, Store.open(None, data_dir) as second:
        writer = threading.Thread(target=hold_the_lock, args=(first,))
        writer.start()
        holding.wait(5)
        started = time.monotonic()
        with begin_write(second.engine) as connection:
            count = connection.execute(select(func.count()).select_from(group_offsets)).scalar()
            connection.execute(insert(group_offsets), [_row(f"group-{count}", 2)])
        waited = time.monotonic() - started
        writer.join()

        assert waited >= 0.2
        assert second.list_groups() == ["billing", "group-1"]


def _row(group: str, offset: int) -> dict[str, object]:
    return {
        "group_id": group,
        "topic": "orders",
        "partition_id": 0,
        "next_offset": offset,
        "metadata": None,
        "committed_ms": 0,
    }
