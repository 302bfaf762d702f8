from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import hub
from hub.cli import COMMANDS, cli, main
from tests.cli.conftest import Hub, ok, produce


def test_version_is_the_package_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert hub.__version__ in result.stdout


def test_every_command_is_registered_and_loads_under_its_name() -> None:
    context = click.Context(cli)
    assert cli.list_commands(context) == list(COMMANDS)
    for name in COMMANDS:
        command = cli.get_command(context, name)
        assert command is not None
        assert command.name == name
    assert {"run", "topics", "produce", "consume", "groups", "schemas"} <= set(COMMANDS)
    assert cli.get_command(context, "nope") is None


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line]
    assert listed == list(COMMANDS)


def test_hub_error_is_one_line_on_stderr_without_traceback(hub: Hub) -> None:
    result = ok(hub("topics", "describe", "missing"), 1)
    assert result.stdout == ""
    assert result.stderr.startswith("error: topic 'missing' does not exist")
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_debug_shows_the_traceback_and_keeps_the_exit_code(data_dir: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--data-dir", str(data_dir), "--debug", "topics", "describe", "missing"]
    )
    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    assert "TopicNotFoundError" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("error: topic 'missing'")


def test_config_errors_and_usage_errors_exit_2(hub: Hub) -> None:
    assert ok(hub("topics", "create", "t", "--config", "nonsense=1"), 2)
    assert ok(hub("topics", "create"), 2)  # missing argument
    assert ok(hub("no-such-command"), 2)


def test_data_dir_comes_from_the_environment(tmp_path: Path) -> None:
    runner = CliRunner(env={"HUB_DATA_DIR": str(tmp_path / "env-dir")})
    result = runner.invoke(cli, ["topics", "create", "t"])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "env-dir" / "meta" / "topics" / "t.json").exists()


def test_library_warnings_show_on_stderr(hub: Hub, data_dir: Path) -> None:
    produce(hub, "t", [{"n": 1}, {"n": 2}])
    segment = next((data_dir / "topics" / "t-0").glob("*.log"))
    with segment.open("ab") as f:
        f.write(b"\x00\x00\x00\x00\x00\x00\x00\x07torn")
    result = produce(hub, "t", [{"n": 3}])
    assert "warning: " in result.stderr
    assert "torn tail" in result.stderr
    consumed = ok(hub("consume", "t", "--from-beginning"))
    assert consumed.stdout.splitlines() == ['{"n":1}', '{"n":2}', '{"n":3}']


def test_python_dash_m_hub_runs_the_cli(data_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hub", "--data-dir", str(data_dir), "topics", "list", "--json"],
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == b"[]"


def test_bad_store_url_is_a_one_line_error(hub: Hub) -> None:
    result = ok(hub("--store", "not a url", "groups", "list"), 1)
    assert result.stderr.startswith("error: the store URL is not a valid SQLAlchemy URL")
    assert "Traceback" not in result.stderr


def test_main_is_the_console_script_entry_point(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--data-dir", str(data_dir), "topics", "list", "--json"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == "[]"
