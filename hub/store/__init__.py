"""The metadata store: group offsets today; configs, source offsets, status and schemas later."""

from __future__ import annotations

from hub.store.schema import SCHEMA_VERSION
from hub.store.store import Store

__all__ = ["SCHEMA_VERSION", "Store"]
