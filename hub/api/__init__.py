"""The HTTP service: the Confluent-compatible schema registry API served by ``hub serve``.

Importing this package imports FastAPI; ``hub`` and ``hub.cli`` import it only when serving.
"""

from __future__ import annotations

from hub.api.app import create_app

__all__ = ["create_app"]
