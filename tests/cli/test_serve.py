"""``hub serve`` as a real process: the ready line, the token, signals, and its errors."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from hub.bench.registry import served_registry, stop
from tests.cli.conftest import Hub, ok

READY = "serving the schema registry on http://127.0.0.1:"


def test_serve_prints_one_ready_line_answers_and_stops_on_sigterm(data_dir: Path) -> None:
    with served_registry(data_dir) as served:
        assert served.url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{served.url}/subjects").json() == []
        assert httpx.get(f"{served.url}/health").status_code == 200
        assert stop(served.process) == 0
        assert served.process.stdout is not None
        rest = served.process.stdout.read().decode()
    assert rest == ""  # nothing after the ready line (which served_registry read)
    assert served.log.read_text() == ""


def test_keep_alive_answers_are_not_held_back_by_delayed_acks(data_dir: Path) -> None:
    """Without TCP_NODELAY each answer (headers, then body) would wait ~40 ms for an ACK."""
    with served_registry(data_dir) as served, httpx.Client(base_url=served.url) as http:
        timings = []
        for _ in range(15):
            started = time.perf_counter()
            assert http.get("/subjects").status_code == 200
            timings.append(time.perf_counter() - started)
    assert sorted(timings)[len(timings) // 2] < 0.02


def test_sigint_stops_it_gracefully(data_dir: Path) -> None:
    with served_registry(data_dir) as served:
        served.process.send_signal(signal.SIGINT)
        assert served.process.wait(timeout=15) == 0


def test_the_ready_line_names_the_url(data_dir: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "hub", "--data-dir", str(data_dir), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    with process:
        assert process.stdout is not None
        line = process.stdout.readline().decode()
        assert line.startswith(READY)
        assert int(line.removeprefix(READY)) > 0
        assert stop(process) == 0


def test_a_token_from_the_environment_is_required_and_never_printed(data_dir: Path) -> None:
    with served_registry(data_dir, token="env-s3cret") as served:
        refused = httpx.get(f"{served.url}/subjects")
        accepted = httpx.get(
            f"{served.url}/subjects", headers={"Authorization": "Bearer env-s3cret"}
        )
        assert stop(served.process) == 0
    assert (refused.status_code, refused.json()["error_code"]) == (401, 401)
    assert accepted.json() == []
    assert "env-s3cret" not in served.log.read_text()


def test_without_a_token_everything_is_open(data_dir: Path) -> None:
    with served_registry(data_dir) as served:  # HUB_API_TOKEN is dropped from its environment
        assert httpx.get(f"{served.url}/subjects").status_code == 200


def test_an_empty_token_option_is_refused(hub: Hub) -> None:
    result = ok(hub("serve", "--token", " "), code=2)
    assert "token is empty" in result.stderr


def test_serving_beyond_loopback_without_a_token_warns(data_dir: Path) -> None:
    with served_registry(data_dir, args=("--host", "0.0.0.0")) as served:
        port = served.url.rsplit(":", 1)[1]
        assert httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200
    assert "warning: serving on 0.0.0.0 without a token" in served.log.read_text()


def test_a_busy_port_is_one_clear_error(data_dir: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "hub",
                "--data-dir",
                str(data_dir),
                "serve",
                "--port",
                str(port),
            ],
            capture_output=True,
            timeout=30,
        )
    assert result.returncode == 1
    assert result.stdout == b""
    assert f"error: cannot listen on http://127.0.0.1:{port}" in result.stderr.decode()


def test_a_missing_server_extra_names_it(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)

    result = ok(hub("serve"), code=1)

    assert "pip install 'streamhub[server]'" in result.stderr
    assert "uvicorn" in result.stderr


def test_importing_the_cli_loads_no_web_framework() -> None:
    code = (
        "import sys, hub, hub.cli\n"
        "loaded = {'fastapi', 'starlette', 'uvicorn'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_serve_is_listed_in_the_help(hub: Hub) -> None:
    assert "serve" in ok(hub("--help")).stdout
    usage = ok(hub("serve", "--help")).stdout
    for option in ("--host", "--port", "--token", "HUB_API_TOKEN"):
        assert option in usage
