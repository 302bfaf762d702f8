"""``hub bench log``: the log's append and read throughput, like Kafka's perf tools.

Values are prepared up front ("ready bytes"), so the numbers measure the log: framing, CRC,
indexing, writes and reads. The same bytes are also written raw to a file in the same directory,
so the append rate can be read against what the file system does with no log at all. Appends
run under the default durability policy (group fsync every 100 ms, in the background).
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from hub.log.config import TopicConfig
from hub.log.local import LocalLog

_TOPIC = "bench"
_DISTINCT_VALUES = 4096


@dataclass(frozen=True, slots=True)
class LogBenchResult:
    records: int
    record_size: int
    partitions: int
    batch_size: int
    rounds: int
    append_records_per_s: float
    append_mb_per_s: float
    append_p50_ms: float
    append_p99_ms: float
    read_records_per_s: float
    read_mb_per_s: float
    decode_records_per_s: float
    raw_write_mb_per_s: float

    @property
    def append_vs_raw(self) -> float:
        return self.append_mb_per_s / self.raw_write_mb_per_s

    def as_dict(self) -> dict[str, float]:
        return {**asdict(self), "append_vs_raw": self.append_vs_raw}


def _values(count: int, size: int) -> list[bytes]:
    """Distinct JSON-looking values of exactly ``size`` bytes (random, so nothing compresses)."""
    prefix = b'{"payload":"'
    body = max(size - len(prefix) - 2, 0)
    pool = [
        (prefix + os.urandom(body // 2 + 1).hex().encode()[:body] + b'"}')[:size]
        for _ in range(min(count, _DISTINCT_VALUES))
    ]
    return [pool[i % len(pool)] for i in range(count)]


def run_log_bench(
    directory: Path,
    *,
    records: int = 1_000_000,
    record_size: int = 100,
    partitions: int = 1,
    batch_size: int = 1000,
    rounds: int = 3,
) -> LogBenchResult:
    """Append ``records`` values of ``record_size`` bytes, read them back, compare a raw write.

    Each measure is the best of ``rounds`` (as ``timeit`` reports its best): on a shared virtual
    disk, write-back of one phase's bytes can stall the next phase's writes for a while.
    """
    directory.mkdir(parents=True, exist_ok=True)
    values = _values(records, record_size)
    batches = [values[i : i + batch_size] for i in range(0, records, batch_size)]
    raw_s = append_s = read_s = decode_s = float("inf")
    latencies: list[float] = []
    for _ in range(rounds):
        workdir = Path(tempfile.mkdtemp(prefix="hub-bench-", dir=directory))
        try:
            os.sync()  # no dirty pages left over from an earlier phase
            raw_s = min(raw_s, _raw_write(workdir / "raw.bin", batches))
            os.sync()
            elapsed, round_latencies = _append(workdir / "log", batches, partitions)
            if elapsed < append_s:
                append_s, latencies = elapsed, round_latencies
            read, decode = _read(workdir / "log", partitions)
            read_s, decode_s = min(read_s, read), min(decode_s, decode)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    mb = records * record_size / 1e6
    percentiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return LogBenchResult(
        records=records,
        record_size=record_size,
        partitions=partitions,
        batch_size=batch_size,
        rounds=rounds,
        append_records_per_s=records / append_s,
        append_mb_per_s=mb / append_s,
        append_p50_ms=percentiles[49] * 1000,
        append_p99_ms=percentiles[98] * 1000,
        read_records_per_s=records / read_s,
        read_mb_per_s=mb / read_s,
        decode_records_per_s=records / decode_s,
        raw_write_mb_per_s=mb / raw_s,
    )


def _append(
    data_dir: Path, batches: list[list[bytes]], partitions: int
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    clock = time.perf_counter
    with LocalLog(data_dir) as log:
        log.create_topic(_TOPIC, TopicConfig(partitions=partitions))
        started = clock()
        for i, batch in enumerate(batches):
            before = clock()
            log.append_batch(_TOPIC, i % partitions, batch)
            latencies.append(clock() - before)
        elapsed = clock() - started
    return elapsed, latencies


def _read(data_dir: Path, partitions: int) -> tuple[float, float]:
    """Seconds to fetch every batch as bytes, and to fetch and decode every record's value."""
    with LocalLog(data_dir, read_only=True) as log:
        started = time.perf_counter()
        for partition in range(partitions):
            _drain(log, partition, decode=False)
        read_s = time.perf_counter() - started
        started = time.perf_counter()
        for partition in range(partitions):
            _drain(log, partition, decode=True)
        decode_s = time.perf_counter() - started
    return read_s, decode_s


def _drain(log: LocalLog, partition: int, *, decode: bool) -> int:
    offset, end, count = 0, log.latest_offset(_TOPIC, partition), 0
    while offset < end:
        for batch in log.fetch(_TOPIC, partition, offset, max_bytes=4 << 20):
            count += len(batch.values()) if decode else batch.record_count
            offset = batch.next_offset
    return count


def _raw_write(path: Path, batches: list[list[bytes]]) -> float:
    """The same payload bytes, written sequentially in the same chunks.

    Like an acknowledged append under the default policy, a write here has reached the OS page
    cache, not the platter: neither side waits for an fsync inside the timed loop.
    """
    chunks = [b"".join(batch) for batch in batches]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        started = time.perf_counter()
        for chunk in chunks:
            os.write(fd, chunk)
        return time.perf_counter() - started
    finally:
        os.close(fd)
