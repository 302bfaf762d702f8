"""``insert``: fields set to a static value, or to the time the batch is transformed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from hub.transforms.base import BuiltinTransform, check_field_name

if TYPE_CHECKING:
    import pyarrow as pa

NOW = {"now": True}


class Insert(BuiltinTransform):
    """Sets fields in every record: ``fields: {source: crm, loaded_at: {now: true}}``.

    A value is any JSON value, the same for every record; ``{now: true}`` is the current time as
    ISO 8601 text in UTC with milliseconds (``2024-05-01T12:00:00.123+00:00``), read once per
    batch. An existing field is overwritten in place; a new one is added at the end.
    """

    type: ClassVar[str] = "insert"
    config_schema: ClassVar[str] = "transform-insert.schema.json"

    def configure(self, config: Mapping[str, Any]) -> None:
        self.fields: dict[str, Any] = dict(config["fields"])
        for name in self.fields:
            check_field_name(self.type, name)

    def apply(self, table: pa.Table) -> pa.Table:
        import pyarrow as pa

        from hub.arrow.columns import set_path

        now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
        for name, value in self.fields.items():
            scalar = pa.scalar(now if value == NOW else value)
            table = set_path(table, (name,), pa.repeat(scalar, table.num_rows))
        return table
