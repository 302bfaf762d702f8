"""Choosing and naming fields: ``rename``, ``drop``, ``keep``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from hub.errors import ConfigError
from hub.transforms.base import BuiltinTransform, check_field_name

if TYPE_CHECKING:
    import pyarrow as pa


class Rename(BuiltinTransform):
    """Renames top-level fields: ``fields: {old: new}``.

    Fields a batch does not have are skipped (JSON records need not all carry every field). A
    field renamed onto the name of another field replaces it, as assigning a key in a dict would.
    """

    type: ClassVar[str] = "rename"
    config_schema: ClassVar[str] = "transform-rename.schema.json"

    def configure(self, config: Mapping[str, Any]) -> None:
        self.fields: dict[str, str] = dict(config["fields"])
        for old, new in self.fields.items():
            check_field_name(self.type, old)
            check_field_name(self.type, new)
        targets = list(self.fields.values())
        clashes = sorted({name for name in targets if targets.count(name) > 1})
        if clashes:
            raise ConfigError(
                f"transform 'rename': several fields are renamed to {', '.join(clashes)}; "
                "each new name can be given once"
            )

    def apply(self, table: pa.Table) -> pa.Table:
        names = table.column_names
        renamed = {old: new for old, new in self.fields.items() if old in names and old != new}
        if not renamed:
            return table
        replaced = [n for n in renamed.values() if n in names and n not in renamed]
        if replaced:
            table = table.drop_columns(replaced)
        return table.rename_columns([renamed.get(name, name) for name in table.column_names])


class Drop(BuiltinTransform):
    """Removes fields: ``fields: [a, b.c]`` (a dotted path removes a field of a struct).

    Fields a batch does not have are skipped.
    """

    type: ClassVar[str] = "drop"
    config_schema: ClassVar[str] = "transform-drop.schema.json"

    def configure(self, config: Mapping[str, Any]) -> None:
        self.fields: list[str] = list(config["fields"])
        for name in self.fields:
            check_field_name(self.type, name)

    def apply(self, table: pa.Table) -> pa.Table:
        from hub.arrow.columns import drop_path, resolve_path

        for name in self.fields:
            path = resolve_path(table.schema, name)
            if path is not None:
                table = drop_path(table, path)
        return table


class Keep(BuiltinTransform):
    """Keeps only the listed top-level fields, in the batch's column order: ``fields: [a, b]``.

    Reserved columns (keys, topics, the runtime's own) are always kept.
    """

    type: ClassVar[str] = "keep"
    config_schema: ClassVar[str] = "transform-keep.schema.json"

    def configure(self, config: Mapping[str, Any]) -> None:
        self.fields: frozenset[str] = frozenset(config["fields"])
        for name in self.fields:
            check_field_name(self.type, name)

    def apply(self, table: pa.Table) -> pa.Table:
        from hub.arrow.columns import is_reserved

        kept = [n for n in table.column_names if n in self.fields or is_reserved(n)]
        return table if len(kept) == table.num_columns else table.select(kept)
