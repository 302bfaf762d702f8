"""``python -m hub``: the ``hub`` command without the console script."""

from __future__ import annotations

from hub.cli import main

main()
