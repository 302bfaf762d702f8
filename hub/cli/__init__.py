"""The ``hub`` command line: ``topics``, ``produce``, ``consume``, ``groups``."""

from __future__ import annotations

from hub.cli.app import COMMANDS, cli, main

__all__ = ["COMMANDS", "cli", "main"]
