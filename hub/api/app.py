"""``create_app``: the HTTP service of ``hub serve``, built around one ``Registry``.

Everything lives in the registry's store, so several ``hub serve`` processes over one shared
store answer alike; the app only remembers recent answers for a moment (``hub.api.cache``).
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.responses import Response

from hub import __version__
from hub.api.auth import TokenAuthMiddleware
from hub.api.cache import LookupCache
from hub.api.errors import install_error_handlers
from hub.api.media import RegistryJSONResponse, respond
from hub.api.registry_routes import router as registry_router
from hub.registry import Registry


def create_app(registry: Registry, *, token: str | None = None, cache_ttl: float = 1.0) -> FastAPI:
    """The Confluent-compatible registry API over ``registry``.

    With ``token``, every request but ``GET /health`` must carry it (see ``hub.api.auth``).
    Repeated lookups are answered from memory; writes by other processes show within
    ``cache_ttl`` seconds (0: at once, at a cost; see ``hub.api.cache``).
    """
    app = FastAPI(
        title="streamhub schema registry",
        version=__version__,
        default_response_class=RegistryJSONResponse,
    )
    app.state.registry = registry
    install_error_handlers(app)
    app.include_router(registry_router)
    app.add_api_route("/health", health, methods=["GET"], include_in_schema=False)
    app.add_middleware(LookupCache, ttl=cache_ttl)
    if token:  # added last, so it runs first: a cached answer needs the token too
        app.add_middleware(TokenAuthMiddleware, token=token)
    return app


async def health() -> Response:
    """Liveness for load balancers: answers without a token and without touching the store."""
    return respond({"status": "UP"})
