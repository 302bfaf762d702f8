"""JSON-lines blocks to Arrow tables, parsed in bulk; orjson only for blocks with bad lines.

Arrow's JSON reader takes a block of whole lines at once. When it refuses a block (a malformed
line, a line that is not an object, or a field whose type changes between lines), each line is
parsed on its own: bad ones become ``FailedRecord``s, and the good ones are parsed again in bulk,
or passed on as dicts when their types do not agree on one Arrow schema.

Arrow infers timestamps from strings that look like dates ("2024-01-02", "...T10:00:00+02:00")
and keeps neither the text nor the UTC offset. A JSON string stays a string here unless the
config declares the field a ``timestamp``: a field found inferred as one is parsed again as a
string, and remembered so that later blocks are parsed right the first time.
"""

from __future__ import annotations

from typing import Any

import orjson
import pyarrow as pa
import pyarrow.json as pajson

from connectors.files.config import SourceConfig
from connectors.files.cursor import FileCursor
from connectors.files.rows import RowScanner
from connectors.files.types import arrow_types
from hub.sdk import FailedRecord

_BLOCK_SIZE = 256 << 10  # several chunks per batch: Arrow parses them on all cores


class JsonLinesFormat:
    """Reads the ``format: jsonl`` files of one source."""

    def __init__(self, config: SourceConfig) -> None:
        self._declared = arrow_types(config.columns)
        self._as_text: dict[str, pa.DataType] = {}  # fields Arrow would turn into timestamps

    def scanner(self, max_rows: int) -> RowScanner:
        return RowScanner(max_rows)

    def prepare(self, cursor: FileCursor, final: bool) -> bool:
        if cursor.columns is None:
            cursor.skip_bom()
            cursor.columns = []
        return True

    def read(
        self, cursor: FileCursor, block: memoryview, position: int
    ) -> tuple[pa.Table | list[dict[str, Any]] | None, list[FailedRecord]]:
        """The objects of ``block`` (which starts at byte ``position`` of the file)."""
        try:
            table = self._read(block)
        except pa.ArrowInvalid:
            return self._salvage(cursor, bytes(block), position)
        return (table if table.num_rows else None), []

    def _read(self, block: memoryview | bytes) -> pa.Table:
        try:
            table = self._parse(block)
        except pa.ArrowInvalid:
            if not self._as_text:
                raise
            self._as_text.clear()  # a remembered field changed type: learn afresh
            table = self._parse(block)
        inferred = {
            field.name: _text_for_timestamps(field.type)
            for field in table.schema
            if field.name not in self._declared
        }
        changed = {name: t for name, t in inferred.items() if t != table.schema.field(name).type}
        if not changed:
            return table
        self._as_text.update(changed)
        return self._parse(block)

    def _parse(self, block: memoryview | bytes) -> pa.Table:
        fields = {**self._as_text, **self._declared}
        options = pajson.ParseOptions(
            explicit_schema=pa.schema(list(fields.items())) if fields else None,
            unexpected_field_behavior="infer",
        )
        size = _BLOCK_SIZE
        while True:
            try:
                return pajson.read_json(
                    pa.BufferReader(pa.py_buffer(block)),
                    read_options=pajson.ReadOptions(block_size=size),
                    parse_options=options,
                )
            except pa.ArrowInvalid as exc:
                if "straddling" not in str(exc) or size > len(block):
                    raise
                size = len(block) + 1  # a line longer than a block: parse in one piece

    def _salvage(
        self, cursor: FileCursor, data: bytes, position: int
    ) -> tuple[pa.Table | list[dict[str, Any]] | None, list[FailedRecord]]:
        good: list[tuple[int, bytes]] = []  # (offset in block, line)
        objects: list[dict[str, Any]] = []
        bad: list[tuple[int, bytes, str]] = []
        start = 0
        for line in data.split(b"\n"):
            text = line.strip()
            if text:
                try:
                    value = orjson.loads(text)
                except orjson.JSONDecodeError as exc:
                    bad.append((start, line, f"malformed JSON: {exc}"))
                else:
                    if isinstance(value, dict):
                        good.append((start, text))
                        objects.append(value)
                    else:
                        kind = type(value).__name__
                        bad.append((start, line, f"a JSON {kind} where an object was expected"))
            start += len(line) + 1
        records: pa.Table | list[dict[str, Any]] | None = None
        if good:
            try:
                records = self._read(b"\n".join(text for _, text in good))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                if not self._declared:
                    records = objects  # types differ between lines: the runtime converts
                else:
                    kept: list[tuple[int, bytes]] = []
                    self._bisect(good, kept, bad)
                    if kept:
                        records = self._read(b"\n".join(text for _, text in kept))
        failed = [
            FailedRecord(
                raw=line.rstrip(b"\r"),
                error=error,
                position={
                    "path": cursor.name,
                    "line": cursor.line_at(position + offset),
                    "position": position + offset,
                },
            )
            for offset, line, error in sorted(bad, key=lambda item: item[0])
        ]
        return records, failed

    def _bisect(
        self,
        lines: list[tuple[int, bytes]],
        kept: list[tuple[int, bytes]],
        bad: list[tuple[int, bytes, str]],
    ) -> None:
        """Isolate the lines whose values do not convert to the configured ``columns`` types."""
        try:
            self._read(b"\n".join(text for _, text in lines))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            if len(lines) == 1:
                bad.append((lines[0][0], lines[0][1], str(exc)))
                return
            middle = len(lines) // 2
            self._bisect(lines[:middle], kept, bad)
            self._bisect(lines[middle:], kept, bad)
            return
        kept.extend(lines)


def _text_for_timestamps(data_type: pa.DataType) -> pa.DataType:
    """``data_type`` with every timestamp in it (at any depth) replaced by string."""
    if pa.types.is_timestamp(data_type):
        return pa.string()
    if pa.types.is_struct(data_type):
        return pa.struct([f.with_type(_text_for_timestamps(f.type)) for f in data_type])
    if pa.types.is_list(data_type):
        return pa.list_(_text_for_timestamps(data_type.value_type))
    return data_type
