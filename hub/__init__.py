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
from hub.record import Record

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "ConnectorError",
    "FatalError",
    "HubError",
    "Record",
    "RecordError",
    "RetriableError",
    "__version__",
]
