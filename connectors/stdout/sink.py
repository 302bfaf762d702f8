"""The ``stdout`` sink: records as JSON lines on standard output, for debugging a pipeline.

``format: values`` (default) prints each value as stored; ``format: full`` prints one object
per record with its topic, partition, offset, timestamp, key and headers around the value.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any, Protocol

import orjson

from hub.sdk import Sink, SinkBatch, SinkContext


class StdoutSink(Sink):
    """Prints records as JSON lines on standard output, for debugging."""

    type = "stdout"
    config_schema = "stdout-sink.schema.json"
    batch_format = "json"

    def open(self, config: Mapping[str, Any], context: SinkContext) -> None:
        super().open(config, context)
        self._full = config.get("format", "values") == "full"

    @property
    def _out(self) -> _Output:
        """Looked up on each use: tests and tools replace ``sys.stdout``."""
        return getattr(sys.stdout, "buffer", None) or _TextWriter()

    def write(self, batch: SinkBatch) -> None:
        if self._full:
            self._out.write(b"".join(_full(batch, i) + b"\n" for i in range(len(batch))))
            return
        values = [b"null" if v is None else v for v in batch.values]
        if values:
            self._out.write(b"\n".join(values) + b"\n")

    def flush(self) -> None:
        self._out.flush()


class _Output(Protocol):
    def write(self, data: bytes, /) -> int: ...

    def flush(self) -> None: ...


class _TextWriter:
    """``sys.stdout`` replaced by a text-only stream (``io.StringIO``): decode for it."""

    def write(self, data: bytes) -> int:
        return sys.stdout.write(data.decode("utf-8", "replace"))

    def flush(self) -> None:
        sys.stdout.flush()


def _full(batch: SinkBatch, i: int) -> bytes:
    value = batch.values[i]
    return orjson.dumps(
        {
            "topic": batch.topic,
            "partition": batch.partition,
            "offset": batch.offsets[i],
            "timestamp": batch.timestamps[i],
            "key": _text(batch.keys[i]),
            "headers": {name: _text(data) for name, data in batch.headers[i]},
            "value": None if value is None else _json(value),
        }
    )


def _json(value: bytes) -> Any:
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return value.decode("utf-8", "replace")  # not JSON: show it as text


def _text(data: bytes | None) -> str | None:
    return None if data is None else data.decode("utf-8", "backslashreplace")
