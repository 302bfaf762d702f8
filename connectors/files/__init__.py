"""Files: the ``file`` source (CSV, JSON lines; glob under a root; follow mode) and the ``file``
sink (JSON lines or CSV files, exactly once, rotated by records, bytes or age)."""

from __future__ import annotations

from connectors.files.sink import FileSink
from connectors.files.source import FileSource

__all__ = ["FileSink", "FileSource"]
