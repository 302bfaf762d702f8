"""``flatten``: nested objects turned into top-level fields named by their path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from hub.transforms.base import BuiltinTransform

if TYPE_CHECKING:
    import pyarrow as pa


class Flatten(BuiltinTransform):
    """``{"customer": {"id": 1, "address": {"city": "Oslo"}}}`` becomes
    ``{"customer.id": 1, "customer.address.city": "Oslo"}`` (``separator`` defaults to ``.``).

    Every level of nesting is flattened, in place of the struct column; a null object gives
    null fields. Lists are left as they are. A flattened name that equals an existing field's
    replaces that field.
    """

    type: ClassVar[str] = "flatten"
    config_schema: ClassVar[str] = "transform-flatten.schema.json"

    def configure(self, config: Mapping[str, Any]) -> None:
        self.separator: str = config.get("separator", ".")

    def apply(self, table: pa.Table) -> pa.Table:
        import pyarrow as pa

        from hub.arrow.columns import is_reserved

        if not any(pa.types.is_struct(t) for t in table.schema.types):
            return table
        columns: dict[str, pa.ChunkedArray] = {}
        for name, column in zip(table.column_names, table.columns, strict=True):
            if is_reserved(name):
                columns[name] = column
            else:
                self._flatten(name, column, columns)
        return pa.table(list(columns.values()), names=list(columns))

    def _flatten(self, name: str, column: pa.ChunkedArray, out: dict[str, pa.ChunkedArray]) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        if not pa.types.is_struct(column.type):
            out.pop(name, None)
            out[name] = column
            return
        for i in range(column.type.num_fields):
            child = column.type.field(i).name
            self._flatten(f"{name}{self.separator}{child}", pc.struct_field(column, [i]), out)
