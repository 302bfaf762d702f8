"""``hub serve``: the schema registry over HTTP, with Confluent's REST API.

Producers and consumers written for Confluent (its serializers, Kafka Connect's converters)
point their ``schema.registry.url`` here. FastAPI and uvicorn are the ``server`` extra: they
load only when this command runs.
"""

from __future__ import annotations

import asyncio
import ipaddress
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from hub.cli.context import HubContext, pass_hub
from hub.cli.output import info
from hub.errors import HubError

if TYPE_CHECKING:
    import uvicorn

GRACEFUL_SHUTDOWN_S = 10


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on (0.0.0.0: every interface).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8083,
    show_default=True,
    help="The port (0: any free port; the line printed at start names it).",
)
@click.option(
    "--token",
    metavar="TOKEN",
    envvar="HUB_API_TOKEN",
    show_envvar=True,
    help="Require this token (Authorization: Bearer TOKEN) on every request but GET /health.",
)
@pass_hub
def serve(hub: HubContext, host: str, port: int, token: str | None) -> None:
    """Serve the schema registry (Confluent's REST API) until Ctrl-C or SIGTERM.

    Prints "serving the schema registry on http://HOST:PORT" once it accepts requests. Without
    a token anyone who can reach the address may change schemas, so keep the default loopback
    address or set --token (better: HUB_API_TOKEN, which stays out of the process list).
    """
    if token is not None and not token.strip():
        raise click.BadParameter("the token is empty", param_hint="--token")
    _require_server_extra()
    if not token and not _is_loopback(host):
        info(
            f"warning: serving on {host} without a token: anyone who can reach it may change "
            "schemas; set HUB_API_TOKEN or --token"
        )
    from hub.api import create_app
    from hub.registry import Registry

    listener = _listen(host, port)
    with listener, hub.store() as store:
        app = create_app(Registry(store), token=token)
        server = _server(app, debug=hub.debug)
        url = _url(host, listener.getsockname()[1])
        asyncio.run(_serve(server, listener, f"serving the schema registry on {url}"))


def _require_server_extra() -> None:
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise HubError(
            f"hub serve needs FastAPI and uvicorn ({exc.name} is missing): "
            "pip install 'streamhub[server]'"
        ) from None


def _server(app: Any, *, debug: bool) -> uvicorn.Server:
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, minus re-raising the stop signal after its graceful shutdown
        (which would kill the process with SIGTERM's status instead of exiting 0)."""

        @contextmanager
        def capture_signals(self) -> Iterator[None]:
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            signals = (signal.SIGINT, signal.SIGTERM)
            previous = {number: signal.signal(number, self.handle_exit) for number in signals}
            try:
                yield
            finally:
                for number, handler in previous.items():
                    signal.signal(number, handler)

    config = uvicorn.Config(
        app,
        log_config=None,  # uvicorn's records go through the hub's handler (and secret filter)
        log_level="debug" if debug else "warning",
        access_log=debug,
        lifespan="off",
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )
    return Server(config)


async def _serve(server: uvicorn.Server, listener: socket.socket, ready: str) -> None:
    """Run ``server`` on ``listener``; print ``ready`` once it accepts connections."""
    task = asyncio.ensure_future(server.serve(sockets=[listener]))
    while not server.started and not task.done():
        await asyncio.sleep(0.01)
    if server.started:
        click.echo(ready)
    await task


def _listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port``, so that a busy port is one clear error and port 0
    tells which port it got."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise HubError(f"cannot listen on {host!r}: {exc.strerror}; check --host") from None
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted sockets only when the listening
    # socket names it, and without it every answer (headers and body are two writes) waits
    # ~40 ms for the client's delayed ACK.
    listener = socket.socket(family, kind, proto or socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(address)
    except OSError as exc:
        listener.close()
        raise HubError(
            f"cannot listen on {_url(host, port)}: {exc.strerror}; choose another --port or "
            "stop the process holding it"
        ) from None
    return listener


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
