"""Kafka's ``recovery-point-offset-checkpoint``: up to where each partition is known fsynced.

Recovery CRC-checks only what lies past these offsets. The file is replaced atomically; it needs
no fsync of its own, since a stale checkpoint only makes recovery check more.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

_VERSION = 0


def read_checkpoint(path: Path) -> dict[tuple[str, int], int] | None:
    """The offsets in ``path``; ``None`` when there is no usable file (check everything)."""
    try:
        lines = path.read_text().splitlines()
        if int(lines[0]) != _VERSION or int(lines[1]) != len(lines) - 2:
            return None
        result = {}
        for line in lines[2:]:
            topic, partition, offset = line.split(" ")
            result[topic, int(partition)] = int(offset)
        return result
    except (OSError, ValueError, IndexError):
        return None


def write_checkpoint(path: Path, offsets: Mapping[tuple[str, int], int]) -> None:
    lines = [str(_VERSION), str(len(offsets))]
    lines += [
        f"{topic} {partition} {offset}" for (topic, partition), offset in sorted(offsets.items())
    ]
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n")
    os.replace(tmp, path)
