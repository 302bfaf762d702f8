"""Our batches are Kafka's: the Python Kafka clients read what we write, and we read theirs.

Readers and builders are aiokafka's (its C extension and its pure-Python fallback) and
kafka-python's; every test runs against each.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiokafka.record import default_records as aiokafka_records

from hub.errors import LogError
from hub.log.recordbatch import RecordBatch, RecordColumns, encode_batch
from hub.record import Headers

with warnings.catch_warnings():
    # kafka-python 3.x calls the deprecated importlib.resources.read_text on import.
    warnings.simplefilter("ignore", DeprecationWarning)
    from kafka.record import default_records as kafka_python_records

READERS: dict[str, Callable[[bytes], Any]] = {
    "aiokafka": aiokafka_records.DefaultRecordBatch,
    "aiokafka-python": aiokafka_records._DefaultRecordBatchPy,
    "kafka-python": kafka_python_records.DefaultRecordBatch,
}
BUILDERS: dict[str, Callable[..., Any]] = {
    "aiokafka": aiokafka_records.DefaultRecordBatchBuilder,
    "aiokafka-python": aiokafka_records._DefaultRecordBatchBuilderPy,
    "kafka-python": kafka_python_records.DefaultRecordBatchBuilder,
}
TS = 1_700_000_000_000
GZIP = 1


@dataclass(frozen=True)
class Sample:
    values: list[bytes | None]
    keys: list[bytes | None]
    headers: list[Headers]
    timestamps: list[int]


def _sample(count: int, **columns: Any) -> Sample:
    return Sample(
        columns.get("values", [b"value-%06d" % i for i in range(count)]),
        columns.get("keys", [None] * count),
        columns.get("headers", [()] * count),
        columns.get("timestamps", [TS] * count),
    )


SAMPLES = {
    "plain": _sample(1000),
    "one record": _sample(1, values=[b"x" * 100]),
    "plain beyond the tables": _sample(17_000),
    "mixed": _sample(
        6,
        values=[b"v", None, b"", b"y" * 20_000, b"\x00" * 64, b"last"],
        keys=[b"k", b"k", None, b"", b"z" * 17_000, None],
        headers=[
            (("trace", b"1"), ("gone", None)),
            (),
            (("ключ", b""), ("名前", b"\xff" * 200)),
            (("big", b"h" * 16_500),),
            (),
            (("🚀", None),),
        ],
        timestamps=[TS, TS - 1, TS + 3_600_000, TS - 86_400_000, TS, TS + 1],
    ),
}


def _encode(sample: Sample, base_offset: int = 0, partition_leader_epoch: int = 0) -> bytes:
    return encode_batch(
        base_offset,
        sample.values,
        keys=sample.keys,
        headers=sample.headers,
        timestamps=sample.timestamps,
        partition_leader_epoch=partition_leader_epoch,
    )


def _build(builder_name: str, sample: Sample, compression: int = 0) -> bytes:
    builder = BUILDERS[builder_name](2, compression, 0, -1, -1, -1, 1 << 30)
    for offset, (value, key, headers, timestamp) in enumerate(
        zip(sample.values, sample.keys, sample.headers, sample.timestamps, strict=True)
    ):
        assert builder.append(offset, timestamp, key, value, list(headers)) is not None
    return bytes(builder.build())


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("sample_name", SAMPLES)
def test_kafka_clients_read_our_batches(reader: str, sample_name: str) -> None:
    sample = SAMPLES[sample_name]
    batch = READERS[reader](_encode(sample, base_offset=500))
    assert batch.validate_crc()
    assert (batch.base_offset, batch.next_offset) == (500, 500 + len(sample.values))
    assert (batch.first_timestamp, batch.max_timestamp) == (TS, max(sample.timestamps))
    assert not batch.is_control_batch
    assert [(r.offset, r.timestamp, r.key, r.value, r.headers) for r in batch] == [
        (500 + i, timestamp, key, value, list(headers))
        for i, (value, key, headers, timestamp) in enumerate(
            zip(sample.values, sample.keys, sample.headers, sample.timestamps, strict=True)
        )
    ]


@pytest.mark.parametrize("builder", BUILDERS)
@pytest.mark.parametrize("sample_name", SAMPLES)
def test_we_read_batches_built_by_kafka_clients(builder: str, sample_name: str) -> None:
    sample = SAMPLES[sample_name]
    batch = RecordBatch.parse(_build(builder, sample))
    assert batch.crc_ok()
    count = len(sample.values)
    assert (batch.base_offset, batch.last_offset, batch.record_count) == (0, count - 1, count)
    assert batch.max_timestamp == max(sample.timestamps)
    assert batch.columns() == RecordColumns(
        list(range(count)), sample.timestamps, sample.keys, sample.values, sample.headers
    )
    assert batch.values() == sample.values


@pytest.mark.parametrize("builder", BUILDERS)
@pytest.mark.parametrize("sample_name", SAMPLES)
def test_our_batches_are_byte_for_byte_what_kafka_clients_build(
    builder: str, sample_name: str
) -> None:
    """Same header fields (no producer id or sequence), same minimal varints.

    The partition leader epoch is the broker's to set: aiokafka writes -1 there, kafka-python 0.
    """
    sample = SAMPLES[sample_name]
    built = _build(builder, sample)
    epoch = int.from_bytes(built[12:16], "big", signed=True)
    assert _encode(sample, partition_leader_epoch=epoch) == built


@pytest.mark.parametrize("builder", BUILDERS)
def test_a_gzip_batch_from_a_kafka_client_is_refused_with_a_clear_error(builder: str) -> None:
    sample = _sample(200, values=[b"compressible " * 20] * 200)
    batch = RecordBatch.parse(_build(builder, sample, compression=GZIP))
    assert batch.crc_ok()
    with pytest.raises(LogError, match=r"compressed \(codec 1\); compressed batches are not"):
        batch.columns()
