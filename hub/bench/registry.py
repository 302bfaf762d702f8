"""``hub bench registry``: schema lookups per second from one client, over real HTTP.

A serializer asks the registry two questions: "which id has this schema?" (``POST
/subjects/{subject}``) when it produces, and "which schema has this id?" (``GET
/schemas/ids/{id}``) when it consumes; tools also ask for a subject's latest version. Each is
measured from one keep-alive ``httpx`` client against a ``hub serve`` child process, so the
numbers include HTTP parsing, routing, the thread hop and the store, as a client sees them.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from hub.errors import HubError

MEDIA_TYPE = "application/vnd.schemaregistry.v1+json"
_READY = re.compile(rb"serving the schema registry on (\S+)")


@dataclass(frozen=True, slots=True)
class ServedRegistry:
    """A running ``hub serve`` child and where to reach it."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path  # the child's stderr


@contextmanager
def served_registry(
    data_dir: Path,
    *,
    store_url: str | None = None,
    token: str | None = None,
    args: tuple[str, ...] = (),
    startup_timeout: float = 30.0,
) -> Iterator[ServedRegistry]:
    """Start ``hub serve --port 0`` on ``data_dir``, wait for its ready line, stop it after.

    The token goes through ``HUB_API_TOKEN`` (never the command line, which ``ps`` shows); an
    inherited ``HUB_API_TOKEN`` is dropped. The child's stderr is kept in ``serve.log`` in
    ``data_dir``, and quoted when it fails to start.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("HUB_API_TOKEN", "HUB_STORE_URL")}
    if token:
        env["HUB_API_TOKEN"] = token
    command = [sys.executable, "-m", "hub", "--data-dir", str(data_dir)]
    if store_url:
        command += ["--store", store_url]
    command += ["serve", "--port", "0", *args]
    log_path = data_dir / "serve.log"
    with (
        log_path.open("wb") as log,
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, env=env) as process,
    ):
        try:
            url = _wait_ready(process, log_path, startup_timeout)
            yield ServedRegistry(url, process, log_path)
        finally:
            stop(process)


def stop(process: subprocess.Popen[bytes], timeout: float = 15.0) -> int:
    """SIGTERM, then SIGKILL if the child has not exited within ``timeout``; its exit status."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait()


def _wait_ready(process: subprocess.Popen[bytes], log: Path, timeout: float) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([process.stdout], [], [], left)
        if not readable:
            break
        line = process.stdout.readline()
        if not line:  # the child exited
            process.wait()
            raise HubError(
                f"hub serve exited with status {process.returncode} before serving: "
                + log.read_text(errors="replace").strip()
            )
        if found := _READY.search(line):
            return found.group(1).decode()
    raise HubError(f"hub serve did not start within {timeout:.0f} s; its log is {log}")


@dataclass(frozen=True, slots=True)
class LookupResult:
    """One kind of request, sent ``requests`` times one after another."""

    name: str
    requests: int
    per_s: float
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True, slots=True)
class RegistryBenchResult:
    subjects: int
    lookups: tuple[LookupResult, ...]

    @property
    def lookups_per_s(self) -> float:
        """All requests over all their time: the rate of a client mixing the three."""
        return sum(r.requests for r in self.lookups) / sum(
            r.requests / r.per_s for r in self.lookups
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "subjects": self.subjects,
            "lookups_per_s": self.lookups_per_s,
            "lookups": [asdict(r) for r in self.lookups],
        }


def run_registry_bench(
    directory: Path,
    *,
    requests: int = 5_000,
    subjects: int = 10,
    store_url: str | None = None,
    warmup: int = 200,
) -> RegistryBenchResult:
    """Register ``subjects`` schemas, then send ``requests`` of each kind of lookup.

    The server runs on a scratch data directory inside ``directory`` (removed after), or on the
    store at ``store_url``, where the bench's subjects are deleted permanently at the end. Every
    answer is checked: a wrong one raises ``HubError``.
    """
    directory.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="bench-registry-", dir=directory))
    prefix = f"hub-bench-{os.getpid()}-{time.time_ns() % 10**9}-"
    try:
        with (
            served_registry(scratch, store_url=store_url) as served,
            httpx.Client(base_url=served.url, headers={"Accept": MEDIA_TYPE}) as http,
        ):
            targets = _register(http, [f"{prefix}{i}-value" for i in range(subjects)])
            try:
                lookups = tuple(
                    _measure(http, name, build, targets, requests, warmup)
                    for name, build in _KINDS.items()
                )
            finally:
                if store_url:
                    _delete(http, targets)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return RegistryBenchResult(subjects, lookups)


@dataclass(frozen=True, slots=True)
class _Target:
    subject: str
    id: int
    body: bytes  # the lookup/register request body


def _register(http: httpx.Client, names: list[str]) -> list[_Target]:
    targets = []
    for index, subject in enumerate(names):
        schema = {"type": "object", "properties": {f"field_{index}": {"type": "string"}}}
        body = orjson.dumps({"schema": orjson.dumps(schema).decode(), "schemaType": "JSON"})
        answer = _json(http.post(f"/subjects/{subject}/versions", content=body, headers=_POST))
        targets.append(_Target(subject, answer["id"], body))
    return targets


def _delete(http: httpx.Client, targets: list[_Target]) -> None:
    for target in targets:
        http.delete(f"/subjects/{target.subject}")
        http.delete(f"/subjects/{target.subject}", params={"permanent": "true"})


_POST = {"Content-Type": MEDIA_TYPE}
_Build = Callable[[httpx.Client, _Target], httpx.Request]
_KINDS: dict[str, _Build] = {
    "GET /schemas/ids/{id}": lambda http, t: http.build_request("GET", f"/schemas/ids/{t.id}"),
    "POST /subjects/{subject}": lambda http, t: http.build_request(
        "POST", f"/subjects/{t.subject}", content=t.body, headers=_POST
    ),
    "GET /subjects/{subject}/versions/latest": lambda http, t: http.build_request(
        "GET", f"/subjects/{t.subject}/versions/latest"
    ),
}


def _measure(
    http: httpx.Client, name: str, build: _Build, targets: list[_Target], count: int, warmup: int
) -> LookupResult:
    """Requests are built once and sent again and again, so the client's own cost stays small
    next to the server's (building one costs httpx about as much as the server's answer)."""
    requests = [build(http, target) for target in targets]
    expected = []
    for target, request in zip(targets, requests, strict=True):
        answer = http.send(request)  # checked once; later answers must be the same bytes
        document = _json(answer)
        if document.get("id", target.id) != target.id or "schema" not in document:
            raise HubError(f"{name} for {target.subject} answered {document}, not id {target.id}")
        expected.append(answer.content)
    for i in range(warmup):
        http.send(requests[i % len(requests)])
    latencies = []
    started = time.perf_counter()
    for i in range(count):
        index = i % len(requests)
        before = time.perf_counter()
        answer = http.send(requests[index])
        latencies.append(time.perf_counter() - before)
        if answer.status_code != 200 or answer.content != expected[index]:
            raise HubError(f"{name} answered {answer.status_code}: {answer.text}")
    elapsed = time.perf_counter() - started
    latencies.sort()
    return LookupResult(
        name=name,
        requests=count,
        per_s=count / elapsed,
        p50_ms=latencies[len(latencies) // 2] * 1000,
        p99_ms=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    )


def _json(answer: httpx.Response) -> Any:
    if answer.status_code != 200:
        raise HubError(f"the registry answered {answer.status_code}: {answer.text}")
    return orjson.loads(answer.content)
