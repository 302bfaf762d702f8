"""``python -m hub.cli``."""

from __future__ import annotations

from hub.cli import main

main()
