"""A source that counts: deterministic, so it is replayable and resumes exactly."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from hub.sdk import Source, SourceBatch, SourceContext


class CounterSource(Source):
    """Counts from `start`: `count` records {"n": n, "square": n * n}."""

    type = "counter"
    replayable = True  # polling again from the same offsets returns the same batches
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "count": {"type": "integer", "minimum": 0, "description": "how many numbers to emit"},
            "start": {"type": "integer", "default": 0},
            "partitions": {
                "type": "integer",
                "minimum": 1,
                "default": 1,
                "description": "how many source partitions to split the numbers into",
            },
            "batch_size": {"type": "integer", "minimum": 1, "default": 100},
        },
        "required": ["count"],
        "additionalProperties": False,
    }

    def open(self, config: Mapping[str, Any], context: SourceContext) -> None:
        super().open(config, context)
        # Partition p holds the p-th, (p + partitions)-th, ... numbers; its offset is the index
        # of the next number to emit. Each task reads only the partitions it owns.
        self.step = config["partitions"]
        self.next = {
            f"counter-{p}": context.offsets.get(f"counter-{p}", {}).get("next", p)
            for p in range(self.step)
            if context.owns(f"counter-{p}")
        }

    def poll(self) -> SourceBatch | None:
        count, start = self.config["count"], self.config["start"]
        for partition, index in self.next.items():
            if index < count:
                indexes = range(index, count, self.step)[: self.config["batch_size"]]
                self.next[partition] = indexes[-1] + self.step
                records = [{"n": start + i, "square": (start + i) ** 2} for i in indexes]
                return SourceBatch(records, {partition: {"next": self.next[partition]}})
        return None  # caught up
