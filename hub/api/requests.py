"""Reading requests: JSON bodies, Confluent's schema request, and boolean query flags.

Bodies are parsed here rather than by FastAPI's models: Confluent accepts octet-stream bodies
and answers each malformed body with its own code (400 for bad JSON, 42201 for a missing
schema), which a validation model cannot express. The dependencies are ``async`` because they
only parse: FastAPI then runs them on the event loop instead of a thread.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import Request

from hub.api.errors import HttpRequestError
from hub.api.media import accepted_request_type
from hub.errors import InvalidSchemaError, RegistryRequestError
from hub.registry import Registry, SchemaInput

MAX_INT = (1 << 31) - 1  # ids and versions are Java ints in Confluent's API


async def json_body(request: Request) -> Any:
    """The request's JSON document. 415 for a media type the registry does not read, 400 for
    a body that is not JSON."""
    if not accepted_request_type(request.headers.get("content-type")):
        raise HttpRequestError("HTTP 415 Unsupported Media Type", error_code=415)
    raw = await request.body()
    if not raw.strip():
        raise HttpRequestError("the request has no body; send a JSON document")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise HttpRequestError(f"the request body is not valid JSON: {exc}") from None


async def json_object(request: Request) -> dict[str, Any]:
    """A JSON body that must be an object (every registry request is one)."""
    document = await json_body(request)
    if not isinstance(document, dict):
        raise HttpRequestError(
            f"the request body must be a JSON object, not {type(document).__name__}",
            error_code=422,
        )
    return document


@dataclass(frozen=True, slots=True)
class SchemaRequest:
    """The body of a register, lookup or compatibility request (Confluent's
    ``RegisterSchemaRequest``); fields this registry does not use (``metadata``, ``ruleSet``)
    are ignored, as Confluent ignores unknown ones."""

    schema: SchemaInput
    schema_type: str | None = None
    references: list[Any] | None = None
    id: int | None = None
    version: int | None = None

    @classmethod
    def parse(cls, body: Mapping[str, Any]) -> SchemaRequest:
        schema = body.get("schema")
        if schema is None or schema == "":
            raise InvalidSchemaError('empty schema: send {"schema": "<the JSON Schema as text>"}')
        if not isinstance(schema, str | dict | bool):
            raise InvalidSchemaError(
                f'"schema" must be the schema as a JSON string, not {type(schema).__name__}'
            )
        schema_type = body.get("schemaType")
        if schema_type is not None and not isinstance(schema_type, str):
            raise InvalidSchemaError('"schemaType" must be a string such as "JSON"')
        references = body.get("references")
        if references is not None and not isinstance(references, list):
            raise InvalidSchemaError('"references" must be a list')
        return cls(
            schema=schema,
            schema_type=schema_type,
            references=references,
            id=_optional_int(body, "id", 422),
            version=_optional_int(body, "version", 42202),
        )


async def schema_request(request: Request) -> SchemaRequest:
    return SchemaRequest.parse(await json_object(request))


def flag(name: str) -> Callable[[Request], Coroutine[Any, Any, bool]]:
    """A dependency reading the boolean query parameter ``name``: ``true`` or ``false`` in any
    case (Java clients send ``true``, confluent-kafka for Python sends ``True``); absent is
    false. Anything else is refused (422) rather than read as false, as Jersey would."""

    async def read(request: Request) -> bool:
        value = request.query_params.get(name)
        if value is None or value == "":
            return False
        lowered = value.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        raise HttpRequestError(
            f"query parameter {name!r} must be true or false, not {value!r}", error_code=422
        )

    read.__name__ = f"flag_{name}"
    return read


def _optional_int(body: Mapping[str, Any], key: str, code: int) -> int | None:
    """An id or version: from 1 to 2**31 - 1 (Java's int, as in Confluent)."""
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_INT:
        raise RegistryRequestError(
            f'"{key}" must be a whole number from 1 to {MAX_INT}, not {value!r}', error_code=code
        )
    return value


async def current_registry(request: Request) -> Registry:
    """The app's registry (``create_app`` puts it in ``app.state``)."""
    registry: Registry = request.app.state.registry
    return registry
