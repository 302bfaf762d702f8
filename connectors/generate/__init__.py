"""Synthetic data: the ``generate`` source, for demos and benchmarks."""

from __future__ import annotations

from connectors.generate.source import GenerateSource

__all__ = ["GenerateSource"]
