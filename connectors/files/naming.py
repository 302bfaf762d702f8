"""Names of the sink's files: the name is the commit record.

A completed file is named ``<topic>-<partition>-<first offset>-<last offset>.<ext>`` (offsets in
20 digits, so names sort by offset) and appears only by an atomic rename of a fully written,
fsynced temporary file (``.<topic>-<partition>-<first offset>.<ext>.tmp``, hidden from globs
such as ``*.jsonl``). So the completed names alone say which offsets are durably written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_RANGE = r"(?P<topic>.+)-(?P<partition>\d+)-(?P<first>\d{20})"
_COMPLETE = re.compile(rf"^{_RANGE}-(?P<last>\d{{20}})\.(jsonl|csv)$")
_TEMPORARY = re.compile(rf"^\.{_RANGE}\.(jsonl|csv)\.tmp$")


@dataclass(frozen=True, slots=True)
class FileRange:
    topic: str
    partition: int
    first: int
    last: int


def complete_name(topic: str, partition: int, first: int, last: int, ext: str) -> str:
    return f"{topic}-{partition}-{first:020d}-{last:020d}.{ext}"


def temporary_name(topic: str, partition: int, first: int, ext: str) -> str:
    return f".{topic}-{partition}-{first:020d}.{ext}.tmp"


def parse_complete(name: str) -> FileRange | None:
    match = _COMPLETE.match(name)
    if match is None:
        return None
    return FileRange(
        match["topic"], int(match["partition"]), int(match["first"]), int(match["last"])
    )


def temporary_of(name: str) -> tuple[str, int] | None:
    """``(topic, partition)`` of a temporary file's name, ``None`` for any other name."""
    match = _TEMPORARY.match(name)
    return None if match is None else (match["topic"], int(match["partition"]))
