"""``route``: each record's topic from a template over its fields."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from hub.errors import ConfigError
from hub.sdk import TOPIC_COLUMN
from hub.transforms.base import BuiltinTransform
from hub.transforms.errors import RowsFailed

if TYPE_CHECKING:
    import pyarrow as pa

TOPIC_NAME = r"^[A-Za-z0-9._-]{1,249}$"
"""Kafka's rule for topic names, which the log enforces too."""
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


class Route(BuiltinTransform):
    """Sends each record to the topic its fields name: ``topic: "orders-{currency}"``.

    ``{field}`` (or ``{a.b}``) is replaced by the field's text (a string's own text, other
    values' JSON text); ``{{`` and ``}}`` are literal braces. A record whose fields are null or
    absent goes to ``default`` if given; without one, it fails (and goes where the errors
    policy sends failed records), as does a record whose topic would not be a valid topic name
    (letters, digits, ``.``, ``_``, ``-``).
    """

    type: ClassVar[str] = "route"
    config_schema: ClassVar[str] = "transform-route.schema.json"

    def configure(self, config: Mapping[str, Any]) -> None:
        self.template: str = config["topic"]
        self.default: str | None = config.get("default")
        self.parts = parse_template(self.template)
        if self.default is not None and not re.match(TOPIC_NAME, self.default):
            raise ConfigError(f"transform 'route': default {self.default!r} is not a topic name")

    def apply(self, table: pa.Table) -> pa.Table:
        import pyarrow as pa
        import pyarrow.compute as pc

        from hub.arrow.columns import column_at, set_path
        from hub.arrow.encode import text_column

        pieces: list[Any] = []
        for part, is_field in self.parts:
            if not is_field:
                pieces.append(part)
                continue
            column = column_at(table, part)
            pieces.append(
                pa.nulls(table.num_rows, pa.string()) if column is None else text_column(column)
            )
        if not any(is_field for _, is_field in self.parts):
            topics = pa.repeat(
                pa.scalar(self.template.replace("{{", "{").replace("}}", "}")), table.num_rows
            )
        else:
            topics = pc.binary_join_element_wise(*pieces, "")
        if self.default is not None:
            topics = pc.fill_null(topics, self.default)
        self._check(topics)
        return set_path(table, (TOPIC_COLUMN,), topics)

    def _check(self, topics: pa.Array | pa.ChunkedArray) -> None:
        import pyarrow.compute as pc

        valid = pc.fill_null(pc.match_substring_regex(topics, TOPIC_NAME), False)
        bad = pc.indices_nonzero(pc.invert(valid)).to_pylist()
        if not bad:
            return
        examples = sorted({str(topics[i].as_py()) for i in bad[:5]})
        raise RowsFailed(
            bad,
            f"route: {len(bad)} record(s) have no valid topic from template {self.template!r} "
            f"(got {', '.join(examples)}): a topic name takes 1-249 letters, digits, '.', '_' or "
            "'-'; fields that are null or absent give None (set `default` to route those)",
        )


def parse_template(template: str) -> list[tuple[str, bool]]:
    """``"orders-{currency}"`` -> ``[("orders-", False), ("currency", True)]``."""
    parts: list[tuple[str, bool]] = []
    literal = ""
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        literal += template[position : match.start()]
        position = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            literal += token[0]
        elif token in ("{", "}") or not match.group(1).strip():
            raise ConfigError(
                f"transform 'route': topic template {template!r} has a stray {token!r} at "
                f"position {match.start()}; write fields as {{field}} and braces as {{{{ }}}}"
            )
        else:
            if literal:
                parts.append((literal, False))
            literal = ""
            parts.append((match.group(1).strip(), True))
    literal += template[position:]
    if literal:
        parts.append((literal, False))
    return parts
