"""Appends to a ``LocalLog`` with ``flush: batch`` until it is killed; run by ``test_crash.py``.

Usage: ``python crash_writer.py DATA_DIR SEED``. Prints ``ready`` and then one line
``<partition> <base offset> <count>`` per acknowledged append, flushing stdout after each, so the
parent knows exactly what was acknowledged when it sends SIGKILL. Values are derived from their
partition and offset (``crash_value``), so the parent can check every record it reads back.
"""

from __future__ import annotations

import random
import sys

TOPIC = "crash"
PARTITIONS = 3


def crash_value(partition: int, offset: int) -> bytes:
    """The value stored at ``offset`` of ``partition``: sizes from a few bytes to ~10 KiB."""
    unit = f"<{partition}:{offset}>".encode()
    return unit * (1 + (offset * 7919) % 997)


def main() -> None:
    from hub.log import LocalLog, TopicConfig
    from hub.record import Record

    data_dir, seed = sys.argv[1], int(sys.argv[2])
    rng = random.Random(seed)
    config = TopicConfig(
        partitions=PARTITIONS, flush_ms=0, segment_bytes=256 * 1024, retention_ms=None
    )
    log = LocalLog(data_dir, default_config=config)
    log.create_topic(TOPIC, exist_ok=True)
    ends = [log.latest_offset(TOPIC, p) for p in range(PARTITIONS)]
    print("ready", *ends, flush=True)
    while True:
        partition = rng.randrange(PARTITIONS)
        count = rng.choice([1, 2, 5, 20, 60])
        base = ends[partition]
        values = [crash_value(partition, base + i) for i in range(count)]
        if rng.random() < 0.5:
            got = log.append_batch(TOPIC, partition, values)
        else:
            records = [
                Record(
                    v, key=f"k{base + i}".encode(), headers=(("n", b"%d" % i),), partition=partition
                )
                for i, v in enumerate(values)
            ]
            got = log.append(TOPIC, records)[0][1]
        if got != base:
            print(f"error: expected base offset {base}, got {got}", flush=True)
            sys.exit(3)
        ends[partition] = base + count
        print(partition, base, count, flush=True)


if __name__ == "__main__":
    main()
