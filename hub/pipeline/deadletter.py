"""Dead-letter topics: records that failed, with headers saying where, when and why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hub.log.base import Log
from hub.record import Record
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
    ) -> None:
        """One record per failed input; ``positions`` add ``hub.original.<name>`` headers each."""
        if not values:
            return
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
        records = []
        for i, value in enumerate(values):
            origin = positions[i] if positions else {}
            headers = common + tuple(
                (f"hub.original.{name}", str(origin_value).encode())
                for name, origin_value in origin.items()
            )
            key = keys[i] if keys else None
            records.append(Record(value, key, headers))
        self.log.append(self.topic, records)
