"""``hub run --once`` end to end: files in, through the log, files (or stdout) out, exactly once."""

from __future__ import annotations

import csv
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from hub.log.partitioner import partition_for_key
from tests.e2e.support import (
    HubCommand,
    all_records,
    output_files,
    output_records,
    temporary_files,
    write_text,
)

REPOSITORY = Path(__file__).resolve().parents[2]
NAMES = ("ada", "grace", "alan", "edsger", "barbara")
STATUSES = ("paid", "paid", "cancelled", "refunded")

SHOP = """
    pipeline: shop
    topics:
      orders: {partitions: 3}
    sources:
      - name: orders-csv
        type: file
        topic: orders
        key: id
        config: {path: in/orders.csv, format: csv, max_records: 7}
        transforms:
          - {type: rename, fields: {name: customer}}
          - {type: insert, fields: {bulk: true}, when: "qty >= 10"}
          - {type: cast, fields: {qty: string}}
          - {type: filter, condition: "status <> 'cancelled'"}
    sinks:
      - name: orders-jsonl
        type: file
        topics: [orders]
        config: {path: out/orders, format: jsonl, max_records: 4}
"""


def order_row(i: int) -> list[str]:
    """Row ``i`` of the shop's CSV: id, name, qty, price, status."""
    return [str(i), NAMES[i % 5], str(i % 13), f"{i * 7 % 100}.{i % 10}5", STATUSES[i % 4]]


def expected_order(row: list[str]) -> dict[str, Any] | None:
    """What the shop's transforms make of a row (``None``: filtered out)."""
    id_, name, qty, price, status = row
    if status == "cancelled":
        return None
    return {
        "id": int(id_),
        "customer": name,
        "qty": qty,
        "price": float(price),
        "status": status,
        "bulk": True if int(qty) >= 10 else None,
    }


def append_rows(path: Path, ids: range) -> list[dict[str, Any]]:
    """Append rows ``ids`` to the CSV (with a header when new); their expected records."""
    new = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        if new:
            writer.writerow(["id", "name", "qty", "price", "status"])
        rows = [order_row(i) for i in ids]
        writer.writerows(rows)
    return [e for e in map(expected_order, rows) if e is not None]


def by_id(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(records, key=lambda r: r["id"])


def shop_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """By id, ``bulk`` null where absent: a conditional ``insert`` adds its field only to the
    batches where some record matches (its null elsewhere in them)."""
    return by_id([{**r, "bulk": r.get("bulk")} for r in records])


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir()}


@dataclass(frozen=True, slots=True)
class Shop:
    hub: HubCommand
    pipeline: Path
    csv: Path
    out: Path
    expected: list[dict[str, Any]]

    def run(self) -> None:
        self.hub.ok("run", str(self.pipeline.name), "--once")


@pytest.fixture
def shop(hub: HubCommand, workdir: Path) -> Shop:
    """The shop pipeline with 60 rows in its CSV, run once."""
    pipeline = write_text(workdir / "shop.yaml", SHOP)
    expected = append_rows(workdir / "in" / "orders.csv", range(1, 61))
    shop = Shop(hub, pipeline, workdir / "in" / "orders.csv", workdir / "out" / "orders", expected)
    shop.run()
    return shop


def test_csv_rows_are_transformed_and_written_exactly_once(shop: Shop) -> None:
    written = all_records(shop.out)
    assert shop_records(written) == by_id(shop.expected)
    assert len({r["id"] for r in written}) == len(written)
    order = ["id", "customer", "qty", "price", "status"]
    assert all(list(r)[:5] == order for r in written)
    assert not temporary_files(shop.out)


def test_records_are_keyed_by_id_and_spread_over_the_partitions_by_key(shop: Shop) -> None:
    records = output_records(shop.out)
    assert sorted(records) == [("orders", 0), ("orders", 1), ("orders", 2)]
    for (_, partition), written in records.items():
        for record in written:
            assert partition == partition_for_key(str(record["id"]).encode(), 3), record
    logged = shop.hub.consume_full("orders")
    assert len(logged) == len(shop.expected)
    assert all(r["key"] == str(r["value"]["id"]) for r in logged)
    for record in logged:  # the files hold the log's records at their offsets
        assert records["orders", record["partition"]][record["offset"]] == record["value"]


def test_several_files_are_written_per_partition(shop: Shop) -> None:
    files = output_files(shop.out)
    assert len(files) > 3
    assert all(f.last - f.first < 4 for f in files)  # the sink's max_records: 4


def test_the_sink_group_has_committed_everything(shop: Shop) -> None:
    lag = shop.hub.lag("shop.orders-jsonl")
    assert lag == {("orders", 0): 0, ("orders", 1): 0, ("orders", 2): 0}
    assert sum(shop.hub.log_ends("orders")) == len(shop.expected)


def test_a_second_run_appends_and_writes_nothing_new(shop: Shop) -> None:
    files, ends = snapshot(shop.out), shop.hub.log_ends("orders")
    shop.run()
    assert snapshot(shop.out) == files
    assert shop.hub.log_ends("orders") == ends
    assert set(shop.hub.lag("shop.orders-jsonl").values()) == {0}


def test_rows_appended_to_the_csv_are_the_only_ones_delivered_next(shop: Shop) -> None:
    before = snapshot(shop.out)
    added = append_rows(shop.csv, range(61, 101))
    shop.run()
    after = snapshot(shop.out)
    assert {name: after[name] for name in before} == before  # old files untouched
    new_files = [f for f in output_files(shop.out) if f.path.name not in before]
    new_records = [orjson.loads(line) for f in new_files for line in f.lines()]
    assert shop_records(new_records) == by_id(added)
    assert shop_records(all_records(shop.out)) == by_id(shop.expected + added)
    assert set(shop.hub.lag("shop.orders-jsonl").values()) == {0}


