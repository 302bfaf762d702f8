"""streamhub: a connector and integration hub around an embedded, partitioned, durable log."""

from __future__ import annotations

from hub.errors import (
    ConfigError,
    ConnectorError,
    FatalError,
    HubError,
    RecordError,
    RetriableError,
)
from hub.hookspecs import hookimpl
from hub.record import Record
from hub.sdk import (
    FailedRecord,
    Sink,
    SinkBatch,
    SinkContext,
    Source,
    SourceBatch,
    SourceContext,
    Transform,
)

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "ConnectorError",
    "FailedRecord",
    "FatalError",
    "HubError",
    "Record",
    "RecordError",
    "RetriableError",
    "Sink",
    "SinkBatch",
    "SinkContext",
    "Source",
    "SourceBatch",
    "SourceContext",
    "Transform",
    "__version__",
    "hookimpl",
]
