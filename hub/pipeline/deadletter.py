"""Dead-letter topics: records that failed, with headers saying where, when and why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hub.log.base import Log
from hub.record import Headers, Record
from hub.secrets import redact


class DeadLetters:
    """Appends failed records to ``topic`` with Kafka Connect-like ``hub.*`` error headers."""

    def __init__(self, log: Log, topic: str, pipeline: str, connector: str) -> None:
        self.log = log
        self.topic = topic
        self._common = (("hub.pipeline", pipeline.encode()), ("hub.connector", connector.encode()))

    def send(
        self,
        values: Sequence[bytes | None],
        *,
        stage: str,
        error: BaseException | str,
        positions: Sequence[Mapping[str, Any]] | None = None,
        keys: Sequence[bytes | None] | None = None,
    ) -> set[tuple[str, int]]:
        """One record per failed input; ``positions`` add ``hub.original.<name>`` headers each.

        Returns the partitions written, for the caller to fsync before it commits past them.
        """
        if not values:
            return set()
        headers = self.headers(len(values), stage=stage, error=error, positions=positions)
        records = [
            Record(value, keys[i] if keys else None, headers[i]) for i, value in enumerate(values)
        ]
        return {(self.topic, partition) for partition, _ in self.log.append(self.topic, records)}

    def headers(
        self,
        count: int,
        *,
        stage: str,
        error: BaseException | str,
        positions: Sequence[Mapping[str, Any]] | None = None,
    ) -> list[Headers]:
        """The ``hub.*`` headers of ``count`` failed records (for callers that append them)."""
        if isinstance(error, BaseException):
            error_class, message = type(error).__name__, str(error)
        else:
            error_class, message = "RecordError", error
        message = redact(message)
        common = (
            *self._common,
            ("hub.stage", stage.encode()),
            ("hub.error.class", error_class.encode()),
            ("hub.error.message", message.encode()),
        )
        return [
            common
            + tuple(
                (f"hub.original.{name}", str(value).encode())
                for name, value in (positions[i] if positions else {}).items()
            )
            for i in range(count)
        ]
