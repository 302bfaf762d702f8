"""The ``file`` sink: JSON-lines or CSV files in a directory, exactly once.

Each (topic, partition) is written to its own file under a temporary name; ``flush`` (and
rotation by ``max_records``, ``max_bytes`` or ``max_age``) fsyncs it and renames it to
``<topic>-<partition>-<first offset>-<last offset>.<ext>``, then fsyncs the directory. The
completed names are the sink's committed offsets (``committed_offsets``: last offset + 1 per
partition), so after a crash at any point the runtime resumes right after the last completed
file: a temporary file left behind is deleted and its records are delivered again, none twice.
Each flush completes the current files, so the runtime's batch policy (``batch.max_records``,
``linger``) sets the smallest file size; the rotation settings split further.
"""

from __future__ import annotations

import os
import time
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from connectors.files.config import SinkConfig
from connectors.files.naming import parse_complete, temporary_of
from connectors.files.output import CsvFile, JsonLinesFile, OutputFile, csv_ready, json_lines
from hub.errors import FatalError, RecordError, RetriableError
from hub.sdk import Sink, SinkBatch, SinkContext

TopicPartition = tuple[str, int]


class FileSink(Sink):
    """Writes JSON-lines or CSV files into a directory, exactly once."""

    type = "file"
    config_schema = "file-sink.schema.json"
    batch_format = "json"
    exactly_once = True

    def open(self, config: Mapping[str, Any], context: SinkContext) -> None:
        super().open(config, context)
        self.settings = SinkConfig.from_mapping(config)
        self.directory = directory = Path(os.path.abspath(self.settings.directory))
        try:
            directory.mkdir(parents=True, exist_ok=True)
            probe = directory / f".hub-probe-{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise FatalError(
                f"file sink: cannot write to the output directory {str(directory)!r}: "
                f"{exc.strerror or exc}; check that the path is a directory this user may write "
                "to, or change `path`"
            ) from None
        self._files: dict[TopicPartition, OutputFile] = {}
        self._committed: dict[TopicPartition, int] = {}
        self._leftovers: dict[TopicPartition, list[str]] = {}  # a crashed writer's temporaries
        for name in os.listdir(directory):
            found = parse_complete(name)
            if found is not None:
                tp = (found.topic, found.partition)
                self._committed[tp] = max(self._committed.get(tp, 0), found.last + 1)
            elif (owner := temporary_of(name)) is not None:
                self._leftovers.setdefault(owner, []).append(name)
        if context.tasks == 1:  # every partition is ours: clean up now
            for tp in list(self._leftovers):
                self._remove_leftovers(tp)
        self._renamed = False

    def committed_offsets(self) -> dict[tuple[str, int], int]:
        return dict(self._committed)

    def write(self, batch: SinkBatch) -> None:
        if not len(batch):
            return
        tp = (batch.topic, batch.partition)
        current = self._files.get(tp)
        expected = current.last + 1 if current is not None else self._committed.get(tp, 0)
        start = bisect_left(batch.offsets, expected) if batch.offsets[0] < expected else 0
        if start >= len(batch):
            return  # already written: a redelivery
        if tp in self._leftovers:  # this task owns tp now: its leftovers are ours to remove
            self._remove_leftovers(tp)
        if self.settings.format == "csv":
            self._write_csv(batch, start)
        else:
            self._write_jsonl(batch, start)

    def _write_jsonl(self, batch: SinkBatch, start: int) -> None:
        values, offsets = batch.values, batch.offsets
        while start < len(values):
            output = self._output(batch.topic, batch.partition, offsets[start])
            assert isinstance(output, JsonLinesFile)
            end = self._chunk_end(output, values, start)
            if end == start:  # the next record would pass max_bytes: start a new file
                self._complete(output)
                continue
            size = output.size
            try:
                output.write(json_lines(values[start:end]), end - start, offsets[end - 1])
            except OSError as exc:
                output.rollback(size)
                raise self._write_error(output, exc) from exc
            self._maybe_rotate(output)
            start = end

    def _write_csv(self, batch: SinkBatch, start: int) -> None:
        import pyarrow as pa

        values, offsets = batch.values, batch.offsets
        try:
            table = csv_ready(batch.table)  # the non-null values, in order
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            # the runtime halves the batch until the records at fault are alone (dead letters)
            raise RecordError(f"file sink: values do not make one CSV table: {exc}") from None
        rows = [i for i, v in enumerate(values) if v is not None] if None in values else None
        while start < len(values):
            output = self._output(batch.topic, batch.partition, offsets[start])
            assert isinstance(output, CsvFile)
            end = self._chunk_end(output, values, start)
            first, last = start, end
            if rows is not None:  # tombstones have no row in the table
                first, last = bisect_left(rows, start), bisect_left(rows, end)
            piece = output.fits(table.slice(first, last - first))
            if piece is None:  # the columns changed: a CSV file has a single header
                self._complete(output)
                continue
            size = output.size
            try:
                output.write(piece, end - start, offsets[end - 1])
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                output.rollback(size)
                raise FatalError(
                    f"file sink: cannot write {batch.topic}-{batch.partition} as CSV: {exc}; "
                    "nested values need `format: jsonl` or a flatten transform"
                ) from None
            except OSError as exc:
                output.rollback(size)
                raise self._write_error(output, exc) from exc
            self._maybe_rotate(output)
            start = end

    def _output(self, topic: str, partition: int, first: int) -> OutputFile:
        output = self._files.get((topic, partition))
        if output is not None and self._expired(output):
            self._complete(output)
            output = None
        if output is None:
            kind = CsvFile if self.settings.format == "csv" else JsonLinesFile
            try:
                output = kind(self.directory, topic, partition, first)
            except OSError as exc:
                raise RetriableError(
                    f"file sink: cannot create a file in {str(self.directory)!r}: {exc.strerror}"
                ) from exc
            self._files[topic, partition] = output
        return output

    def _chunk_end(self, output: OutputFile, values: Sequence[bytes | None], start: int) -> int:
        """Where the records that still fit into ``output`` end (``start`` when none does; at
        least one record when ``output`` is empty)."""
        end = len(values)
        limit = self.settings.max_records
        if limit is not None:
            end = min(end, start + max(1, limit - output.records))
        budget = self.settings.max_bytes
        if budget is not None and self.settings.format == "jsonl":
            room = budget - output.size
            total = 0
            for i in range(start, end):
                total += len(values[i] or b"") + 1
                if total > room:
                    return i if i > start or output.records else start + 1
        return end

    def _expired(self, output: OutputFile) -> bool:
        max_age = self.settings.max_age_s
        return max_age is not None and time.monotonic() - output.opened_at >= max_age

    def _maybe_rotate(self, output: OutputFile) -> None:
        settings = self.settings
        if (
            (settings.max_records is not None and output.records >= settings.max_records)
            or (settings.max_bytes is not None and output.size >= settings.max_bytes)
            or self._expired(output)
        ):
            self._complete(output)

    def _complete(self, output: OutputFile) -> None:
        try:
            output.finish()
        except OSError as exc:
            del self._files[output.topic, output.partition]
            output.discard()
            raise self._write_error(output, exc) from exc
        del self._files[output.topic, output.partition]
        self._committed[output.topic, output.partition] = output.last + 1
        self._renamed = True

    def flush(self) -> None:
        for output in list(self._files.values()):
            self._complete(output)
        if self._renamed:
            fd = os.open(self.directory, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            self._renamed = False

    def close(self) -> None:
        """Unflushed files are not durable and are not kept: the runtime delivers them again."""
        for output in self._files.values():
            output.discard()
        self._files.clear()

    def _remove_leftovers(self, tp: TopicPartition) -> None:
        """Their records were never committed: the runtime delivers them again."""
        for name in self._leftovers.pop(tp):
            (self.directory / name).unlink(missing_ok=True)

    def _write_error(self, output: OutputFile, exc: OSError) -> RetriableError:
        return RetriableError(
            f"file sink: writing {str(output.path)!r} failed: {exc.strerror or exc}; the batch "
            "will be written again"
        )