def test_a_csv_sink_writes_the_rows_back_as_csv(hub: HubCommand, workdir: Path) -> None:
    rows = [{"id": str(i), "city": f"city {i % 7}", "note": f'says "hi", {i}'} for i in range(50)]
    source = workdir / "in" / "cities.csv"
    source.parent.mkdir()
    with source.open("w", newline="") as file:
        writer = csv.DictWriter(file, ["id", "city", "note"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    write_text(
        workdir / "cities.yaml",
        """
        pipeline: cities
        topics:
          cities: {partitions: 3}
        sources:
          - name: in
            type: file
            topic: cities
            key: city
            config: {path: in/cities.csv, columns: {id: string}}
        sinks:
          - name: out
            type: file
            topics: [cities]
            config: {path: out, format: csv, max_records: 8}
        """,
    )

    hub.ok("run", "cities.yaml", "--once")

    files = output_files(workdir / "out")
    assert {f.path.suffix for f in files} == {".csv"}
    written = []
    for file in files:
        with file.path.open(newline="") as opened:
            found = list(csv.DictReader(opened))
        assert len(found) == file.last - file.first + 1 <= 8
        written += found
    assert sorted(written, key=lambda r: int(r["id"])) == rows


# -- the quickstart --------------------------------------------------------------------------------
def quickstart_expected(path: Path) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """The quickstart's output for its CSV, and its malformed rows as (line, text)."""
    good, bad = [], []
    with path.open(newline="") as file:
        lines = file.read().splitlines()
    header = lines[0].split(",")
    for number, line in enumerate(lines[1:], start=2):
        values = next(csv.reader([line]))
        if len(values) != len(header):
            bad.append((number, line))
            continue
        row = dict(zip(header, values, strict=True))
        good.append(
            {
                "id": int(row["id"]),
                "customer": row["customer"],
                "email": "****" + row["email"][-11:],
                "amount": float(row["amount"]),
                "currency": row["currency"],
                "created_at": row["created_at"].replace("Z", "+00:00"),
                "source": "orders.csv",
            }
        )
    return good, bad


def test_the_quickstart_runs_from_a_copy_of_the_examples(hub: HubCommand, workdir: Path) -> None:
    (workdir / "examples").mkdir()
    shutil.copy(REPOSITORY / "examples" / "quickstart.yaml", workdir / "examples")
    shutil.copytree(REPOSITORY / "examples" / "data", workdir / "examples" / "data")
    good, bad = quickstart_expected(workdir / "examples" / "data" / "orders.csv")
    assert len(bad) == 1  # the example shows one malformed row

    done = hub.ok("run", "examples/quickstart.yaml", "--once")

    assert "hub run: summary" in done.stderr
    assert by_id(all_records(workdir / "out" / "orders")) == by_id(good)
    assert set(hub.lag("quickstart.orders-jsonl").values()) == {0}
    [letter] = hub.consume_full("orders.dlq")
    line, text = bad[0]
    assert letter["value"] == text
    headers = letter["headers"]
    assert headers["hub.pipeline"] == "quickstart"
    assert headers["hub.connector"] == "orders-csv"
    assert headers["hub.stage"] == "poll"
    assert headers["hub.error.class"] == "RecordError"
    assert "Expected 6 columns, got 2" in headers["hub.error.message"]
    assert headers["hub.original.path"] == "examples/data/orders.csv"
    assert headers["hub.original.line"] == str(line)
    # The SQLite sink holds the same orders, one row each, and the schema was registered.
    with sqlite3.connect(workdir / "out" / "orders.db") as database:
        rows = database.execute("SELECT id, customer, amount FROM orders ORDER BY id").fetchall()
    assert rows == [(r["id"], r["customer"], r["amount"]) for r in by_id(good)]
    schema = hub.json("schemas", "show", "orders-value")["schema"]
    assert list(schema["properties"])[:2] == ["id", "customer"]


# -- generate -> stdout ----------------------------------------------------------------------------
GENERATE = """
    pipeline: demo
    topics:
      events: {partitions: 3}
    sources:
      - name: fake
        type: generate
        topic: events
        config:
          count: 250
          seed: 7
          max_records: 40
          fields:
            id: sequence
            word: word
            qty: {int: [1, 5]}
            kind: {constant: demo}
    sinks:
      - name: print
        type: stdout
        topics: [events]
"""


def test_generated_records_are_printed_by_the_stdout_sink(hub: HubCommand, workdir: Path) -> None:
    write_text(workdir / "demo.yaml", GENERATE)
    done = hub.ok("run", "demo.yaml", "--once")
    printed = [orjson.loads(line) for line in done.stdout.splitlines()]
    assert sorted(r["id"] for r in printed) == list(range(250))
    assert {r["kind"] for r in printed} == {"demo"}
    assert {r["qty"] for r in printed} <= {1, 2, 3, 4, 5}
    assert all(isinstance(r["word"], str) and r["word"] for r in printed)
    assert [list(r) for r in printed] == [["id", "word", "qty", "kind"]] * 250


def test_a_seeded_generate_source_prints_the_same_records_in_a_fresh_hub(
    hub: HubCommand, workdir: Path
) -> None:
    write_text(workdir / "demo.yaml", GENERATE)
    first = hub.ok("run", "demo.yaml", "--once").stdout.splitlines()
    other = HubCommand(cwd=workdir, data_dir=workdir / ".hub-2")
    second = other.ok("run", "demo.yaml", "--once").stdout.splitlines()
    assert sorted(first) == sorted(second)
    assert hub.ok("run", "demo.yaml", "--once").stdout == ""  # and nothing twice
