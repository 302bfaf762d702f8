"""Loading with the collector paused: frozen in the ``hub`` process, untouched elsewhere."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from hub.cli import startup
from hub.cli.startup import collector_paused


def test_a_process_that_runs_the_cli_itself_keeps_its_garbage_collectable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(startup, "_process_is_the_command", False)  # as in a test session
    frozen = gc.get_freeze_count()
    with collector_paused():
        assert not gc.isenabled()
        cycle: list[object] = []
        cycle.append(cycle)
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


def test_the_hub_process_freezes_what_it_loaded() -> None:
    script = (
        "import gc\n"
        "from hub.cli.startup import collector_paused, the_process_is_the_command\n"
        "the_process_is_the_command()\n"
        "with collector_paused():\n"
        "    import hub.cli.app\n"
        "print(gc.get_freeze_count() > 10_000, gc.isenabled())\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.split() == ["True", "True"], done.stderr
