"""The ``file`` source: CSV and JSON-lines files matching a glob under a root, as Arrow batches.

Offsets are exact. Each batch is a block of whole rows cut at a row boundary, and the source
offset of the file (its source partition, named by its path relative to the root) is::

    {"path": "orders/2024.csv", "device": 2049, "inode": 131, "position": 1048576, "head": 3141}

``position`` is the byte after the batch's last row, ``head`` a CRC-32 of the file's first
``min(position, 1024)`` bytes. A restart resumes at ``position`` with no row read twice or
skipped, provided the file at that path is still the same file (same device, inode and head);
otherwise (rotation, a rewrite) the file at that path is new and is read from the start, while a
checkpointed file found under another matching name (``app.log`` renamed ``app.log.1``) resumes
where it was. Batches depend only on the file and the offset, never on timing, so polling again
from the same offsets yields the same batches (``replayable``) for files that are complete.

``follow: false`` reads every matching file to its end (a last row without a newline counts);
polled later, it reads what was appended and files that appeared. ``follow: true`` treats files
as being written: a row counts once its newline is there; a file whose name now leads elsewhere
(rotated) is read to its end and closed, one that shrank (truncated) is read again from the start.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from connectors.files.config import SourceConfig
from connectors.files.csv import CsvFormat
from connectors.files.cursor import FileCursor, Identity
from connectors.files.jsonl import JsonLinesFormat
from connectors.files.paths import matches, relative_pattern, resolve_root
from connectors.files.rows import RowScanner
from hub.errors import ConfigError, FatalError, HubError
from hub.sdk import FailedRecord, Source, SourceBatch, SourceContext

_MIN_READ = 64 << 10
ErrorClass = type[HubError]  # (``type`` is a class attribute name inside connectors)


class Format(Protocol):
    def scanner(self, max_rows: int) -> RowScanner: ...

    def prepare(self, cursor: FileCursor, final: bool) -> bool: ...

    def read(
        self, cursor: FileCursor, block: memoryview, position: int
    ) -> tuple[pa.Table | list[dict[str, Any]] | None, list[FailedRecord]]: ...


class FileSource(Source):
    """Reads CSV or JSON-lines files matching a glob under a root; resumes mid-file."""

    type = "file"
    config_schema = "file-source.schema.json"
    replayable = True

    def open(self, config: Mapping[str, Any], context: SourceContext) -> None:
        super().open(config, context)
        self.settings = settings = SourceConfig.from_mapping(config)
        self.root = resolve_root(settings.root)
        self._pattern = relative_pattern(settings.path, self.root)
        self._format: Format = (
            CsvFormat(settings) if settings.format == "csv" else JsonLinesFormat(settings)
        )
        self._log = context.logger
        self._checkpoints: dict[str, dict[str, Any]] = {}
        self._by_identity: dict[Identity, list[dict[str, Any]]] = {}
        for name, offset in context.offsets.items():
            if isinstance(offset, Mapping) and "inode" in offset and "device" in offset:
                self._checkpoints[name] = dict(offset)
                identity = Identity(offset["device"], offset["inode"])
                self._by_identity.setdefault(identity, []).append(dict(offset))
        for candidates in self._by_identity.values():
            candidates.sort(key=lambda offset: -int(offset.get("position", 0)))
        self._cursors: dict[Identity, FileCursor] = {}
        self._scanners: dict[Identity, RowScanner] = {}
        self._order: list[FileCursor] = []
        self._turn = 0
        self._row_bytes = 128.0  # running estimate, sizes reads (never where batches end)
        self._scan(ConfigError)
        self._next_scan = time.monotonic() + settings.scan_interval_s
        if not self._cursors:
            self._log.warning(
                "file source: nothing under %s matches %r yet", self.root, self._pattern
            )

    def close(self) -> None:
        for cursor in self._cursors.values():
            cursor.close()

    # -- discovery ---------------------------------------------------------------------------
    def _scan(self, error: ErrorClass) -> None:
        """Open new matching files; notice files that moved, grew, or went away."""
        found: dict[Identity, tuple[str, Path, os.stat_result]] = {}
        by_name: dict[str, Identity] = {}
        for name, path in matches(self._pattern, self.root, error):
            if not self.context.owns(name):
                continue
            try:
                stat = os.stat(path)
            except OSError:
                continue
            identity = Identity.of(stat)
            by_name[name] = identity
            found.setdefault(identity, (name, path, stat))
        busy = {c.name for c in self._cursors.values() if not c.closed}
        for identity, (name, path, stat) in found.items():
            cursor = self._cursors.get(identity)
            if cursor is None:
                if name not in busy:  # else the name's previous file is still being read
                    self._open(name, path, identity)
                continue
            if cursor.name != name and by_name.get(cursor.name) != identity:
                cursor.name, cursor.path = name, path  # renamed: its offsets follow the name
            cursor.retired = False
            if cursor.closed and stat.st_size != cursor.position:
                try:
                    cursor.reopen()
                except OSError:
                    continue
        for identity, cursor in self._cursors.items():
            if identity not in found and not cursor.closed:
                cursor.retired = True
        self._order = sorted(self._cursors.values(), key=lambda c: c.name)

    def _open(self, name: str, path: Path, identity: Identity) -> None:
        try:
            cursor = FileCursor(name, path)
        except OSError as exc:
            self._log.warning("file source: cannot open %s: %s; will retry", name, exc.strerror)
            return
        if cursor.identity != identity:  # replaced since the glob: next scan
            cursor.close()
            return
        checkpoint = self._checkpoints.get(name)
        for offset in [checkpoint, *self._by_identity.get(identity, [])]:
            if offset is not None and cursor.matches(offset):
                cursor.position = int(offset["position"])
                break
        else:
            if checkpoint is not None:
                self._log.info(
                    "file source: %s is not the file checkpointed under that name (rotated or "
                    "rewritten); reading it from the start",
                    name,
                )
        self._cursors[identity] = cursor
        self._scanners[identity] = self._format.scanner(self.settings.max_records)

    # -- reading -----------------------------------------------------------------------------
    def poll(self) -> SourceBatch | None:
        now = time.monotonic()
        if now >= self._next_scan:
            self._scan(FatalError)
            self._next_scan = now + self.settings.scan_interval_s
        order = self._order
        if self.settings.follow and order:  # round robin: a busy file does not starve others
            self._turn %= len(order)
            order = order[self._turn :] + order[: self._turn]
        for i, cursor in enumerate(order):
            batch = self._poll_file(cursor)
            if batch is not None:
                self._turn += i + 1
                return batch
        return None

    def _poll_file(self, cursor: FileCursor) -> SourceBatch | None:
        if cursor.closed:
            return None
        final = not self.settings.follow or cursor.retired
        while True:
            if not self._format.prepare(cursor, final):
                if final:
                    self._finish(cursor)
                return None
            scanner = self._scanners[cursor.identity]
            cut = self._cut(cursor, scanner, final)
            if cut is None:
                return None
            position = cursor.position
            block = memoryview(cursor.buffer)[:cut]
            records, failed = self._format.read(cursor, block, position)
            rows = scanner.rows
            cursor.consume(cut)
            scanner.reset()
            if rows:
                self._row_bytes = cut / rows
            if records is not None or failed:
                return SourceBatch(
                    records if records is not None else [],
                    {cursor.name: cursor.offset()},
                    failed,
                )

    def _cut(self, cursor: FileCursor, scanner: RowScanner, final: bool) -> int | None:
        """Where the next block ends, by a rule that depends on nothing but the file and the
        position (so that a replay cuts the same blocks): after row ``max_records``, else after
        the last whole row within ``max_bytes`` bytes (the first row, if it is longer), else at
        the end of a complete file. ``None`` when no whole row is there yet."""
        max_bytes, max_records = self.settings.max_bytes, self.settings.max_records
        while True:
            buffer = cursor.buffer
            window = buffer if len(buffer) <= max_bytes else buffer[:max_bytes]
            cut = scanner.scan(window)
            if cut is not None:
                return cut
            if len(window) == max_bytes:
                if scanner.last_end:
                    return scanner.last_end
                cut = RowScanner(1, *self._quoting()).scan(buffer)
                if cut is not None:
                    return cut
                wanted = max_bytes  # a row longer than max_bytes: read on to its end
            else:
                expected = (max_records - scanner.rows) * self._row_bytes * 1.25
                wanted = int(min(max_bytes - len(buffer), max(_MIN_READ, expected)))
            if cursor.fill(wanted):
                continue
            if self._truncated(cursor):
                scanner.reset()
                if not self._format.prepare(cursor, final):
                    return None
                continue
            if scanner.last_end:
                return scanner.last_end
            if final and cursor.buffer:
                return len(cursor.buffer)  # the last row, without a newline
            if final:
                self._finish(cursor)
            return None

    def _quoting(self) -> tuple[str | None, str]:
        options = self.settings.csv
        return (options.quote, options.delimiter) if self.settings.format == "csv" else (None, ",")

    def _truncated(self, cursor: FileCursor) -> bool:
        size = cursor.size()
        if size >= cursor.position + len(cursor.buffer):
            return False
        self._log.warning(
            "file source: %s shrank to %d bytes, below the position read (%d): it was "
            "truncated; reading it again from the start",
            cursor.name,
            size,
            cursor.position + len(cursor.buffer),
        )
        cursor.restart()
        return True

    def _finish(self, cursor: FileCursor) -> None:
        """At the end of a complete file: release its descriptor until it grows again."""
        if not self.settings.follow or cursor.retired:
            cursor.close()
