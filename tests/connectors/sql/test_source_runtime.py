"""The sql source driven by the runtime: restarts, crashes, keys in the log, registered schemas."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pytest

from connectors.sql.source import SqlSource
from hub import hookimpl
from hub.log import LocalLog, TopicConfig
from hub.pipeline.chain import TransformChain
from hub.pipeline.runtime import Runtime
from hub.pipeline.source_task import SourceTask
from hub.pipeline.spec import PipelineSpec, SinkSpec, SourceSpec, TopicSchema
from hub.pipeline.task import TaskEnv
from hub.plugins import Registry
from hub.sdk import Source
from hub.store import Store
from hub.testing import MemorySink, plugin_registry
from tests.connectors.sql.conftest import Database
from tests.connectors.sql.test_source import create_orders, execute, insert, ts

sql_plugin = ModuleType("sql_source_plugin")


@hookimpl
def hub_sources() -> list[type[Source]]:
    return [SqlSource]


sql_plugin.hub_sources = hub_sources  # type: ignore[attr-defined]


@pytest.fixture
def plugins() -> Registry:
    import hub.testing.memory

    return plugin_registry(sql_plugin, hub.testing.memory)


@pytest.fixture(autouse=True)
def _fresh_targets() -> Iterator[None]:
    MemorySink.reset()
    yield
    MemorySink.reset()


def pipeline(config: dict[str, Any], *, partitions: int = 3, schema: bool = False) -> PipelineSpec:
    source = SourceSpec(name="db", type="sql", topic="t", config=config)
    sink = SinkSpec(name="out", type="memory", topics=("t",), config={"name": "out"}, group="p.out")
    return PipelineSpec(
        name="p",
        path=Path("p.yaml"),
        topics={"t": TopicConfig(partitions=partitions)},
        sources=(source,),
        sinks=(sink,),
        schemas={"t": TopicSchema(subject="t-value")} if schema else {},
    )


def run_once(data_dir: Path, spec: PipelineSpec, plugins: Registry) -> None:
    with LocalLog(data_dir) as log, Store.open(None, data_dir) as store:
        result = Runtime([spec], log, store, plugins=plugins).run(once=True)
    assert not result.failed, [s.error for s in result.failed]


def in_log(data_dir: Path) -> list[tuple[bytes | None, dict[str, Any]]]:
    """Every record of topic t: (key, value)."""
    with LocalLog(data_dir, read_only=True) as log:
        return [
            (r.key, orjson.loads(r.value))
            for p in range(log.partitions("t"))
            for r in log.read("t", p, 0, max_records=100_000)
        ]


def test_each_run_resumes_after_the_last_offsets(
    database: Database, data_dir: Path, plugins: Registry
) -> None:
    url = database.url
    create_orders(url)
    insert(url, "orders", [{"id": i, "updated_at": ts(url, i % 4), "note": "a"} for i in range(40)])
    spec = pipeline({"url": url, "tables": ["orders"], "cursor": "updated_at", "batch_size": 6})
    run_once(data_dir, spec, plugins)
    assert sorted(r["id"] for r in MemorySink.target("out").records) == list(range(40))
    run_once(data_dir, spec, plugins)  # nothing new: nothing read again
    assert len(MemorySink.target("out").records) == 40
    execute(
        url, "UPDATE orders SET updated_at = :t, note = 'b' WHERE id < 5", params={"t": ts(url, 99)}
    )
    insert(
        url, "orders", [{"id": i, "updated_at": ts(url, 50), "note": "c"} for i in range(40, 45)]
    )
    run_once(data_dir, spec, plugins)
    later = MemorySink.target("out").records[40:]
    assert sorted((r["id"], r["note"]) for r in later) == [(i, "b") for i in range(5)] + [
        (i, "c") for i in range(40, 45)
    ]
    keys = {key: value["id"] for key, value in in_log(data_dir)}
    assert all(key == str(value).encode() for key, value in keys.items())


def test_a_task_killed_before_its_checkpoint_duplicates_nothing(
    database: Database, data_dir: Path, plugins: Registry
) -> None:
    url = database.url
    create_orders(url)
    insert(url, "orders", [{"id": i, "updated_at": ts(url, 7), "note": "x"} for i in range(100)])
    config = {"url": url, "tables": ["orders"], "cursor": "updated_at", "batch_size": 15}
    spec = pipeline(config)
    info = plugins.get("source", "sql")
    from hub.connector_config import validate_config

    valid = validate_config(SqlSource, config)
    with LocalLog(data_dir) as log, Store.open(None, data_dir) as store:
        log.create_topic("t", spec.topics["t"])
        env = TaskEnv("p", log, store, threading.Event())
        first = SourceTask(env, spec.sources[0], 0, info.cls(), valid, TransformChain((), plugins))
        first.open()
        assert first.poll_once()
        assert first.poll_once()
        first.checkpoint()
        assert first.poll_once()
        assert first.poll_once()  # 2 of 4 batches appended after the checkpoint, then "killed"
        first._discard_prefetch()
        first.source.close()
        assert first._connector is not None
        first._connector.shutdown()
        second = SourceTask(env, spec.sources[0], 0, info.cls(), valid, TransformChain((), plugins))
        second.open()
        while second.poll_once():
            pass
        second.close()
    values = sorted(value["id"] for _, value in in_log(data_dir))
    assert values == list(range(100))


def test_infer_mode_registers_the_tables_schema(
    database: Database, data_dir: Path, plugins: Registry
) -> None:
    from hub.registry import Registry as SchemaRegistry

    url = database.url
    create_orders(url)
    insert(url, "orders", [{"id": 1, "updated_at": ts(url, 1), "note": None}])
    spec = pipeline({"url": url, "tables": ["orders"], "cursor": "updated_at"}, schema=True)
    run_once(data_dir, spec, plugins)
    with Store.open(None, data_dir) as store:
        registered = SchemaRegistry(store).version("t-value").parsed()
    assert registered["x-primary-key"] == ["id"]
    assert registered["required"] == ["id", "updated_at"]
    assert registered["properties"]["note"]["type"] == ["string", "null"]
    [batch] = MemorySink.target("out").batches
    assert batch.schema == registered
    assert batch.keys == [b"1"]


def test_a_scheduled_snapshot_reads_the_table_on_every_run(
    database: Database, data_dir: Path, plugins: Registry
) -> None:
    from dataclasses import replace

    from hub.pipeline.spec import Schedule

    url = database.url
    create_orders(url)
    insert(url, "orders", [{"id": i, "updated_at": ts(url, 0), "note": "a"} for i in range(7)])
    spec = pipeline({"url": url, "tables": ["orders"], "mode": "snapshot", "poll_interval": 0})
    spec = replace(spec, sources=(replace(spec.sources[0], schedule=Schedule(every_ms=200)),))
    target = MemorySink.target("out")
    with LocalLog(data_dir) as log, Store.open(None, data_dir) as store:
        runtime = Runtime([spec], log, store, plugins=plugins)
        thread = threading.Thread(target=runtime.run)
        thread.start()
        try:
            deadline = time.monotonic() + 20
            while len(target.records) < 21 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            runtime.stop.set()
            thread.join()
    assert not [s.error for s in runtime.statuses if s.error]
    counts = Counter(r["id"] for r in target.records)
    assert set(counts) == set(range(7))
    assert min(counts.values()) >= 3  # three runs or more, each the whole table
