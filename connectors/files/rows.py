"""Where rows end: byte offsets of row boundaries in a buffer, found without parsing the rows.

Exact source offsets need the byte position after each batch's last row, which no streaming
parser reports; so the source cuts its input into blocks of whole rows itself and hands each
block to Arrow. A newline ends a row unless it lies inside a quoted CSV field; under RFC 4180
that is when an odd number of quote characters precede it since the last row boundary, which
numpy counts for megabytes at a time. A quote that does not open a field (``5"x``: Arrow reads
it literally) breaks that rule, so a window holding one is walked field by field instead.
"""

from __future__ import annotations

import numpy as np

WINDOW = 1 << 20
"""Bytes examined per numpy pass: bounds the temporary arrays whatever the buffer size."""
_NEWLINE = 10
_CR = 13


class RowScanner:
    """Finds the end of the ``max_rows``-th row of a buffer that starts at a row boundary.

    The buffer may grow between calls to ``scan`` (more of the file was read); what was already
    scanned is not looked at again. ``last_end`` is the end of the last complete row seen.
    Call ``reset`` after cutting the buffer at a row boundary.
    """

    def __init__(
        self,
        max_rows: int,
        quote: str | None = None,
        delimiter: str = ",",
        *,
        collect: bool = False,
    ) -> None:
        self.max_rows = max_rows
        self._quote = None if quote is None else ord(quote)
        self._quote_bytes = None if quote is None else quote.encode()
        self._delimiter = ord(delimiter)
        self.collected: list[np.ndarray] | None = [] if collect else None
        """With ``collect``: every row end found, in arrays (see ``row_ends``)."""
        self.reset()

    def reset(self) -> None:
        self.rows = 0
        self.last_end = 0
        self._scanned = 0
        self._in_quotes = 0
        self._walk = False  # a stray quote was seen since last_end: walk fields, not vectors

    def scan(self, buf: bytes) -> int | None:
        """The cut (end of row ``max_rows``) once the buffer holds that many rows, else ``None``."""
        n = len(buf)
        if self._walk:
            self._scanned = n
            return self._take(np.asarray(self._walk_fields(buf, self.last_end, n), np.int64))
        array = np.frombuffer(buf, np.uint8)
        while self._scanned < n:
            start = self._scanned
            end = min(n, start + WINDOW)
            cut = self._scan_window(buf, array, start, end)
            if self._walk:
                return self.scan(buf)
            self._scanned = end
            if cut is not None:
                return cut
        return None

    def _scan_window(self, buf: bytes, array: np.ndarray, start: int, end: int) -> int | None:
        window = array[start:end]
        quote, quote_bytes = self._quote, self._quote_bytes
        if quote is None or quote_bytes is None or buf.find(quote_bytes, start, end) < 0:
            if self._in_quotes:
                return None  # every newline here is inside one quoted field
            if self.collected is None:
                count = int(np.count_nonzero(window == _NEWLINE))
                if self.rows + count < self.max_rows:
                    if count:
                        self.rows += count
                        self.last_end = buf.rfind(b"\n", start, end) + 1
                    return None
            return self._take(np.flatnonzero(window == _NEWLINE) + (start + 1))
        newlines = np.flatnonzero(window == _NEWLINE)
        quotes = np.flatnonzero(window == quote)
        opening = quotes[self._in_quotes :: 2] + (start - 1)  # the byte before each opening quote
        if len(opening):
            if opening[0] < 0:  # a quote at the very start of the buffer opens its field
                opening = opening[1:]
            before = array[opening]
            if not ((before == self._delimiter) | (before == _NEWLINE) | (before == _CR)).all():
                self._walk = True
                return None
        quotes_before = np.searchsorted(quotes, newlines) + self._in_quotes
        ends = newlines[(quotes_before & 1) == 0] + (start + 1)
        self._in_quotes = (self._in_quotes + len(quotes)) & 1
        return self._take(ends)

    def _take(self, ends: np.ndarray) -> int | None:
        if self.collected is not None:
            self.collected.append(ends)
        wanted = self.max_rows - self.rows
        if len(ends) >= wanted:
            cut = int(ends[wanted - 1])
            self.rows = self.max_rows
            self.last_end = cut
            return cut
        if len(ends):
            self.rows += len(ends)
            self.last_end = int(ends[-1])
        return None

    def _walk_fields(self, buf: bytes, start: int, end: int) -> list[int]:
        """Row ends in ``buf[start:end]`` found as Arrow reads fields: a quote opens a field
        only at its start; inside, ``""`` is a quote; elsewhere a quote is an ordinary byte."""
        ends: list[int] = []
        quote, quote_bytes = self._quote, self._quote_bytes or b""
        delimiter = bytes([self._delimiter])
        i = start
        while i < end:
            if buf[i] == quote:
                j = i + 1
                while True:
                    k = buf.find(quote_bytes, j, end)
                    if k < 0 or k + 1 >= end:
                        return ends  # the row is incomplete (or ends on an ambiguous quote)
                    if buf[k + 1] == quote:
                        j = k + 2
                        continue
                    i = k + 1
                    break
            newline = buf.find(b"\n", i, end)
            if newline < 0:
                return ends
            comma = buf.find(delimiter, i, newline)
            if comma >= 0:
                i = comma + 1
                continue
            ends.append(newline + 1)
            i = newline + 1
        return ends


def row_ends(buf: bytes, quote: str | None = None, delimiter: str = ",") -> np.ndarray:
    """Every row end (offset after its newline) in ``buf``, which starts at a row boundary."""
    scanner = RowScanner(len(buf) + 1, quote, delimiter, collect=True)
    scanner.scan(buf)
    parts = scanner.collected or []
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)
