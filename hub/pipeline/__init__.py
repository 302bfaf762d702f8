"""Pipelines: files describing sources, sinks and transforms, and the runtime that runs them.

``load_pipelines`` turns YAML files into typed ``PipelineSpec``s (every problem at once);
``hub.pipeline.runtime`` runs them.
"""

from __future__ import annotations

from hub.pipeline.interpolate import interpolate
from hub.pipeline.loader import CheckedFile, check_pipelines, load_pipeline, load_pipelines
from hub.pipeline.spec import (
    BatchPolicy,
    ErrorPolicy,
    PipelineSpec,
    Schedule,
    SinkSpec,
    SourceSpec,
    TransformSpec,
)

__all__ = [
    "BatchPolicy",
    "CheckedFile",
    "ErrorPolicy",
    "PipelineSpec",
    "Schedule",
    "SinkSpec",
    "SourceSpec",
    "TransformSpec",
    "check_pipelines",
    "interpolate",
    "load_pipeline",
    "load_pipelines",
]
