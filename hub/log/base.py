"""The ``Log`` contract: what every log backend (embedded, later Kafka) must honour.

The contract test suite in ``tests/log/test_contract.py`` runs against every backend.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Self

from hub.log.config import TopicConfig
from hub.record import Headers, Record

if TYPE_CHECKING:
    from hub.log.recordbatch import RecordBatch


@dataclass(frozen=True, slots=True)
class PartitionInfo:
    """One partition as ``describe_topic`` sees it.

    ``earliest`` is the first offset still held, ``latest`` the next offset to be written (the log
    end offset): the partition holds ``latest - earliest`` records.
    """

    partition: int
    earliest: int
    latest: int
    size_bytes: int
    segments: int


@dataclass(frozen=True, slots=True)
class TopicDescription:
    name: str
    config: TopicConfig
    partitions: tuple[PartitionInfo, ...]


class Log(ABC):
    """A set of topics, each split into partitions of records with dense offsets.

    Contract:

    - Offsets are dense per partition, start at 0, and are never reused, not even after retention
      has deleted every record or after a restart.
    - ``append`` is atomic per partition: either every record given for a partition is appended
      with consecutive offsets, or none is. Appends are thread-safe; records appended together to
      one partition keep their order.
    - An acknowledged append (the call returned) survives the process being killed; how it
      survives a power loss is the topic's flush policy (``TopicConfig.flush_ms``) or ``flush()``.
    - Reads return records in offset order, starting at the requested offset, never a record that
      fails its CRC: corruption raises ``CorruptLogError`` naming the file and position.
    - Reading at the log end returns nothing (after waiting up to ``timeout_ms`` for new data);
      reading below the earliest or above the end raises ``OffsetOutOfRangeError``.
    - Unknown topics raise ``TopicNotFoundError``, except ``append`` on a log created with
      ``auto_create_topics`` which creates the topic with the default config.
    """

    # -- topics ---------------------------------------------------------------------------------
    @abstractmethod
    def create_topic(
        self, name: str, config: TopicConfig | None = None, *, exist_ok: bool = False
    ) -> TopicConfig:
        """Create ``name``; ``TopicExistsError`` if it exists (unless ``exist_ok``)."""

    @abstractmethod
    def delete_topic(self, name: str) -> None:
        """Delete the topic and all its data."""

    @abstractmethod
    def list_topics(self) -> list[str]:
        """Topic names, sorted."""

    @abstractmethod
    def topic_config(self, name: str) -> TopicConfig:
        """The topic's configuration."""

    @abstractmethod
    def describe_topic(self, name: str) -> TopicDescription:
        """Configuration and per-partition offsets, size and segment count."""

    # -- writing --------------------------------------------------------------------------------
    @abstractmethod
    def append(self, topic: str, records: Sequence[Record]) -> list[tuple[int, int]]:
        """Append records; return ``(partition, offset)`` of each, in input order.

        The partition is the record's own ``partition`` if set, else murmur2 of its key (as Kafka's
        Java client computes it), else the sticky partition of this call (keyless records of one
        call stay together; the next call moves on round-robin).
        """

    @abstractmethod
    def append_batch(
        self,
        topic: str,
        partition: int,
        values: Sequence[bytes | None],
        *,
        keys: Sequence[bytes | None] | None = None,
        headers: Sequence[Headers] | None = None,
        timestamp: int | None = None,
        producer_id: int = -1,
        base_sequence: int = -1,
    ) -> int:
        """Append ready bytes to one partition as one batch; return the base offset.

        The records get offsets ``base, base + 1, ... base + len(values) - 1``. This is the fast
        path: no per-record objects are built. ``producer_id``/``base_sequence`` are stored in the
        batch header as Kafka's idempotent producer does (``RecordBatch.producer_id``...).
        """

    @abstractmethod
    def flush(self, partitions: Iterable[tuple[str, int]] | None = None) -> None:
        """Make acknowledged appends durable on disk (fsync), whatever the flush policy.

        ``partitions`` limits the work to those ``(topic, partition)`` pairs; default all.
        """

    # -- reading --------------------------------------------------------------------------------
    @abstractmethod
    def read(
        self,
        topic: str,
        partition: int,
        offset: int,
        *,
        max_records: int = 500,
        max_bytes: int = 1 << 20,
        timeout_ms: int = 0,
    ) -> list[Record]:
        """Records from ``offset`` on, at most ``max_records``; waits up to ``timeout_ms`` if none.

        At least one record is returned when one exists, even if it is larger than ``max_bytes``.
        """

    @abstractmethod
    def fetch(
        self,
        topic: str,
        partition: int,
        offset: int,
        *,
        max_bytes: int = 1 << 20,
        timeout_ms: int = 0,
    ) -> list[RecordBatch]:
        """Whole record batches covering ``offset`` onwards (the first may start before it).

        The fast read path: batches decode lazily, in bulk. At least one batch is returned when
        one exists, even if it is larger than ``max_bytes``.
        """

    @abstractmethod
    def wait(self, topic: str, partition: int, offset: int, timeout_ms: int) -> bool:
        """Wait up to ``timeout_ms`` until the partition holds ``offset``; whether it does.

        A long-poll that reads nothing: the caller fetches when records are there. An offset
        past the end waits until the log has grown to it.
        """

    @abstractmethod
    def earliest_offset(self, topic: str, partition: int) -> int:
        """The first offset the partition still holds (moves forward with retention)."""

    @abstractmethod
    def latest_offset(self, topic: str, partition: int) -> int:
        """The log end offset: the offset the next appended record will get."""

    @abstractmethod
    def offset_for_time(self, topic: str, partition: int, timestamp_ms: int) -> int | None:
        """The first offset whose record timestamp is >= ``timestamp_ms``; ``None`` if none is."""

    # -- lifecycle ------------------------------------------------------------------------------
    @abstractmethod
    def close(self) -> None:
        """Flush and release files and locks; the log cannot be used afterwards."""

    def partitions(self, topic: str) -> int:
        """Number of partitions of ``topic``."""
        return self.topic_config(topic).partitions

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
