"""The API in-process: a registry over SQLite, FastAPI's test client, and request helpers."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from starlette.exceptions import StarletteDeprecationWarning

from hub.api import create_app
from hub.registry import Registry
from hub.store import Store

with warnings.catch_warnings():
    # Starlette 1.x asks for the httpx2 fork for its test client; httpx works the same here.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

V1 = "application/vnd.schemaregistry.v1+json"
Response = Any  # httpx's or httpx2's, whichever Starlette's test client was built on

__all__ = ["TestClient"]


@pytest.fixture
def registry(sqlite_store: Store) -> Registry:
    return Registry(sqlite_store)


@pytest.fixture
def client(registry: Registry) -> Iterator[TestClient]:
    with TestClient(create_app(registry)) as opened:
        yield opened


def body(schema: Any, **fields: Any) -> dict[str, Any]:
    """A register/lookup request body: the schema as text, as Confluent's clients send it."""
    return {"schema": orjson.dumps(schema).decode(), "schemaType": "JSON", **fields}


def post(client: TestClient, path: str, document: Any, **kwargs: Any) -> Response:
    content = document if isinstance(document, bytes) else orjson.dumps(document)
    headers = {"Content-Type": V1, **kwargs.pop("headers", {})}
    return client.post(path, content=content, headers=headers, **kwargs)


def put(client: TestClient, path: str, document: Any) -> Response:
    return client.put(path, content=orjson.dumps(document), headers={"Content-Type": V1})


def ok(response: Response) -> Any:
    """The JSON of a 200 answer in Confluent's media type."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == V1
    return response.json()


def error(response: Response, status: int, code: int) -> str:
    """The message of a Confluent error body with this status and error code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == V1
    document = response.json()
    assert document["error_code"] == code, document
    message: str = document["message"]
    return message


def register(client: TestClient, subject: str, schema: Any) -> int:
    schema_id: int = ok(post(client, f"/subjects/{subject}/versions", body(schema)))["id"]
    return schema_id
