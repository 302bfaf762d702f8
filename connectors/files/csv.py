"""CSV blocks to Arrow tables: whole rows at a time, typed by Arrow, bad rows set aside.

Each block handed to ``read`` holds complete rows (cut by ``rows.RowScanner``) and is parsed by
``pyarrow.csv.read_csv`` with the column names fixed once per file, so a block in the middle of
a file parses exactly as it would have at the start. A block that fails to parse is halved until
the failing rows are alone: those become ``FailedRecord``s with their raw bytes and line number,
and the good rows are parsed again together. A clean block costs one parse.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from connectors.files.config import SourceConfig
from connectors.files.cursor import FileCursor
from connectors.files.rows import RowScanner, row_ends
from connectors.files.types import arrow_types
from hub.errors import FatalError
from hub.sdk import FailedRecord

_HEADER_CHUNK = 64 << 10


class CsvFormat:
    """Reads the ``format: csv`` files of one source."""

    def __init__(self, config: SourceConfig) -> None:
        options = config.csv
        self.quote = options.quote
        self.delimiter = options.delimiter
        self.header = options.header
        self.column_names = list(options.column_names) if options.column_names else None
        if self.column_names is None and not self.header and config.columns:
            self.column_names = list(config.columns)
        self.encoding = options.encoding
        self._parse = pacsv.ParseOptions(
            delimiter=options.delimiter,
            quote_char=options.quote or False,
            newlines_in_values=options.quote is not None,
        )
        convert: dict[str, Any] = {"column_types": arrow_types(config.columns)}
        if options.null_values is not None:
            convert["null_values"] = list(options.null_values)
            convert["strings_can_be_null"] = True
        self._convert = pacsv.ConvertOptions(**convert)

    def scanner(self, max_rows: int) -> RowScanner:
        return RowScanner(max_rows, self.quote, self.delimiter)

    def prepare(self, cursor: FileCursor, final: bool) -> bool:
        """Learn the file's column names (from its header, the config, or its first row) and
        move a new cursor past the header; ``False`` while the first row is incomplete."""
        if cursor.columns is not None:
            return True
        start = 3 if cursor.read_at(0, 3) == b"\xef\xbb\xbf" else 0
        first = self._first_row(cursor, start, final)
        if first is None:
            return False
        names = self.column_names
        if self.header or names is None:
            try:
                found = self._read(first, None).column_names
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise FatalError(
                    f"file source: cannot read the first row of {cursor.name!r} for its column "
                    f"names: {exc}; fix the file, or set `header: false` and `column_names`"
                ) from None
            if names is None:
                names = found if self.header else [f"f{i}" for i in range(len(found))]
        cursor.columns = names
        data_start = start + len(first) if self.header else start
        cursor.position = max(cursor.position, data_start)
        return True

    def _first_row(self, cursor: FileCursor, start: int, final: bool) -> bytes | None:
        scanner = self.scanner(1)
        data = b""
        while True:
            chunk = cursor.read_at(start + len(data), _HEADER_CHUNK)
            data += chunk
            cut = scanner.scan(data)
            if cut is not None:
                return data[:cut]
            if not chunk:
                return data if final and data else None

    def read(
        self, cursor: FileCursor, block: memoryview, position: int
    ) -> tuple[pa.Table | None, list[FailedRecord]]:
        """The rows of ``block`` (which starts at byte ``position`` of the file)."""
        try:
            table = self._read(block, cursor.columns)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return self._salvage(cursor, block, position)
        return (table if table.num_rows else None), []

    def _read(self, block: memoryview | bytes, names: list[str] | None) -> pa.Table:
        read_options = pacsv.ReadOptions(
            column_names=names,
            autogenerate_column_names=False,
            encoding=self.encoding,
            block_size=1 << 20,
        )
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(block)),
            read_options=read_options,
            parse_options=self._parse,
            convert_options=self._convert,
        )
        for i, type_ in enumerate(table.schema.types):
            # Inference falls back to binary for text that is not valid in the encoding: every
            # value of the block would leave as base64. Fail, so that the rows at fault are found.
            if pa.types.is_binary(type_):
                raise pa.ArrowInvalid(f"In CSV column #{i}: invalid {self.encoding} text")
        return table

    def _salvage(
        self, cursor: FileCursor, block: memoryview, position: int
    ) -> tuple[pa.Table | None, list[FailedRecord]]:
        """Bisect a block that failed to parse down to its failing rows."""
        data = bytes(block)
        ends: list[int] = row_ends(data, self.quote, self.delimiter).tolist()
        if not ends or ends[-1] != len(data):  # a last row without newline (end of file)
            ends.append(len(data))
        good: list[tuple[int, int]] = []
        bad: list[tuple[int, int, str]] = []
        self._bisect(data, cursor.columns, [0, *ends], good, bad)
        failed = [
            FailedRecord(
                raw=data[start:end].rstrip(b"\r\n"),
                error=error,
                position={
                    "path": cursor.name,
                    "line": cursor.line_at(position + start),
                    "position": position + start,
                },
            )
            for start, end, error in bad
        ]
        if not good:
            return None, failed
        table = self._read(b"".join(data[start:end] for start, end in good), cursor.columns)
        return (table if table.num_rows else None), failed

    def _bisect(
        self,
        data: bytes,
        names: list[str] | None,
        bounds: list[int],
        good: list[tuple[int, int]],
        bad: list[tuple[int, int, str]],
    ) -> None:
        start, end = bounds[0], bounds[-1]
        piece = memoryview(data)[start:end]
        if not bytes(piece).strip():
            return  # blank lines: not rows
        try:
            self._read(piece, names)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            if len(bounds) == 2:
                bad.append((start, end, _message(exc)))
                return
            middle = len(bounds) // 2
            self._bisect(data, names, bounds[: middle + 1], good, bad)
            self._bisect(data, names, bounds[middle:], good, bad)
            return
        good.append((start, end))


def _message(exc: Exception) -> str:
    return str(exc).replace("CSV parse error: ", "").strip()
