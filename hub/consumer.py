"""``Consumer``: reads one topic's partitions in turn and commits its group's progress.

Used by ``hub consume`` and by sink tasks. Positions follow Kafka: a partition's position is the
offset of the next record to read, and that is what ``commit()`` stores, so a consumer started
later with the same group begins right after the last record that was committed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from hub.errors import OffsetOutOfRangeError
from hub.groups import select_partitions

if TYPE_CHECKING:
    from hub.log.base import Log
    from hub.record import Record
    from hub.store import Store

logger = logging.getLogger(__name__)

# With several partitions the log can long-poll only one at a time: a waiting poll takes turns
# over the partitions in slices this long, so new data anywhere is seen within about one slice.
WAIT_SLICE_MS = 50


class Consumer:
    """A member of a consumer group (or of none) owning some or all partitions of one topic.

    Where each partition starts, first match wins: an explicit offset from ``offsets``; the
    group's committed offset; the earliest offset still held if ``from_beginning``; else the log
    end (only records appended from now on). A committed offset that retention has overtaken
    starts at the earliest offset, one beyond the log end (the topic was recreated) at the log
    end; both with a warning. An explicit offset outside the partition raises
    ``OffsetOutOfRangeError``.

    Not thread-safe: one consumer is driven by one thread.
    """

    def __init__(
        self,
        log: Log,
        store: Store | None,
        group: str | None,
        topic: str,
        *,
        partitions: Iterable[int] | None = None,
        offsets: Mapping[int, int] | None = None,
        from_beginning: bool = False,
        max_bytes: int = 1 << 20,
    ) -> None:
        if group is not None and store is None:
            raise ValueError(f"consumer group {group!r} needs a store to keep its offsets")
        self.topic = topic
        self.group = group
        self._log = log
        self._store = store
        self._max_bytes = max_bytes
        self.partitions = select_partitions(log, topic, partitions)
        offsets = dict(offsets or {})
        if stray := sorted(set(offsets) - set(self.partitions)):
            raise ValueError(f"start offsets given for partitions {stray}, which are not owned")
        self._positions = self._start_positions(offsets, from_beginning)
        self._moved: set[int] = set()  # partitions whose position changed since the last commit
        self._next = 0  # index into self.partitions of the partition to read first

    def _start_positions(self, explicit: dict[int, int], from_beginning: bool) -> dict[int, int]:
        committed: dict[tuple[str, int], int] = {}
        if self.group is not None and self._store is not None:
            committed = self._store.committed_offsets(self.group, self.topic)
        infos = {info.partition: info for info in self._log.describe_topic(self.topic).partitions}
        positions: dict[int, int] = {}
        for partition in self.partitions:
            info = infos[partition]
            if partition in explicit:
                offset = explicit[partition]
                if not info.earliest <= offset <= info.latest:
                    raise OffsetOutOfRangeError(
                        f"{self.topic}-{partition} holds offsets {info.earliest}..{info.latest} "
                        f"(the log end); {offset} is outside them: start inside that range"
                    )
                positions[partition] = offset
            elif (self.topic, partition) in committed:
                offset = committed[(self.topic, partition)]
                positions[partition] = self._within(partition, offset, info.earliest, info.latest)
            else:
                positions[partition] = info.earliest if from_beginning else info.latest
        return positions

    def _within(self, partition: int, offset: int, earliest: int, latest: int) -> int:
        """``offset`` moved into ``[earliest, latest]``, with a warning when it had to move."""
        if earliest <= offset <= latest:
            return offset
        where = f"{self.topic}-{partition}" + (f" (group {self.group!r})" if self.group else "")
        if offset < earliest:
            logger.warning(
                "%s: offset %d is gone to retention; continuing at the earliest offset still "
                "held, %d (%d records skipped)",
                where,
                offset,
                earliest,
                earliest - offset,
            )
            return earliest
        logger.warning(
            "%s: offset %d is beyond the log end %d (was the topic recreated?); continuing at "
            "the log end",
            where,
            offset,
            latest,
        )
        return latest

    # -- reading -------------------------------------------------------------------------------
    def poll(self, max_records: int = 500, timeout_ms: int = 0) -> list[Record]:
        """Up to ``max_records`` records, waiting up to ``timeout_ms`` when there are none.

        Partitions take turns: each poll starts with the partition after the last one that gave
        records, so a busy partition cannot starve the others. Records of one partition come in
        offset order.
        """
        if max_records < 1:
            raise ValueError(f"max_records must be at least 1, not {max_records}")
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            records = self._sweep(max_records)
            if records:
                return records
            remaining_ms = int((deadline - time.monotonic()) * 1000)
            if remaining_ms <= 0:
                return []
            index = self._next
            single = len(self.partitions) == 1
            wait_ms = remaining_ms if single else min(remaining_ms, WAIT_SLICE_MS)
            records = self._read(self.partitions[index], max_records, wait_ms)
            self._next = (index + 1) % len(self.partitions)
            if records:
                return records

    def _sweep(self, max_records: int) -> list[Record]:
        """Read without waiting from each partition in turn until ``max_records`` are had."""
        records: list[Record] = []
        count = len(self.partitions)
        last = None
        for step in range(count):
            index = (self._next + step) % count
            got = self._read(self.partitions[index], max_records - len(records), 0)
            if got:
                records.extend(got)
                last = index
                if len(records) >= max_records:
                    break
        if last is not None:
            self._next = (last + 1) % count
        return records

    def _read(self, partition: int, max_records: int, timeout_ms: int) -> list[Record]:
        position = self._positions[partition]
        try:
            records = self._log.read(
                self.topic,
                partition,
                position,
                max_records=max_records,
                max_bytes=self._max_bytes,
                timeout_ms=timeout_ms,
            )
        except OffsetOutOfRangeError:
            earliest = self._log.earliest_offset(self.topic, partition)
            latest = self._log.latest_offset(self.topic, partition)
            moved = self._within(partition, position, earliest, latest)
            if moved == position:  # the range moved again meanwhile: try on the next poll
                return []
            self._positions[partition] = moved
            self._moved.add(partition)
            return self._read(partition, max_records, timeout_ms)
        if records:
            last = records[-1].offset
            assert last is not None, "records read from the log carry their offset"
            self._positions[partition] = last + 1
            self._moved.add(partition)
        return records

    # -- positions and commits -----------------------------------------------------------------
    def position(self, partition: int) -> int:
        """The offset of the next record ``poll`` will return from ``partition``."""
        return self._positions[partition]

    def positions(self) -> dict[int, int]:
        """``{partition: next offset to read}`` for every owned partition."""
        return dict(self._positions)

    def seek(self, partition: int, offset: int) -> None:
        """Read ``partition`` from ``offset`` next: e.g. back to the last commit after a failure."""
        if partition not in self._positions:
            raise ValueError(f"{self.topic}-{partition} is not owned by this consumer")
        self._positions[partition] = offset
        self._moved.add(partition)

    def commit(self, offsets: Mapping[int, int] | None = None) -> dict[int, int]:
        """Commit the group's positions; return what was committed.

        By default, the position (next offset to read) of each partition that ``poll`` or
        ``seek`` moved since the last commit. A sink that has flushed less than it polled passes
        ``{partition: next offset}`` itself instead.
        """
        if self.group is None or self._store is None:
            raise ValueError("this consumer has no group: there is nowhere to commit offsets")
        moved = {p: self._positions[p] for p in self._moved}
        chosen = moved if offsets is None else dict(offsets)
        if chosen:
            self._store.commit_offsets(self.group, {(self.topic, p): o for p, o in chosen.items()})
        self._moved -= {p for p, o in chosen.items() if self._positions.get(p) == o}
        return chosen
