"""Testing connectors: in-memory fakes, a plugin registry of your choosing, and the contract kit.

- ``MemorySource`` and ``MemorySink`` (type ``memory``): fakes for runtime and pipeline tests.
- ``plugin_registry(*plugins)``: a ``Registry`` of exactly the plugins given.
- ``SourceContract``, ``SinkContract``, ``TransformContract``: pytest classes to subclass; the
  checks they run are in ``hub.testing.checks``.
- ``validate_config``: the runtime's own config validation.
"""

from __future__ import annotations

from hub.connector_config import validate_config
from hub.testing.contracts import SinkContract, SourceContract, TransformContract
from hub.testing.memory import MemorySink, MemorySource, MemoryTarget
from hub.testing.registry import plugin_registry

__all__ = [
    "MemorySink",
    "MemorySource",
    "MemoryTarget",
    "SinkContract",
    "SourceContract",
    "TransformContract",
    "plugin_registry",
    "validate_config",
]
