"""The runtime end to end on real log and store files, with the in-memory fake connectors."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

import hub.testing.memory
from hub.log import LocalLog
from hub.pipeline.runtime import Runtime
from hub.pipeline.sink_task import assign
from hub.pipeline.source_task import SourceTask, producer_id
from hub.pipeline.spec import ErrorPolicy, PipelineSpec, Schedule, SinkSpec, SourceSpec
from hub.pipeline.status import State
from hub.pipeline.task import TaskEnv
from hub.plugins import Registry
from hub.store import Store
from hub.testing import MemorySink, plugin_registry


@pytest.fixture
def plugins() -> Registry:
    return plugin_registry(hub.testing.memory)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture(autouse=True)
def _fresh_targets() -> Iterator[None]:
    MemorySink.reset()
    yield
    MemorySink.reset()


def rows(count: int) -> list[dict[str, Any]]:
    return [{"id": i, "name": f"n{i}"} for i in range(count)]


def pipeline(
    records: list[dict[str, Any]],
    *,
    partitions: int = 1,
    key: str | None = None,
    sink: dict[str, Any] | None = None,
    source_config: dict[str, Any] | None = None,
    sink_errors: ErrorPolicy | None = None,
    schedule: Schedule | None = None,
) -> PipelineSpec:
    from hub.log import TopicConfig

    source = SourceSpec(
        name="mem",
        type="memory",
        topic="t",
        key=key,
        schedule=schedule,
        config={"records": records, "batch_size": 100, **(source_config or {})},
    )
    out = SinkSpec(
        name="out",
        type="memory",
        topics=("t",),
        config={"name": "out", **(sink or {})},
        errors=sink_errors or ErrorPolicy(),
        group="p.out",
    )
    return PipelineSpec(
        name="p",
        path=Path("p.yaml"),
        topics={"t": TopicConfig(partitions=partitions)},
        sources=(source,),
        sinks=(out,),
    )


def run_once(data_dir: Path, spec: PipelineSpec, plugins: Registry) -> Runtime:
    with LocalLog(data_dir) as log, Store.open(None, data_dir) as store:
        runtime = Runtime([spec], log, store, plugins=plugins)
        result = runtime.run(once=True)
    assert not result.failed, [s.error for s in result.failed]
    return runtime


def test_once_moves_every_record_from_source_to_sink(data_dir: Path, plugins: Registry) -> None:
    run_once(data_dir, pipeline(rows(1000)), plugins)
    assert MemorySink.target("out").records == rows(1000)


def test_second_run_resumes_and_duplicates_nothing(data_dir: Path, plugins: Registry) -> None:
    spec = pipeline(rows(500))
    run_once(data_dir, spec, plugins)
    run_once(data_dir, spec, plugins)
    assert MemorySink.target("out").records == rows(500)
    with LocalLog(data_dir, read_only=True) as log:
        assert log.latest_offset("t", 0) == 500
    with Store.open(None, data_dir) as store:
        assert store.committed_offsets("p.out") == {("t", 0): 500}


def test_keys_partition_records_like_kafka(data_dir: Path, plugins: Registry) -> None:
    from hub.log import partition_for_key

    run_once(data_dir, pipeline(rows(300), partitions=4, key="id"), plugins)
    with LocalLog(data_dir, read_only=True) as log:
        for partition in range(4):
            for record in log.read("t", partition, 0, max_records=1000):
                assert record.key == str(orjson.loads(record.value)["id"]).encode()
                assert partition_for_key(record.key, 4) == partition
    assert sorted(r["id"] for r in MemorySink.target("out").records) == list(range(300))


def test_a_source_killed_before_its_checkpoint_appends_nothing_twice(
    data_dir: Path, plugins: Registry
) -> None:
    spec = pipeline(rows(250), partitions=3)
    source_spec = spec.sources[0]
    info = plugins.get("source", "memory")
    config = {"records": rows(250), "batch_size": 100}
    stop = threading.Event()
    from hub.pipeline.chain import TransformChain

    with LocalLog(data_dir) as log, Store.open(None, data_dir) as store:
        log.create_topic("t", spec.topics["t"])
        env = TaskEnv("p", log, store, stop)
        first = SourceTask(env, source_spec, 0, info.cls(), config, TransformChain((), plugins))
        first.open()
        assert first.poll_once()
        assert first.poll_once()  # 200 records appended, never checkpointed
        # "killed": no checkpoint, no close. A new task resumes from the store.
        second = SourceTask(env, source_spec, 0, info.cls(), config, TransformChain((), plugins))
        second.open()
        while second.poll_once():
            pass
        second.close()
        values = [
            orjson.loads(r.value)["id"]
            for p in range(3)
            for r in log.read("t", p, 0, max_records=1000)
        ]
        assert sorted(values) == list(range(250))
        stamped = {b.producer_id for p in range(3) for b in log.fetch("t", p, 0, max_bytes=1 << 20)}
        assert stamped == {producer_id("p", "mem", 0)}


def test_a_source_is_polled_ahead_only_while_it_finds_records(
    data_dir: Path, plugins: Registry
) -> None:
    """Polls run ahead of appends, but never past a poll that found nothing: a scheduled
    source's next run polls afresh instead of taking an answer made at the last one."""
    from hub.pipeline.chain import TransformChain
    from hub.testing.memory import MemorySource

    spec = pipeline(rows(250))
    with LocalLog(data_dir) as log, Store.open(None, data_dir) as store:
        log.create_topic("t", spec.topics["t"])
        source = MemorySource()
        config = {"records": rows(250), "batch_size": 100}
        env = TaskEnv("p", log, store, threading.Event())
        task = SourceTask(env, spec.sources[0], 0, source, config, TransformChain((), plugins))
        task.open()
        while task.poll_once():
            pass
        assert source.polls == 4  # three batches, then the poll that found none
        assert not task.poll_once()
        assert source.polls == 5
        task.close()
        assert source.polls == 5
        assert [orjson.loads(r.value)["id"] for r in log.read("t", 0, 0, max_records=1000)] == list(
            range(250)
        )


