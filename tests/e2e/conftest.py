"""Each test gets a working directory of its own (``tmp_path``), where ``hub`` runs with its data
directory at ``.hub``: relative paths in pipeline files are relative to it, as for a user."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.support import HubCommand


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def hub(workdir: Path) -> HubCommand:
    """The ``hub`` command, run as a process in ``workdir``."""
    return HubCommand(cwd=workdir, data_dir=workdir / ".hub")
