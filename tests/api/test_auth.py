"""The optional token: every endpoint but ``/health`` needs it, as bearer or basic password."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from hub.api import create_app
from hub.registry import Registry
from tests.api.conftest import TestClient, error, ok


@pytest.fixture
def guarded(registry: Registry) -> Iterator[TestClient]:
    with TestClient(create_app(registry, token="s3cret")) as opened:
        yield opened


def test_a_token_guards_every_endpoint_but_health(guarded: TestClient) -> None:
    assert ok(guarded.get("/health")) == {"status": "UP"}
    for path in ("/", "/subjects", "/nothing/here"):
        answer = guarded.get(path)
        assert "token" in error(answer, 401, 401)
        assert answer.headers["www-authenticate"].startswith("Bearer")
    error(guarded.get("/subjects", headers={"Authorization": "Bearer wrong"}), 401, 401)
    error(guarded.get("/subjects", headers={"Authorization": "s3cret"}), 401, 401)


def test_the_token_is_taken_as_bearer_or_as_a_basic_password(guarded: TestClient) -> None:
    assert ok(guarded.get("/subjects", headers={"Authorization": "Bearer s3cret"})) == []
    assert ok(guarded.get("/subjects", headers={"Authorization": "bearer  s3cret "})) == []
    basic = base64.b64encode(b"anyone:s3cret").decode()
    assert ok(guarded.get("/subjects", headers={"Authorization": f"Basic {basic}"})) == []
    wrong = base64.b64encode(b"s3cret:nope").decode()
    error(guarded.get("/subjects", headers={"Authorization": f"Basic {wrong}"}), 401, 401)
    error(guarded.get("/subjects", headers={"Authorization": "Basic %%%"}), 401, 401)
