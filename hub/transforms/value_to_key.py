"""``value_to_key``: record keys taken from fields of the value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from hub.sdk import KEY_COLUMN
from hub.transforms.base import BuiltinTransform, check_field_name

if TYPE_CHECKING:
    import pyarrow as pa


class ValueToKey(BuiltinTransform):
    """Sets each record's key from its fields: ``fields: [customer_id]`` or ``[region, id]``.

    One field: the key is its text (a string's own text, another value's JSON text: the rule
    of ``hub produce --key-field``, so keys partition as a Kafka string serializer's would); a
    null or absent field gives no key. Several fields: the key is a compact JSON object of them
    (``{"region":"eu","id":7}``), absent fields as null. The fields stay in the value.
    """

    type: ClassVar[str] = "value_to_key"
    config_schema: ClassVar[str] = "transform-value_to_key.schema.json"

    def configure(self, config: Mapping[str, Any]) -> None:
        self.fields: list[str] = list(config["fields"])
        for name in self.fields:
            check_field_name(self.type, name)

    def apply(self, table: pa.Table) -> pa.Table:
        import pyarrow as pa
        import pyarrow.compute as pc

        from hub.arrow.columns import column_at, set_path
        from hub.arrow.encode import encode_rows, text_column

        columns = [column_at(table, name) for name in self.fields]
        values = [pa.nulls(table.num_rows) if c is None else c for c in columns]
        if len(values) == 1:
            keys = text_column(values[0])
        else:
            keys = encode_rows(pa.table(values, names=self.fields))
        return set_path(table, (KEY_COLUMN,), pc.cast(keys, pa.binary()))
