"""Debugging output: the ``stdout`` sink."""

from __future__ import annotations

from connectors.stdout.sink import StdoutSink

__all__ = ["StdoutSink"]