def test_an_idle_sink_long_polls_and_wakes_when_records_arrive(
    data_dir: Path, plugins: Registry
) -> None:
    import time

    from hub.pipeline.chain import TransformChain
    from hub.pipeline.sink_task import SinkTask
    from hub.testing.memory import MemorySink as Sink

    spec = pipeline([])
    with LocalLog(data_dir) as log, Store.open(None, data_dir) as store:
        log.create_topic("t", spec.topics["t"])
        env = TaskEnv("p", log, store, threading.Event())
        task = SinkTask(env, spec.sinks[0], 0, Sink(), {"name": "out"}, TransformChain((), plugins))
        task.open()
        assert not task.run_once()
        appender = threading.Timer(0.05, lambda: log.append_batch("t", 0, [b'{"id":1}']))
        appender.start()
        started = time.monotonic()
        assert task.wait_for_records(30)
        assert time.monotonic() - started < 20  # woken by the append, not by the timeout
        appender.join()
        assert task.run_once()
        task.close()
    assert MemorySink.target("out").records == [{"id": 1}]


def test_a_failing_sink_without_dead_letter_topic_fails_the_run(
    data_dir: Path, plugins: Registry
) -> None:
    spec = pipeline(rows(10), sink={"reject_field": "name"})
    with LocalLog(data_dir) as log, Store.open(None, data_dir) as store:
        result = Runtime([spec], log, store, plugins=plugins).run(once=True)
    [failed] = result.failed
    assert failed.kind == "sink"
    assert "dead_letter_topic" in (failed.error or "")


def test_rejected_records_go_to_the_dead_letter_topic_with_their_origin(
    data_dir: Path, plugins: Registry
) -> None:
    records = [{"id": i, **({"bad": True} if i % 4 == 0 else {})} for i in range(20)]
    spec = pipeline(
        records,
        sink={"reject_field": "bad"},
        sink_errors=ErrorPolicy(tolerance="all", dead_letter_topic="t.dlq"),
    )
    run_once(data_dir, spec, plugins)
    written = MemorySink.target("out").records
    assert [r["id"] for r in written] == [i for i in range(20) if i % 4]
    with LocalLog(data_dir, read_only=True) as log:
        dead = log.read("t.dlq", 0, 0, max_records=100)
    assert [orjson.loads(r.value)["id"] for r in dead] == [0, 4, 8, 12, 16]
    headers = dict(dead[1].headers)
    assert headers["hub.stage"] == b"write"
    assert headers["hub.original.topic"] == b"t"
    assert headers["hub.original.offset"] == b"4"
    assert headers["hub.connector"] == b"out"


class _FlushRecordingLog(LocalLog):
    """The real log, noting how many times sink ``out`` had flushed when each partition was
    made durable."""

    flushed: list[tuple[tuple[str, int], int]]

    def flush(self, partitions: Any = None) -> None:
        partitions = None if partitions is None else list(partitions)
        super().flush(partitions)
        sink_flushes = MemorySink.target("out").flushes
        self.flushed += [(tp, sink_flushes) for tp in partitions or []]


def test_dead_letters_are_durable_before_the_sink_flushes_past_them(
    data_dir: Path, plugins: Registry
) -> None:
    """An exactly-once sink stores its offsets when it flushes: the dead letters of the
    records it skipped must be on disk by then, or a crash could lose them for good."""
    records = [{"id": i, **({"bad": True} if i == 3 else {})} for i in range(10)]
    spec = pipeline(
        records,
        sink={"reject_field": "bad", "exactly_once": True},
        sink_errors=ErrorPolicy(tolerance="all", dead_letter_topic="t.dlq"),
    )
    with _FlushRecordingLog(data_dir) as log, Store.open(None, data_dir) as store:
        log.flushed = []
        result = Runtime([spec], log, store, plugins=plugins).run(once=True)
    assert not result.failed
    assert MemorySink.target("out").offsets == {("t", 0): 10}
    dead_letter_flushes = [count for tp, count in log.flushed if tp == ("t.dlq", 0)]
    assert dead_letter_flushes[0] == 0  # before the sink's first flush


