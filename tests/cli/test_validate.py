"""``hub validate FILE...``: every problem of every file, exit 0 or 2."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import hub.plugins
from hub import secrets
from tests.cli.conftest import Hub, ok
from tests.pipeline.fake_plugins import fake_registry

VALID = """\
pipeline: orders
sources:
  - {name: in, type: generate, topic: orders}
sinks:
  - {name: out, type: stdout, topics: [orders]}
  - {name: copy, type: file, topics: [orders], config: {path: out}}
"""


@pytest.fixture(autouse=True)
def _fake_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(hub.plugins, "registry", fake_registry)
    yield
    secrets.clear()


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text))
    return path


def test_valid_files_are_reported_ok_with_their_connector_counts(hub: Hub, tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", VALID)
    second = write(
        tmp_path, "b.yaml", "pipeline: b\nsinks: [{name: x, type: stdout, topics: [t]}]\n"
    )
    result = ok(hub("validate", str(first), str(second)))
    assert result.stdout.splitlines() == [
        f"{first}: ok (1 source, 2 sinks)",
        f"{second}: ok (0 sources, 1 sink)",
    ]


def test_every_problem_of_every_file_is_printed_and_exit_is_2(hub: Hub, tmp_path: Path) -> None:
    good = write(tmp_path, "good.yaml", VALID)
    bad = write(
        tmp_path,
        "bad.yaml",
        """\
        pipeline: bad
        sources:
          - {name: in, type: fiel, topic: orders, tasks: 0}
        sinks:
          - {name: in, type: stdout, topics: [orders]}
        """,
    )
    broken = write(tmp_path, "broken.yaml", "pipeline: [\n")
    missing = tmp_path / "missing.yaml"
    result = ok(hub("validate", str(good), str(bad), str(broken), str(missing)), 2)
    lines = result.stdout.splitlines()
    assert lines[0] == f"{good}: ok (1 source, 2 sinks)"
    assert [line.split(": ")[0] for line in lines[1:]] == [
        f"{bad}:3",
        f"{bad}:3",
        f"{bad}:5",
        f"{broken}:2",
        f"{missing}",
    ]
    assert any(
        "unknown source type 'fiel'" in line and "known sources: file, generate" in line
        for line in lines
    )
    assert "5 problems in 3 files of 4" in result.stderr


def test_missing_variables_are_named_and_secrets_never_printed(
    hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUB_TEST_FORMAT", "top-secret-format")
    path = write(
        tmp_path,
        "p.yaml",
        """\
        pipeline: p
        sources:
          - name: in
            type: file
            topic: t
            config: {path: "${env:HUB_TEST_UNSET_DIR}", format: "${env:HUB_TEST_FORMAT}"}
        """,
    )
    result = ok(hub("validate", str(path)), 2)
    assert (
        f"{path}:6: sources[0].config.path: environment variable HUB_TEST_UNSET_DIR is not set"
        in (result.stdout)
    )
    assert f"{path}:6: sources[0].config.format: " in result.stdout
    assert "top-secret-format" not in result.stdout + result.stderr


def test_schema_path_is_printed_for_editors(hub: Hub) -> None:
    result = ok(hub("validate", "--schema-path"))
    path = Path(result.stdout.strip())
    assert path.name == "pipeline.schema.json"
    assert path.is_file()


def test_at_least_one_file_is_required(hub: Hub) -> None:
    result = hub("validate")
    assert result.exit_code == 2
    assert "Missing argument 'FILES...'" in result.stderr
