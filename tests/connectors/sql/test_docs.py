"""docs/sql.md's JSON Schema -> SQL table says what the sink creates, on every database."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest
from sqlalchemy.dialects import mysql, postgresql, sqlite

from connectors.sql import ddl
from connectors.sql.sink_columns import columns_from_schema

DOC = Path(__file__).resolve().parents[3] / "docs" / "sql.md"
DIALECTS = {
    "postgresql": postgresql.dialect(),
    "mariadb": mysql.dialect(is_mariadb=True),
    "sqlite": sqlite.dialect(),
}


def documented_rows() -> list[tuple[str, list[str]]]:
    """The table after the marker comment: each property's JSON and its three SQL types."""
    text = DOC.read_text()
    table = text.split("<!-- checked against connectors/sql/ddl.py", 1)[1].split("\n\n", 1)[0]
    rows = []
    for line in table.splitlines()[3:]:  # the comment, the header and the rule
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        found = re.match(r"`(.*)`", cells[0])
        assert found is not None, line
        rows.append((found.group(1), cells[1:]))
    return rows


def test_the_table_covers_every_kind_of_column() -> None:
    assert len(documented_rows()) >= 15


@pytest.mark.parametrize(("prop", "types"), documented_rows())
def test_each_documented_property_gets_its_documented_types(prop: str, types: list[str]) -> None:
    [spec] = columns_from_schema({"type": "object", "properties": {"x": orjson.loads(prop)}})
    made = [ddl.type_text(ddl.sql_type(spec, name), d) for name, d in DIALECTS.items()]
    assert made == types
