"""``mask``: sensitive fields replaced, optionally keeping their last few characters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from hub.transforms.base import BuiltinTransform, check_field_name

if TYPE_CHECKING:
    import pyarrow as pa

DEFAULT_REPLACEMENT = "****"


class Mask(BuiltinTransform):
    """Replaces field values: ``fields: [card, customer.email]``, ``replacement: "****"``,
    ``keep_last: 4``.

    The masked value is the replacement followed by the value's last ``keep_last`` characters
    (``****1111``); a value not longer than that is replaced whole, so that masking never shows
    a complete value. Non-string values are masked as their text. Nulls stay null: there is
    nothing to hide. Dotted paths reach into structs.
    """

    type: ClassVar[str] = "mask"
    config_schema: ClassVar[str] = "transform-mask.schema.json"

    def configure(self, config: Mapping[str, Any]) -> None:
        self.fields: list[str] = list(config["fields"])
        self.replacement: str = config.get("replacement", DEFAULT_REPLACEMENT)
        self.keep_last: int = config.get("keep_last", 0)
        for name in self.fields:
            check_field_name(self.type, name)

    def apply(self, table: pa.Table) -> pa.Table:
        from hub.arrow.columns import get_path, resolve_path, set_path

        for name in self.fields:
            path = resolve_path(table.schema, name)
            if path is not None:
                table = set_path(table, path, self.masked(get_path(table, path)))
        return table

    def masked(self, column: pa.ChunkedArray) -> pa.ChunkedArray:
        import pyarrow as pa
        import pyarrow.compute as pc

        from hub.arrow.encode import text_column

        texts = text_column(column)
        null = pa.scalar(None, pa.string())
        replaced = pc.if_else(pc.is_valid(texts), self.replacement, null)
        if not self.keep_last:
            return replaced
        tail = pc.utf8_slice_codeunits(texts, start=-self.keep_last)
        kept = pc.binary_join_element_wise(self.replacement, tail, "")
        return pc.if_else(pc.greater(pc.utf8_length(texts), self.keep_last), kept, replaced)
