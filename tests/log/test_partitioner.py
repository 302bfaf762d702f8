"""Partitioning: murmur2 as Kafka's Java client computes it, and the sticky round-robin."""

from __future__ import annotations

import random
import threading
import warnings
from collections import Counter

import pytest
from aiokafka.partitioner import murmur2 as aiokafka_murmur2

from hub.log.partitioner import StickyPartitioner, murmur2, partition_for_key

with warnings.catch_warnings():
    # kafka-python 3.x calls the deprecated importlib.resources.read_text on import.
    warnings.simplefilter("ignore", DeprecationWarning)
    from kafka.partitioner.default import murmur2 as kafka_python_murmur2


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (b"21", -973932308),
        (b"foobar", -790332482),
        (b"abc", 479470107),
        (b"a-little-bit-long-string", -985981536),
        (b"a-little-bit-longer-string", -1486304829),
        (b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971),
    ],
)
def test_murmur2_matches_the_java_client(key: bytes, expected: int) -> None:
    assert murmur2(key) == expected


@pytest.mark.parametrize("length", range(8))
def test_murmur2_agrees_with_the_python_clients_for_every_tail_length(length: int) -> None:
    """Lengths 0..7 cover the empty key, each 1-3 byte tail, and one full 4-byte block."""
    rng = random.Random(length)
    for _ in range(300):
        key = rng.randbytes(length)
        unsigned = murmur2(key) & 0xFFFFFFFF  # the Python clients return the unsigned value
        assert unsigned == kafka_python_murmur2(key) == aiokafka_murmur2(key), key


def test_murmur2_agrees_with_kafka_python_on_long_keys() -> None:
    rng = random.Random(8)
    for _ in range(200):
        key = rng.randbytes(rng.randrange(8, 200))
        assert murmur2(key) & 0xFFFFFFFF == kafka_python_murmur2(key)


def test_murmur2_is_signed_like_the_java_int() -> None:
    rng = random.Random(9)
    hashes = [murmur2(rng.randbytes(12)) for _ in range(500)]
    assert all(-(2**31) <= h < 2**31 for h in hashes)
    assert min(hashes) < 0 < max(hashes)


@pytest.mark.parametrize("partitions", [1, 2, 3, 7, 12, 100])
def test_partition_for_key_is_in_range_and_picks_what_kafka_picks(partitions: int) -> None:
    rng = random.Random(partitions)
    for _ in range(300):
        key = rng.randbytes(rng.randrange(0, 40))
        chosen = partition_for_key(key, partitions)
        assert 0 <= chosen < partitions
        assert chosen == (kafka_python_murmur2(key) & 0x7FFFFFFF) % partitions


def test_partition_for_key_is_stable() -> None:
    assert partition_for_key(b"customer-42", 6) == partition_for_key(b"customer-42", 6)


def test_sticky_partitioner_moves_on_each_call_and_cycles() -> None:
    sticky = StickyPartitioner()
    assert [sticky.next_partition(3) for _ in range(7)] == [0, 1, 2, 0, 1, 2, 0]


def test_sticky_partitioner_stays_in_range_when_the_partition_count_changes() -> None:
    sticky = StickyPartitioner()
    for partitions in [4, 4, 1, 2, 5, 3] * 10:
        assert 0 <= sticky.next_partition(partitions) < partitions


def test_sticky_partitioner_spreads_evenly_across_threads() -> None:
    sticky = StickyPartitioner()
    counts: Counter[int] = Counter()
    lock = threading.Lock()

    def pick() -> None:
        chosen = [sticky.next_partition(4) for _ in range(1000)]
        with lock:
            counts.update(chosen)

    threads = [threading.Thread(target=pick) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counts == {0: 1000, 1: 1000, 2: 1000, 3: 1000}
