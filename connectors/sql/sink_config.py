"""The ``sql`` sink's config as a typed object, built once from the schema-validated mapping.

``schemas/sql-sink.schema.json`` checks shapes and defaults; what remains here is what a schema
cannot see: the table template's placeholders, and options that only make sense together.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from hub.errors import ConfigError

PLACEHOLDERS = ("topic",)


@dataclass(frozen=True, slots=True)
class SinkConfig:
    url: str
    table: str = "{topic}"
    schema: str | None = None
    mode: Literal["insert", "upsert"] = "insert"
    key_columns: tuple[str, ...] = ()
    delete_on_tombstone: bool = False
    auto_create: bool = True
    auto_evolve: bool = False
    offsets_table: str = "hub_sink_offsets"
    copy: bool = True
    insert_batch_rows: int = 1000

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> SinkConfig:
        problems: list[str] = []
        table = str(config.get("table", "{topic}"))
        problems += _check_template(table)
        keys = tuple(str(k) for k in config.get("key_columns") or ())
        mode = config.get("mode", "insert")
        if mode == "upsert" and not keys:
            problems.append(
                "key_columns: mode upsert needs the columns that identify a row (a JSON Schema "
                "has no primary key to take them from); e.g. key_columns: [id]"
            )
        delete = bool(config.get("delete_on_tombstone", False))
        if delete and not keys:
            problems.append(
                "key_columns: delete_on_tombstone needs the columns to match a tombstone's key "
                "against; e.g. key_columns: [id]"
            )
        if problems:
            raise ConfigError("sql sink: invalid config", problems)
        return cls(
            url=str(config["url"]),
            table=table,
            schema=config.get("schema"),
            mode=mode,
            key_columns=keys,
            delete_on_tombstone=delete,
            auto_create=bool(config.get("auto_create", True)),
            auto_evolve=bool(config.get("auto_evolve", False)),
            offsets_table=str(config.get("offsets_table", "hub_sink_offsets")),
            copy=bool(config.get("copy", True)),
            insert_batch_rows=int(config.get("insert_batch_rows", 1000)),
        )

    def table_name(self, topic: str) -> str:
        """The table a topic's records go to."""
        return self.table.format(topic=topic)


def _check_template(table: str) -> list[str]:
    try:
        parsed = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(table)]
    except ValueError as exc:
        return [f"table: not a valid template ({exc}); write braces as {{{{ and }}}}"]
    fields = [name for name, _, _ in parsed if name is not None]
    if any(spec or conv for name, spec, conv in parsed if name is not None):
        return ["table: placeholders take no format spec or conversion; write just {topic}"]
    unknown = sorted({name for name in fields if name not in PLACEHOLDERS})
    if unknown:
        return [
            f"table: unknown placeholder(s) {', '.join('{' + n + '}' for n in unknown)}; "
            f"the only one is {{topic}}"
        ]
    if not table.format(topic="t"):
        return ["table: the template makes an empty name"]
    return []
