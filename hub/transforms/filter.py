"""``filter``: keep (or drop) the records matching a condition."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from hub.transforms.base import BuiltinTransform

if TYPE_CHECKING:
    import pyarrow as pa


class Filter(BuiltinTransform):
    """Keeps the records for which ``condition`` holds: ``condition: "amount > 100"``; with
    ``drop: true``, drops them instead.

    The condition is a SQL ``WHERE`` clause (see ``hub.expressions``), compiled when the
    pipeline starts. A record for which it is null (a null field compared) does not match: it
    is dropped by a keeping filter and kept by a dropping one.
    """

    type: ClassVar[str] = "filter"
    config_schema: ClassVar[str] = "transform-filter.schema.json"

    def configure(self, config: Mapping[str, Any]) -> None:
        from hub.expressions import compile_condition

        self.condition = compile_condition(config["condition"])
        self.drop: bool = config.get("drop", False)

    def apply(self, table: pa.Table) -> pa.Table:
        import pyarrow.compute as pc

        if table.num_rows == 0:
            return table
        mask = self.condition.mask(table)
        return table.filter(pc.invert(mask) if self.drop else mask)
