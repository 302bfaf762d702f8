"""One output file of the sink: written under a temporary name, completed by an atomic rename.

``finish`` makes the file durable before it is visible: flush, fsync, rename. The directory
entry itself is made durable by the caller (one directory fsync per flush, for all files).
A write that fails half-way is rolled back to the previous size, so a retry of the same batch
never leaves a partial line behind.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import pyarrow as pa
import pyarrow.csv as pacsv

from connectors.files.naming import complete_name, temporary_name
from hub.arrow.value_array import join_values, present_values


class OutputFile:
    ext: ClassVar[str]

    def __init__(self, directory: Path, topic: str, partition: int, first: int) -> None:
        self.directory = directory
        self.topic = topic
        self.partition = partition
        self.first = first
        self.last = first - 1
        self.records = 0
        self.opened_at = time.monotonic()
        self.path = directory / temporary_name(topic, partition, first, self.ext)
        self.file = open(self.path, "wb")  # noqa: SIM115 - lives until finish() or discard()

    @property
    def size(self) -> int:
        return self.file.tell()

    def rollback(self, size: int) -> None:
        """Undo a write that failed part-way."""
        self.file.seek(size)
        self.file.truncate(size)

    def finish(self) -> Path:
        """Durably complete the file under its final name (which records its offset range)."""
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        final = self.directory / complete_name(
            self.topic, self.partition, self.first, self.last, self.ext
        )
        os.replace(self.path, final)
        return final

    def discard(self) -> None:
        self.file.close()
        self.path.unlink(missing_ok=True)


class JsonLinesFile(OutputFile):
    ext = "jsonl"

    def write(self, lines: bytes, count: int, last: int) -> None:
        self.file.write(lines)
        self.records += count
        self.last = last


class CsvFile(OutputFile):
    ext = "csv"

    def __init__(self, directory: Path, topic: str, partition: int, first: int) -> None:
        super().__init__(directory, topic, partition, first)
        self.schema: pa.Schema | None = None
        self._writer: pacsv.CSVWriter | None = None

    def fits(self, table: pa.Table) -> pa.Table | None:
        """``table`` in this file's columns and types, or ``None`` when it needs a new file
        (a CSV file has one header)."""
        if self.schema is None or table.schema.equals(self.schema):
            return table
        if sorted(table.column_names) != sorted(self.schema.names):
            return None
        try:
            return table.select(self.schema.names).cast(self.schema)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None

    def write(self, table: pa.Table, count: int, last: int) -> None:
        if self._writer is None:  # the header goes with the first rows, or not at all
            writer = pacsv.CSVWriter(self.file, table.schema)
            writer.write_table(table)
            self._writer, self.schema = writer, table.schema
        else:
            self._writer.write_table(table)
        self.records += count
        self.last = last

    def finish(self) -> Path:
        if self._writer is not None:
            self._writer.close()
        return super().finish()

    def discard(self) -> None:
        self._writer = None
        super().discard()


def json_lines(values: Sequence[bytes | None]) -> bytes:
    """One line per value, tombstones left out. Values come from the log as JSON; one that
    spans lines (pretty printed by a producer) is re-encoded compactly so that every line is
    one record."""
    values = present_values(values)
    data = join_values(values, b"\n", end=b"\n")
    if data.count(b"\n") == len(values):
        return data
    import orjson

    return b"".join((orjson.dumps(orjson.loads(v)) if b"\n" in v else v) + b"\n" for v in values)


def csv_ready(table: pa.Table) -> pa.Table:
    """Columns whose values have no single type arrive as JSON text (an extension type): CSV
    gets that text."""
    for i, column in enumerate(table.columns):
        if isinstance(column.type, pa.BaseExtensionType):
            storage = pa.chunked_array(
                [chunk.storage for chunk in column.chunks], type=column.type.storage_type
            )
            table = table.set_column(i, table.field(i).with_type(storage.type), storage)
    return table
