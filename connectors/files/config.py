"""The file connectors' configs as typed objects, built once from the schema-validated mapping.

The JSON Schemas (``schemas/file-source.schema.json``, ``file-sink.schema.json``) check shapes
and ranges; what remains here is what a schema cannot see: units, encodings, names that clash.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from hub.errors import ConfigError
from hub.sdk import parse_duration_ms, parse_size

COLUMN_TYPES = ("string", "integer", "number", "boolean", "timestamp", "date")
"""Type names accepted in ``columns``: JSON Schema's, plus the two temporal types CSV needs."""


@dataclass(frozen=True, slots=True)
class CsvOptions:
    delimiter: str = ","
    quote: str | None = '"'
    header: bool = True
    column_names: tuple[str, ...] | None = None
    encoding: str = "utf-8"
    null_values: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class SourceConfig:
    path: str
    root: str | None
    format: Literal["csv", "jsonl"]
    csv: CsvOptions
    columns: Mapping[str, str] = field(default_factory=dict)
    max_records: int = 10_000
    max_bytes: int = 4 << 20
    follow: bool = False
    scan_interval_s: float = 1.0

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> SourceConfig:
        problems: list[str] = []
        fmt = config.get("format") or _format_from_suffix(str(config["path"]))
        quote = config.get("quote", '"')
        csv = CsvOptions(
            delimiter=config.get("delimiter", ","),
            quote=quote or None,
            header=config.get("header", True),
            column_names=_tuple(config.get("column_names")),
            encoding=config.get("encoding", "utf-8"),
            null_values=_tuple(config.get("null_values")),
        )
        if csv.quote is not None and csv.quote == csv.delimiter:
            problems.append(f"quote and delimiter are both {csv.delimiter!r}; they must differ")
        problems += _check_encoding(csv)
        columns = dict(config.get("columns") or {})
        if csv.column_names and len(set(csv.column_names)) != len(csv.column_names):
            problems.append("column_names: names must be unique")
        try:
            max_bytes = parse_size(config.get("max_bytes", 4 << 20), where="max_bytes")
            scan_ms = parse_duration_ms(config.get("scan_interval", "1s"), where="scan_interval")
        except ConfigError as exc:
            problems.append(str(exc))
            max_bytes, scan_ms = 4 << 20, 1000
        if max_bytes < 1024:
            problems.append(f"max_bytes: {max_bytes} is too small; use at least 1KiB")
        if problems:
            raise ConfigError("file source: invalid config", problems)
        return cls(
            path=str(config["path"]),
            root=config.get("root"),
            format=fmt,
            csv=csv,
            columns=columns,
            max_records=int(config.get("max_records", 10_000)),
            max_bytes=max_bytes,
            follow=bool(config.get("follow", False)),
            scan_interval_s=scan_ms / 1000,
        )


@dataclass(frozen=True, slots=True)
class SinkConfig:
    directory: Path
    format: Literal["jsonl", "csv"] = "jsonl"
    max_records: int | None = None
    max_bytes: int | None = None
    max_age_s: float | None = None

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> SinkConfig:
        problems: list[str] = []
        max_bytes = max_age_ms = None
        try:
            if config.get("max_bytes") is not None:
                max_bytes = parse_size(config["max_bytes"], where="max_bytes")
            if config.get("max_age") is not None:
                max_age_ms = parse_duration_ms(config["max_age"], where="max_age")
        except ConfigError as exc:
            problems.append(str(exc))
        if problems:
            raise ConfigError("file sink: invalid config", problems)
        return cls(
            directory=Path(config["path"]),
            format=config.get("format", "jsonl"),
            max_records=config.get("max_records"),
            max_bytes=max_bytes,
            max_age_s=None if max_age_ms is None else max_age_ms / 1000,
        )


def _format_from_suffix(path: str) -> Literal["csv", "jsonl"]:
    if path.endswith(".csv"):
        return "csv"
    if path.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    raise ConfigError(
        f"file source: cannot tell the format of {path!r} from its name; set `format: csv` or "
        "`format: jsonl`"
    )


def _check_encoding(csv: CsvOptions) -> list[str]:
    """Rows are cut at newline bytes, so the encoding must spell ``\\n``, quote and delimiter as
    ASCII does (UTF-8, Latin-1, Windows-125x do; UTF-16 does not)."""
    for name, char in (("delimiter", csv.delimiter), ("quote", csv.quote or "")):
        if not char.isascii():
            return [f"{name}: {char!r} is not an ASCII character; use one that is"]
    try:
        codecs.lookup(csv.encoding)
    except LookupError:
        return [f"encoding: unknown encoding {csv.encoding!r}"]
    for char in ("\n", csv.delimiter, csv.quote or ""):
        if char and char.encode(csv.encoding, errors="replace") != char.encode("ascii", "replace"):
            return [
                f"encoding: {csv.encoding!r} does not write {char!r} as ASCII does; convert the "
                "files to UTF-8 first (e.g. with iconv)"
            ]
    return []


def _tuple(value: Any) -> tuple[str, ...] | None:
    return None if value is None else tuple(str(v) for v in value)
