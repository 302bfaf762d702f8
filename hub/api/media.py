"""The registry's media types and JSON responses.

Confluent's clients send and expect ``application/vnd.schemaregistry.v1+json``; they also accept
``application/vnd.schemaregistry+json`` and plain ``application/json``, and the server takes
``application/octet-stream`` for requests from tools that send no JSON type (curl with
``--data-binary``). Every response is the v1 type, which every one of those clients accepts.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse, Response

SCHEMA_REGISTRY_V1 = "application/vnd.schemaregistry.v1+json"
REQUEST_TYPES = frozenset(
    {
        SCHEMA_REGISTRY_V1,
        "application/vnd.schemaregistry+json",
        "application/json",
        "application/octet-stream",
    }
)


class RegistryJSONResponse(JSONResponse):
    """JSON rendered by orjson, with Confluent's v1 media type.

    Not FastAPI's ``ORJSONResponse``, which is deprecated (and warns on every use).
    """

    media_type = SCHEMA_REGISTRY_V1

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def respond(content: Any, status_code: int = 200) -> Response:
    """A JSON answer; routes return it directly so FastAPI does no second encoding pass."""
    return RegistryJSONResponse(content, status_code)


def respond_raw(document: str | bytes) -> Response:
    """A document that is JSON already (a stored schema's text), sent as it is."""
    return Response(document, media_type=SCHEMA_REGISTRY_V1)


def accepted_request_type(content_type: str | None) -> bool:
    """Whether a request body of ``content_type`` is one the registry reads.

    A missing type is accepted, as Confluent does (it treats it as octet-stream).
    """
    if not content_type:
        return True
    return content_type.split(";", 1)[0].strip().lower() in REQUEST_TYPES
