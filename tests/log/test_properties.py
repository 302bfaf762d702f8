"""The log's invariants under any sequence of operations (hypothesis, stateful).

A model keeps what was appended to each partition. Whatever hypothesis does (appends of every
shape, reads from anywhere, flushes, retention, closing and reopening), the log must return exactly
what the model holds, in order, with dense offsets that are never reused.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from hub.errors import OffsetOutOfRangeError
from hub.log import LocalLog, TopicConfig
from hub.record import Record

TOPIC = "props"
PARTITIONS = 3

# (value, key, headers, timestamp) of one stored record.
Stored = tuple[bytes | None, bytes | None, tuple[tuple[str, bytes | None], ...], int]

values = st.none() | st.binary(max_size=40) | st.binary(min_size=200, max_size=700)
keys = st.none() | st.binary(min_size=1, max_size=8)
headers = st.lists(
    st.tuples(st.text(max_size=4), st.none() | st.binary(max_size=6)), max_size=2
).map(tuple)
timestamps = st.integers(0, 20_000)
records = st.builds(
    Record,
    value=values,
    key=keys,
    headers=headers,
    timestamp=timestamps,
    partition=st.none() | st.integers(0, PARTITIONS - 1),
)


class LogMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.directory = Path(tempfile.mkdtemp(prefix="hub-properties-"))
        self.model: dict[int, list[Stored]] = {p: [] for p in range(PARTITIONS)}
        self.earliest = dict.fromkeys(range(PARTITIONS), 0)
        self.log: LocalLog | None = None

    def open(self) -> LocalLog:
        return LocalLog(self.directory, retention_check_ms=3_600_000)

    @initialize(
        flush_ms=st.sampled_from([0, None, 5]),
        segment_bytes=st.sampled_from([150, 400, 2000]),
        index_interval_bytes=st.sampled_from([0, 64, 512]),
        retention_bytes=st.none() | st.just(1500),
    )
    def create(
        self,
        flush_ms: int | None,
        segment_bytes: int,
        index_interval_bytes: int,
        retention_bytes: int | None,
    ) -> None:
        self.log = self.open()
        self.log.create_topic(
            TOPIC,
            TopicConfig(
                partitions=PARTITIONS,
                flush_ms=flush_ms,
                segment_bytes=segment_bytes,
                segment_ms=5000,
                index_interval_bytes=index_interval_bytes,
                retention_ms=None,
                retention_bytes=retention_bytes,
            ),
        )

    @property
    def the_log(self) -> LocalLog:
        assert self.log is not None
        return self.log

    @rule(batch=st.lists(records, min_size=1, max_size=8))
    def append(self, batch: list[Record]) -> None:
        positions = self.the_log.append(TOPIC, batch)

        assert len(positions) == len(batch)
        for record, (partition, offset) in zip(batch, positions, strict=True):
            if record.partition is not None:
                assert partition == record.partition
            assert offset == len(self.model[partition]), "offsets must be dense"
            assert record.timestamp is not None
            self.model[partition].append(
                (record.value, record.key, record.headers, record.timestamp)
            )
        sticky = {
            p
            for r, (p, _) in zip(batch, positions, strict=True)
            if r.partition is None and r.key is None
        }
        assert len(sticky) <= 1, "keyless records of one append share a partition"

    @rule(
        partition=st.integers(0, PARTITIONS - 1),
        batch=st.lists(st.tuples(values, keys), min_size=1, max_size=8),
        timestamp=timestamps,
    )
    def append_batch(
        self, partition: int, batch: list[tuple[bytes | None, bytes | None]], timestamp: int
    ) -> None:
        base = self.the_log.append_batch(
            TOPIC, partition, [v for v, _ in batch], keys=[k for _, k in batch], timestamp=timestamp
        )

        assert base == len(self.model[partition])
        self.model[partition].extend((v, k, (), timestamp) for v, k in batch)

    @rule(
        partition=st.integers(0, PARTITIONS - 1),
        data=st.data(),
        max_records=st.integers(1, 30),
        max_bytes=st.sampled_from([1, 300, 5000, 1 << 20]),
    )
    def read(self, partition: int, data: st.DataObject, max_records: int, max_bytes: int) -> None:
        end = len(self.model[partition])
        offset = data.draw(st.integers(self.earliest[partition], end), label="offset")

        got = self.the_log.read(
            TOPIC, partition, offset, max_records=max_records, max_bytes=max_bytes
        )

        assert len(got) <= max_records
        if offset < end:
            assert got, "at least one record when one exists"
        assert [r.offset for r in got] == list(range(offset, offset + len(got)))
        assert [(r.value, r.key, r.headers, r.timestamp) for r in got] == self.model[partition][
            offset : offset + len(got)
        ]
        assert {(r.topic, r.partition) for r in got} <= {(TOPIC, partition)}

    @rule(partition=st.integers(0, PARTITIONS - 1), data=st.data())
    def read_out_of_range(self, partition: int, data: st.DataObject) -> None:
        below = st.integers(-3, self.earliest[partition] - 1)
        above = st.integers(len(self.model[partition]) + 1, len(self.model[partition]) + 3)
        offset = data.draw(below | above, label="offset")
        try:
            self.the_log.read(TOPIC, partition, offset)
        except OffsetOutOfRangeError:
            return
        raise AssertionError(f"reading offset {offset} should be out of range")

    @rule(partition=st.integers(0, PARTITIONS - 1), timestamp=st.integers(-1, 21_000))
    def offset_for_time(self, partition: int, timestamp: int) -> None:
        held = list(enumerate(self.model[partition]))[self.earliest[partition] :]
        expected = next((offset for offset, r in held if r[3] >= timestamp), None)

        assert self.the_log.offset_for_time(TOPIC, partition, timestamp) == expected

    @rule()
    def flush(self) -> None:
        self.the_log.flush()

    @rule()
    def reopen(self) -> None:
        self.the_log.close()
        self.log = self.open()

    @precondition(lambda self: self.log is not None)
    @rule()
    def enforce_retention(self) -> None:
        self.the_log.enforce_retention(now_ms=0)
        for partition in range(PARTITIONS):
            earliest = self.the_log.earliest_offset(TOPIC, partition)
            assert self.earliest[partition] <= earliest <= len(self.model[partition])
            self.earliest[partition] = earliest

    @invariant()
    def offsets_bound_what_was_appended(self) -> None:
        if self.log is None:
            return
        for partition in range(PARTITIONS):
            assert self.log.latest_offset(TOPIC, partition) == len(self.model[partition])
            assert self.log.earliest_offset(TOPIC, partition) == self.earliest[partition]

    def teardown(self) -> None:
        if self.log is not None:
            self.log.close()
        shutil.rmtree(self.directory, ignore_errors=True)


LogMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_the_log_returns_exactly_what_was_appended = LogMachine.TestCase
