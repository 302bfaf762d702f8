"""hub.testing: memory fakes, and a contract kit that passes good connectors and fails bad ones."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa
import pytest

import hub.testing.memory
from hub.errors import ConfigError, FatalError, RecordError, RetriableError
from hub.sdk import SinkBatch, SinkContext, Source, SourceBatch, SourceContext
from hub.testing import (
    MemorySink,
    MemorySource,
    SinkContract,
    SourceContract,
    checks,
    plugin_registry,
    validate_config,
)

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
RECORDS = [{"id": i, "name": f"n{i}"} for i in range(23)]


@pytest.fixture(autouse=True)
def _forget_memory_targets() -> Iterator[None]:
    yield
    MemorySink.reset()


def unique(prefix: str = "out") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# -- the kit applied to the fakes ------------------------------------------------------------------
class TestMemorySourceContract(SourceContract):
    source_class = MemorySource

    @pytest.fixture(params=["records", "arrow"])
    def config(self, request: pytest.FixtureRequest) -> dict[str, Any]:
        return {"records": RECORDS, "batch_size": 5, "format": request.param}

    @pytest.fixture
    def bad_config(self) -> dict[str, Any]:
        return {"batch_size": 5}


class TestMemorySinkContract(SinkContract):
    sink_class = MemorySink

    @pytest.fixture(params=[False, True], ids=["at-least-once", "exactly-once"])
    def config(self, request: pytest.FixtureRequest) -> dict[str, Any]:
        return {"name": unique(), "exactly_once": request.param}

    @pytest.fixture
    def bad_config(self) -> dict[str, Any]:
        return {"exactly_once": True}

    def read_back(self, config: Mapping[str, Any]) -> list[Any]:
        return MemorySink.target(config["name"]).records


def test_the_example_plugin_passes_the_kit() -> None:
    example = ROOT / "examples" / "plugin"
    env = {**os.environ, "PYTHONPATH": str(example)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(example)],
        cwd=example,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "failed" not in result.stdout


# -- MemorySource ----------------------------------------------------------------------------------
def open_source(config: Mapping[str, Any], **context: Any) -> MemorySource:
    source = MemorySource()
    source.open(validate_config(MemorySource, config), SourceContext("p", "src", **context))
    return source


def test_memory_source_emits_batches_with_positions_then_is_caught_up() -> None:
    source = open_source({"records": RECORDS, "batch_size": 10}, task=0, tasks=1)
    batches = [source.poll() for _ in range(4)]
    assert [len(b) for b in batches[:3] if b] == [10, 10, 3]
    assert [b.offsets for b in batches[:3] if b] == [
        {"memory": {"position": 10}},
        {"memory": {"position": 20}},
        {"memory": {"position": 23}},
    ]
    assert batches[3] is None


def test_memory_source_resumes_from_its_offset() -> None:
    offsets = {"memory": {"position": 20}}
    source = open_source({"records": RECORDS, "batch_size": 10}, task=0, tasks=1, offsets=offsets)
    batch = source.poll()
    assert batch is not None
    assert list(batch.records) == RECORDS[20:]


def test_memory_source_emits_arrow_tables_on_request() -> None:
    batch = open_source({"records": RECORDS, "format": "arrow"}, task=0, tasks=1).poll()
    assert batch is not None
    assert isinstance(batch.records, pa.Table)
    assert batch.records.to_pylist() == RECORDS


def test_only_one_task_reads_the_memory_source() -> None:
    readers = [
        open_source({"records": RECORDS}, task=task, tasks=3).poll() is not None
        for task in range(3)
    ]
    assert readers.count(True) == 1


@pytest.mark.parametrize(
    ("error", "raised"), [("retriable", RetriableError), ("fatal", FatalError)]
)
def test_memory_source_fails_the_polls_it_is_told_to(error: str, raised: type[Exception]) -> None:
    fail = [{"call": "poll", "at": 2, "error": error}]
    config = {"records": RECORDS, "batch_size": 5, "fail": fail}
    source = open_source(config, task=0, tasks=1)
    first = source.poll()
    with pytest.raises(raised, match=r"injected \w+ failure on poll #2"):
        source.poll()
    second = source.poll()
    assert first is not None
    assert second is not None
    assert list(second.records) == RECORDS[5:10]  # nothing skipped by the failure


# -- MemorySink ------------------------------------------------------------------------------------
def batch(offsets: range, partition: int = 0, **fields: Any) -> SinkBatch:
    import orjson

    return SinkBatch(
        "t",
        partition,
        list(offsets),
        [0] * len(offsets),
        [None] * len(offsets),
        [orjson.dumps({"offset": o, **fields}) for o in offsets],
        [()] * len(offsets),
    )


def open_sink(config: Mapping[str, Any]) -> MemorySink:
    sink = MemorySink()
    sink.open(validate_config(MemorySink, config), SinkContext("p", "out", 0, 1, "p.out"))
    return sink


def test_memory_sink_makes_writes_durable_only_on_flush() -> None:
    name = unique()
    sink = open_sink({"name": name})
    sink.write(batch(range(3)))
    assert MemorySink.target(name).records == []
    sink.flush()
    sink.write(batch(range(3, 5)))
    sink.close()  # never flushed: lost, as after a crash
    target = MemorySink.target(name)
    assert target.records == [{"offset": 0}, {"offset": 1}, {"offset": 2}]
    assert target.positions == [("t", 0, 0), ("t", 0, 1), ("t", 0, 2)]
    assert (target.writes, target.flushes, target.calls["close"]) == (2, 1, 1)


def test_memory_sink_stores_offsets_with_the_rows_when_exactly_once() -> None:
    name = unique()
    sink = open_sink({"name": name, "exactly_once": True})
    sink.write(batch(range(3), partition=0))
    sink.write(batch(range(7), partition=1))
    assert sink.committed_offsets() == {}
    sink.flush()
    sink.write(batch(range(3, 5), partition=0))  # not flushed: not committed
    assert open_sink({"name": name, "exactly_once": True}).committed_offsets() == {
        ("t", 0): 3,
        ("t", 1): 7,
    }
    assert sink.exactly_once
    assert not open_sink({"name": name}).exactly_once
    assert open_sink({"name": name}).committed_offsets() is None


@pytest.mark.parametrize(
    ("error", "raised"),
    [("retriable", RetriableError), ("fatal", FatalError), ("record", RecordError)],
)
def test_memory_sink_fails_the_calls_it_is_told_to(error: str, raised: type[Exception]) -> None:
    name = unique()
    sink = open_sink(
        {"name": name, "fail": [{"call": "write", "at": 2, "times": 2, "error": error}]}
    )
    sink.write(batch(range(2)))
    for _ in range(2):
        with pytest.raises(raised, match=f"memory sink '{name}': injected {error} failure"):
            sink.write(batch(range(2, 4)))
    sink.write(batch(range(2, 4)))
    sink.flush()
    assert [r["offset"] for r in MemorySink.target(name).records] == [0, 1, 2, 3]


def test_memory_sink_counts_failures_across_instances_like_a_real_target() -> None:
    config = {"name": unique(), "fail": [{"call": "flush", "at": 1, "error": "retriable"}]}
    with pytest.raises(RetriableError):
        open_sink(config).flush()
    open_sink(config).flush()  # the second flush of the target: succeeds


def test_memory_sink_rejects_records_with_the_reject_field_set() -> None:
    name = unique()
    sink = open_sink({"name": name, "reject_field": "poison"})
    with pytest.raises(RecordError, match=r"offset\(s\) \[4, 5\] of t-0 have 'poison' set"):
        sink.write(batch(range(4, 6), poison=True))
    sink.write(batch(range(4, 6), poison=False))


def test_memory_targets_are_shared_by_name_until_reset() -> None:
    assert MemorySink.target("a") is MemorySink.target("a")
    MemorySink.reset()
    assert MemorySink.target("a").records == []


def test_the_memory_module_is_a_plugin() -> None:
    registry = plugin_registry(hub.testing.memory)
    assert registry.get("source", "memory").cls is MemorySource
    assert registry.get("sink", "memory").cls is MemorySink
    assert registry.get("sink", "memory").package == "hub.testing.memory"


# -- the kit fails what breaks the contract --------------------------------------------------------
class Forgetful(MemorySource):
    """Ignores its offsets: starts over after every restart."""

    def open(self, config: Mapping[str, Any], context: SourceContext) -> None:
        context.offsets = {}
        super().open(config, context)


class OffByOne(MemorySource):
    """Skips a record when it resumes."""

    def open(self, config: Mapping[str, Any], context: SourceContext) -> None:
        super().open(config, context)
        if context.offsets:
            self._position += 1


class Greedy(MemorySource):
    """Reads everything in every task."""

    def open(self, config: Mapping[str, Any], context: SourceContext) -> None:
        super().open(config, context)
        self._position = int(context.offsets.get(self.PARTITION, {}).get("position", 0))


class Endless(Source):
    """Never caught up."""

    type = "endless"

    def poll(self) -> SourceBatch | None:
        return SourceBatch([{"x": 1}], {"endless": {"n": 1}})


class BinaryOffsets(MemorySource):
    """Keeps bytes in its offsets."""

    def poll(self) -> SourceBatch | None:
        batch = super().poll()
        if batch is not None:
            batch.offsets = {"memory": {"position": b"\x00"}}
        return batch


SOURCE_CONFIG = {"records": RECORDS, "batch_size": 5}


@pytest.mark.parametrize(
    ("cls", "message"),
    [
        (Forgetful, r"batch 1 of 5, then resumed .*: 5 record\(s\) repeated, e\.g\. \{\"id\":0"),
        (OffByOne, r"batch 1 of 5, then resumed .*: 1 record\(s\) lost, e\.g\. \{\"id\":5"),
        (BinaryOffsets, r"source offsets .* are not JSON"),
    ],
)
def test_the_kit_fails_a_source_that_does_not_resume_exactly(cls: type, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        checks.check_source_resumes(cls, SOURCE_CONFIG)


def test_the_kit_fails_a_source_whose_tasks_read_the_same_records() -> None:
    with pytest.raises(AssertionError, match=r"2 tasks together: 23 record\(s\) repeated"):
        checks.check_source_tasks(Greedy, SOURCE_CONFIG)


def test_the_kit_fails_a_source_that_is_never_caught_up() -> None:
    with pytest.raises(AssertionError, match="not caught up after 50 polls"):
        checks.poll_all(Endless, {}, max_polls=50)


class LeakySink(MemorySink):
    """Exactly-once, but commits its offsets on write, before the rows are durable."""

    def write(self, batch: SinkBatch) -> None:
        super().write(batch)
        self._target.offsets[batch.topic, batch.partition] = batch.next_offset


class EagerSink(MemorySink):
    """Exactly-once, but its rows are durable on write while its offsets wait for flush."""

    def write(self, batch: SinkBatch) -> None:
        super().write(batch)
        self._target.batches.append(batch)

    def flush(self) -> None:
        for written in self._pending:
            self._target.offsets[written.topic, written.partition] = written.next_offset
        self._pending.clear()


class AmnesiacSink(MemorySink):
    """Flush does not make anything durable."""

    def flush(self) -> None:
        self._pending.clear()


class DirectSink(MemorySink):
    """At-least-once, writing straight through: a crash leaves rows that come again."""

    def write(self, batch: SinkBatch) -> None:
        super().write(batch)
        self.flush()


def read_back(config: Mapping[str, Any]) -> list[Any]:
    return MemorySink.target(config["name"]).records


@pytest.mark.parametrize(
    ("cls", "exactly_once", "message"),
    [
        (LeakySink, True, r"record\(s\) lost"),
        (EagerSink, True, r"record\(s\) repeated"),
        (AmnesiacSink, False, r"record\(s\) lost"),
    ],
)
def test_the_kit_fails_a_sink_that_loses_or_repeats_records_after_a_crash(
    cls: type[MemorySink], exactly_once: bool, message: str
) -> None:
    config = {"name": unique(), "exactly_once": exactly_once}
    with pytest.raises(AssertionError, match=message):
        checks.check_sink_survives_crash(cls, config, RECORDS, read_back, flushed_batches=1)


def test_the_kit_lets_an_at_least_once_sink_repeat_only_what_it_had_not_flushed() -> None:
    config = {"name": unique()}
    checks.check_sink_survives_crash(DirectSink, config, RECORDS, read_back, flushed_batches=1)
    assert len(read_back(config)) > len(RECORDS)  # it did repeat some


def test_the_kit_fails_an_exactly_once_sink_whose_offsets_fall_behind_its_flushes() -> None:
    class Behind(MemorySink):
        """Forgets its committed offsets."""

        def committed_offsets(self) -> dict[tuple[str, int], int] | None:
            return {} if self.exactly_once else None

    config = {"name": unique(), "exactly_once": True}
    with pytest.raises(AssertionError, match=r"committed_offsets\(\) .* are behind"):
        checks.check_sink_survives_crash(Behind, config, RECORDS, read_back, flushed_batches=2)


class Undocumented(MemorySource):
    type = "undocumented"


class Nameless(MemorySource):
    """Has no usable type name."""

    type = "two words"


class NotAnObject(MemorySource):
    """Its config schema accepts a list."""

    config_schema: ClassVar[dict[str, Any]] = {"type": "array"}


class Misspelt(MemorySource):
    """Its config schema is not JSON Schema."""

    config_schema: ClassVar[dict[str, Any]] = {"type": "objekt"}


@pytest.mark.parametrize(
    ("cls", "message"),
    [
        (Undocumented, "has no docstring"),
        (Nameless, "type must be a non-empty name without spaces"),
        (NotAnObject, '"type": "object"'),
        (Misspelt, "not valid JSON Schema"),
        (MemorySink, "not a subclass of hub.Source"),
    ],
)
def test_the_kit_fails_a_bad_declaration(cls: type, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        checks.check_declaration(cls, "source")


class Lenient(MemorySource):
    """Accepts anything."""

    config_schema: ClassVar[dict[str, Any]] = {"type": "object"}

    def open(self, config: Mapping[str, Any], context: SourceContext) -> None:
        pass


class Picky(Lenient):
    """Refuses what its schema cannot express, in open."""

    def open(self, config: Mapping[str, Any], context: SourceContext) -> None:
        if "records" not in config:
            raise ConfigError("config.records: give the records")


def test_the_kit_fails_a_connector_that_accepts_a_bad_config() -> None:
    with pytest.raises(AssertionError, match="accepted the bad config"):
        checks.check_rejects(Lenient, "source", {}, ["records"])


def test_the_kit_fails_a_config_error_that_does_not_name_the_field() -> None:
    with pytest.raises(AssertionError, match=r"does not name \['batch_size'\]"):
        checks.check_rejects(MemorySource, "source", {}, ["batch_size"])


def test_the_kit_accepts_a_config_error_raised_by_open() -> None:
    checks.check_rejects(Picky, "source", {}, ["records"])


def test_a_contract_subclass_reports_each_broken_promise_as_a_failed_test(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest
        from hub.testing import MemorySource, SourceContract

        class Forgetful(MemorySource):
            "Starts over after every restart."

            def open(self, config, context):
                context.offsets = {}
                super().open(config, context)

        class TestForgetful(SourceContract):
            source_class = Forgetful

            @pytest.fixture
            def config(self):
                return {"records": [{"id": i} for i in range(12)], "batch_size": 5}

            @pytest.fixture
            def bad_config(self):
                return {}
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=5, failed=1)
    result.stdout.fnmatch_lines(["FAILED *::TestForgetful::test_resumes_from_checkpointed_*"])
    result.stdout.fnmatch_lines(['E * record(s) repeated, e.g. {"id":0}*'])
