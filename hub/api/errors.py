"""Every failure as Confluent's error body: ``{"error_code": N, "message": "..."}``.

Confluent's clients read ``error_code`` to decide what happened (``40401``: no such subject), so
each ``SchemaError`` answers its own code and status. Failures of the HTTP request itself use
the codes Confluent's REST layer (rest-utils) gives them: the HTTP status as ``error_code``
(400 malformed JSON, 404 unknown path, 405, 415, 422 a bad parameter). Other errors answer 500
without their text, which may hold paths or SQL; the server's log has the traceback.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from hub.api.media import RegistryJSONResponse
from hub.errors import HubError, SchemaError

log = logging.getLogger("hub.api")

STORE_ERROR_CODE = 50001  # Confluent: "Error in the backend data store"
INTERNAL_ERROR_CODE = 500  # rest-utils' GenericExceptionMapper


class HttpRequestError(SchemaError):
    """The HTTP request is malformed (bad JSON, media type or parameter); ``error_code`` is the
    HTTP status, as Confluent answers such requests."""

    error_code = 400
    status = 400


def error_response(status: int, error_code: int, message: str) -> Response:
    return RegistryJSONResponse({"error_code": error_code, "message": message}, status)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers; call once on a new app."""
    app.add_exception_handler(SchemaError, _schema_error)  # type: ignore[arg-type]
    app.add_exception_handler(HubError, _hub_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected_error)


async def _schema_error(request: Request, exc: SchemaError) -> Response:
    return error_response(exc.status, exc.error_code, str(exc))


async def _hub_error(request: Request, exc: HubError) -> Response:
    """A store failure (database unreachable, locked...): Confluent's store error."""
    log.error("%s %s failed: %s", request.method, request.url.path, exc)
    return error_response(
        500, STORE_ERROR_CODE, "Error in the backend data store; the server's log says more"
    )


async def _http_error(request: Request, exc: HTTPException) -> Response:
    phrase = HTTPStatus(exc.status_code).phrase
    default = exc.detail in (None, "", phrase)
    message = f"HTTP {exc.status_code} {phrase}" if default else str(exc.detail)
    response = error_response(exc.status_code, exc.status_code, message)
    response.headers.update(exc.headers or {})
    return response


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    problems = []
    for error in exc.errors():
        where = [str(part) for part in error.get("loc", ())]
        kind = {"query": "query parameter", "path": "path parameter", "header": "header"}.get(
            where[0] if where else "", where[0] if where else "request"
        )
        problems.append(f"{kind} {'.'.join(where[1:])!r}: {error.get('msg', 'invalid')}")
    return error_response(422, 422, "; ".join(problems) or "invalid request")


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    # Starlette logs the traceback (through uvicorn's error logger) after this answer is sent.
    return error_response(500, INTERNAL_ERROR_CODE, "Internal Server Error")
