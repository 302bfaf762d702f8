"""An optional shared token on every endpoint, as Confluent's clients can send one.

Clients give the token as a bearer token (``Authorization: Bearer TOKEN``; confluent-kafka's
``bearer.auth.credentials.source: STATIC_TOKEN``) or, for tools that only speak basic auth
(Kafka Connect converters, UIs), as the password of any user (``basic.auth.user.info:
hub:TOKEN``). Everything is protected, unknown paths included, except ``/health``: load
balancers and orchestrators probe it without credentials, and it tells nothing but "up".

A missing or wrong token answers 401 with Confluent's body (``error_code`` 401, the code
rest-utils' ``RestNotAuthorizedException`` uses) and a ``WWW-Authenticate`` challenge.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from starlette.types import ASGIApp, Receive, Scope, Send

from hub.api.errors import error_response

OPEN_PATHS = frozenset({"/health"})


class TokenAuthMiddleware:
    """Pure ASGI, so a refused request costs no routing and an accepted one no extra task."""

    def __init__(self, app: ASGIApp, *, token: str) -> None:
        if not token:
            raise ValueError("the API token must not be empty")
        self.app = app
        self._token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS or self._allows(scope):
            await self.app(scope, receive, send)
            return
        response = error_response(
            401, 401, "Unauthorized: this registry needs its token (Authorization: Bearer TOKEN)"
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="hub", Basic realm="hub"'
        await response(scope, receive, send)

    def _allows(self, scope: Scope) -> bool:
        for name, value in scope["headers"]:
            if name == b"authorization":
                return hmac.compare_digest(_credential(value), self._token)
        return False


def _credential(header: bytes) -> bytes:
    """The token in an Authorization header: a bearer token, or a basic password."""
    scheme, _, rest = header.strip().partition(b" ")
    scheme = scheme.lower()
    if scheme == b"bearer":
        return rest.strip()
    if scheme == b"basic":
        try:
            decoded = base64.b64decode(rest.strip(), validate=True)
        except (binascii.Error, ValueError):
            return b""
        return decoded.partition(b":")[2]
    return b""