def test_retriable_sink_failures_are_retried(data_dir: Path, plugins: Registry) -> None:
    spec = pipeline(
        rows(50), sink={"fail": [{"call": "write", "at": 1, "times": 2, "error": "retriable"}]}
    )
    run_once(data_dir, spec, plugins)
    assert MemorySink.target("out").records == rows(50)


def test_exactly_once_sink_resumes_from_its_own_offsets(data_dir: Path, plugins: Registry) -> None:
    spec = pipeline(rows(120), sink={"exactly_once": True})
    run_once(data_dir, spec, plugins)
    with Store.open(None, data_dir) as store:
        store.delete_group("p.out")  # the group's offsets are gone; the sink's own remain
    run_once(data_dir, spec, plugins)
    assert MemorySink.target("out").records == rows(120)


def test_a_sink_whose_target_is_past_the_log_end_waits_for_the_log_to_get_there(
    tmp_path: Path, plugins: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    """The target kept its offsets, the data directory is new, and the source produces its
    records again: the sink names both offsets, the likely cause and the way back, writes
    nothing twice, and takes what comes past its offsets."""
    spec = pipeline(rows(10), sink={"exactly_once": True})
    run_once(tmp_path / "first", spec, plugins)
    with caplog.at_level(logging.WARNING, logger="hub"):
        run_once(tmp_path / "second", pipeline(rows(3), sink={"exactly_once": True}), plugins)
    assert MemorySink.target("out").records == rows(10)  # 0..2 count as delivered
    assert "t-0: the offsets in its target resume at offset 10, past the log's end" in caplog.text
    assert "reset the offsets in the sink's target" in caplog.text

    run_once(tmp_path / "third", pipeline(rows(12), sink={"exactly_once": True}), plugins)
    assert MemorySink.target("out").records == rows(12)  # 10 and 11 are new


def test_scheduled_source_runs_until_stopped(data_dir: Path, plugins: Registry) -> None:
    spec = pipeline(rows(30), schedule=Schedule(every_ms=50))
    with LocalLog(data_dir) as log, Store.open(None, data_dir) as store:
        runtime = Runtime([spec], log, store, plugins=plugins)
        timer = threading.Timer(1.0, runtime.stop.set)
        timer.start()
        result = runtime.run()
        timer.join()
    assert not result.failed
    assert MemorySink.target("out").records == rows(30)
    assert {s.state for s in result.statuses} <= {State.IDLE, State.STOPPED}


def test_sink_tasks_share_partitions_without_overlap() -> None:
    everything = [("a", p) for p in range(5)] + [("b", p) for p in range(2)]
    shares = [assign(everything, task, 3) for task in range(3)]
    assert sorted(tp for share in shares for tp in share) == sorted(everything)


def test_once_with_only_a_sink_drains_what_the_topic_already_holds(
    data_dir: Path, plugins: Registry
) -> None:
    spec = pipeline(rows(0))
    spec = PipelineSpec(name="p", path=spec.path, topics=spec.topics, sinks=spec.sinks)
    with LocalLog(data_dir) as log:
        log.create_topic("t")
        log.append_batch("t", 0, [orjson.dumps(row) for row in rows(42)])
    run_once(data_dir, spec, plugins)
    assert MemorySink.target("out").records == rows(42)


def test_a_source_reopens_after_retention_removed_its_checkpointed_log_end(
    data_dir: Path, plugins: Registry
) -> None:
    from hub.log import TopicConfig

    spec = pipeline(rows(300), source_config={"batch_size": 10})
    run_once(data_dir, spec, plugins)
    with LocalLog(data_dir, default_config=TopicConfig(segment_bytes=1024)) as log:
        log.delete_topic("t")
        log.create_topic("t", TopicConfig(segment_bytes=1024, retention_bytes=2048))
        for _ in range(30):
            log.append_batch("t", 0, [b'{"filler": true}'] * 20)
        assert log.enforce_retention() > 0
    run_once(data_dir, spec, plugins)  # the checkpoint's log end now lies below the earliest


def test_sinks_receive_the_schema_their_records_were_written_with(
    data_dir: Path, plugins: Registry
) -> None:
    from dataclasses import replace

    from hub.pipeline.spec import TopicSchema
    from hub.registry import Registry as SchemaRegistry

    spec = replace(pipeline(rows(250)), schemas={"t": TopicSchema(subject="t-value")})

    run_once(data_dir, spec, plugins)

    target = MemorySink.target("out")
    assert target.records == rows(250)
    with Store.open(None, data_dir) as store:
        registered = SchemaRegistry(store).version("t-value").parsed()
    assert registered["properties"].keys() == {"id", "name"}
    assert {orjson.dumps(b.schema) for b in target.batches} == {orjson.dumps(registered)}
