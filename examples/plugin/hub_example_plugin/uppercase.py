"""A transform that works record by record: the simplest kind to write."""

from __future__ import annotations

from typing import Any, ClassVar

from hub.errors import RecordError
from hub.sdk import Transform


class Uppercase(Transform):
    """Upper-cases the text of the given fields."""

    type = "uppercase"
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "fields": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        },
        "required": ["fields"],
        "additionalProperties": False,
    }

    def apply_record(self, record: dict[str, Any]) -> dict[str, Any] | None:
        for field in self.config["fields"]:
            value = record.get(field)
            if isinstance(value, str):
                record[field] = value.upper()
            elif value is not None:  # this record alone goes to the dead-letter topic
                raise RecordError(f"uppercase: field {field!r} holds {type(value).__name__}")
        return record
