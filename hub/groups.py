"""Administration of consumer groups: list, describe with lag, commit, reset, delete.

A group here is what Kafka's is without the membership protocol: a name under which committed
offsets are kept in the store. Members (``hub.consumer.Consumer``, sink tasks) resume from them;
``hub groups`` inspects and moves them.
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from hub.errors import ConfigError

if TYPE_CHECKING:
    from hub.log.base import Log, PartitionInfo
    from hub.store import Store

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GroupPartition:
    """Where a group stands in one partition.

    ``committed`` is ``None`` when the group has not committed for this partition. ``lag`` is the
    number of records the group has still to consume: ``latest - committed``, or
    ``latest - earliest`` when nothing is committed; a committed offset below the earliest (the
    records are gone to retention) counts from the earliest, since a consumer restarts there.
    """

    topic: str
    partition: int
    committed: int | None
    latest: int
    lag: int


def select_partitions(log: Log, topic: str, partitions: Iterable[int] | None) -> list[int]:
    """The given partitions, checked against the topic, or all of them; sorted, no repeats.

    Raises ``TopicNotFoundError`` for an unknown topic and ``ConfigError`` for a partition the
    topic does not have.
    """
    count = log.partitions(topic)
    if partitions is None:
        return list(range(count))
    chosen = sorted(set(partitions))
    unknown = [p for p in chosen if not 0 <= p < count]
    if unknown:
        raise ConfigError(
            f"topic {topic!r} has partitions 0..{count - 1}; "
            f"there is no partition {', '.join(map(str, unknown))}"
        )
    if not chosen:
        raise ConfigError(f"no partitions given for topic {topic!r}; name at least one")
    return chosen


def lag(info: PartitionInfo, committed: int | None) -> int:
    """Records still to consume in a partition from ``committed`` (see ``GroupPartition``)."""
    start = info.earliest if committed is None else min(max(committed, info.earliest), info.latest)
    return info.latest - start


class ConsumerGroups:
    """Consumer groups over one log and one store."""

    def __init__(self, log: Log, store: Store) -> None:
        self._log = log
        self._store = store

    def list(self) -> builtins.list[str]:
        """Groups with committed offsets, sorted."""
        return self._store.list_groups()

    def describe(self, group: str) -> builtins.list[GroupPartition]:
        """Every partition of every topic the group has committed offsets for, with its lag.

        Sorted by topic and partition; empty for a group without offsets. Topics that no longer
        exist in the log are left out (``Store.delete_topic_offsets`` clears their offsets).
        """
        committed = self._store.committed_offsets(group)
        topics = sorted({topic for topic, _ in committed})
        existing = set(self._log.list_topics())
        rows: builtins.list[GroupPartition] = []
        for topic in topics:
            if topic not in existing:
                continue
            for info in self._log.describe_topic(topic).partitions:
                offset = committed.get((topic, info.partition))
                rows.append(
                    GroupPartition(topic, info.partition, offset, info.latest, lag(info, offset))
                )
        return rows

    def commit(
        self,
        group: str,
        offsets: Mapping[tuple[str, int], int],
        metadata: str | None = None,
    ) -> None:
        """Set ``{(topic, partition): next offset to read}`` for the group, atomically."""
        self._store.commit_offsets(group, offsets, metadata)

    def committed(self, group: str, topic: str | None = None) -> dict[tuple[str, int], int]:
        """The group's committed offsets, of one topic if given."""
        return self._store.committed_offsets(group, topic)

    def delete(self, group: str) -> int:
        """Forget the group; return how many partition offsets it had (0: no such group)."""
        return self._store.delete_group(group)

    def reset(
        self,
        group: str,
        topic: str,
        *,
        to_earliest: bool = False,
        to_latest: bool = False,
        to_datetime: datetime | None = None,
        to_offset: int | None = None,
        partitions: Iterable[int] | None = None,
        dry_run: bool = False,
    ) -> dict[int, int]:
        """Move the group's offsets in ``topic`` (all partitions, or those given); return them.

        Exactly one target: the earliest offset still held, the log end, the first record at or
        after an aware ``to_datetime`` (the log end where no record is that new), or
        ``to_offset``. Like Kafka's ``--to-offset``, an explicit offset outside a partition's
        range is clamped into ``[earliest, latest]`` (with a warning) rather than rejected: a
        reset to 0 then means "the oldest record still there" on every partition. ``dry_run``
        computes the offsets without committing them.

        Groups have no live membership here, so a reset does not stop a running consumer: it
        takes effect when the group's consumers start again (and a running one may commit over
        it).
        """
        targets = [to_earliest, to_latest, to_datetime is not None, to_offset is not None]
        if sum(targets) != 1:
            raise ConfigError(
                f"reset of group {group!r}: give exactly one of to_earliest, to_latest, "
                "to_datetime and to_offset"
            )
        if to_datetime is not None and to_datetime.utcoffset() is None:
            raise ConfigError(
                f"reset of group {group!r}: the datetime {to_datetime.isoformat()} has no time "
                "zone; give one (e.g. 2024-05-01T12:00:00+00:00)"
            )
        chosen = select_partitions(self._log, topic, partitions)
        infos = {info.partition: info for info in self._log.describe_topic(topic).partitions}
        new: dict[int, int] = {}
        for partition in chosen:
            info = infos[partition]
            if to_earliest:
                new[partition] = info.earliest
            elif to_latest:
                new[partition] = info.latest
            elif to_datetime is not None:
                found = self._log.offset_for_time(topic, partition, _epoch_ms(to_datetime))
                new[partition] = info.latest if found is None else found
            elif to_offset is not None:
                new[partition] = _clamp(topic, info, to_offset)
        if not dry_run:
            self._store.commit_offsets(group, {(topic, p): o for p, o in new.items()})
        return new


def _clamp(topic: str, info: PartitionInfo, offset: int) -> int:
    clamped = min(max(offset, info.earliest), info.latest)
    if clamped != offset:
        logger.warning(
            "offset %d is outside %s-%d, which holds offsets %d..%d; using %d",
            offset,
            topic,
            info.partition,
            info.earliest,
            info.latest,
            clamped,
        )
    return clamped


def _epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
