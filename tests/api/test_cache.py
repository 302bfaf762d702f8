"""Repeated lookups come from memory; writes through the server are seen at once, writes by
other processes within the cache's time to live."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from hub.api import create_app
from hub.registry import Registry
from tests.api.conftest import V1, TestClient
from tests.registry.examples import CLOSED, CLOSED_WITH_NAME, PERSON


class Counting:
    """Counts the requests that reached the registry, to see which answers came from memory."""

    def __init__(self, registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []
        self._depth = 0
        for name in ("schema", "version", "lookup"):
            original = getattr(registry, name)
            monkeypatch.setattr(registry, name, self._wrap(name, original))

    def _wrap(self, name: str, original: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            if self._depth == 0:  # not the registry calling itself (version() reads schema())
                self.calls.append(name)
            self._depth += 1
            try:
                return original(*args, **kwargs)
            finally:
                self._depth -= 1

        return counted


@pytest.fixture
def counting(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> Counting:
    return Counting(registry, monkeypatch)


def client_for(registry: Registry, ttl: float = 60.0) -> TestClient:
    return TestClient(create_app(registry, cache_ttl=ttl))


@pytest.fixture
def client(registry: Registry) -> Iterator[TestClient]:
    with client_for(registry) as opened:
        yield opened


def schema_body(schema: Any) -> bytes:
    return orjson.dumps({"schema": orjson.dumps(schema).decode()})


def register(client: TestClient, subject: str, schema: Any) -> int:
    answer = client.post(
        f"/subjects/{subject}/versions", content=schema_body(schema), headers={"Content-Type": V1}
    )
    assert answer.status_code == 200, answer.text
    schema_id: int = answer.json()["id"]
    return schema_id


def test_a_schema_by_id_is_read_once(client: TestClient, counting: Counting) -> None:
    schema_id = register(client, "s", PERSON)

    answers = [client.get(f"/schemas/ids/{schema_id}") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert len({a.content for a in answers}) == 1
    assert answers[-1].headers["content-type"] == V1
    assert counting.calls == ["schema"]


def test_versions_and_lookups_are_read_once_until_a_write(
    client: TestClient, counting: Counting
) -> None:
    register(client, "s", CLOSED)

    def lookup() -> int:
        answer = client.post(
            "/subjects/s", content=schema_body(CLOSED), headers={"Content-Type": V1}
        )
        version: int = answer.json()["version"]
        return version

    for _ in range(2):
        assert client.get("/subjects/s/versions/latest").json()["version"] == 1
        assert lookup() == 1
    assert counting.calls == ["version", "lookup"]

    register(client, "s", CLOSED_WITH_NAME)

    assert client.get("/subjects/s/versions/latest").json()["version"] == 2
    assert lookup() == 1
    assert counting.calls == ["version", "lookup", "version", "lookup"]


def test_a_delete_through_the_server_is_seen_at_once(client: TestClient) -> None:
    register(client, "s", PERSON)
    assert client.get("/subjects/s/versions/1").status_code == 200

    assert client.delete("/subjects/s/versions/1").status_code == 200

    assert client.get("/subjects/s/versions/1").json()["error_code"] == 40401
    assert client.get("/subjects/s/versions/1?deleted=true").status_code == 200


def test_errors_are_not_kept(client: TestClient, registry: Registry) -> None:
    assert client.get("/subjects/s/versions/latest").json()["error_code"] == 40401
    registry.register("s", PERSON)  # as another process would: the server is not told
    assert client.get("/subjects/s/versions/latest").status_code == 200


def test_the_media_type_is_part_of_a_lookups_identity(client: TestClient) -> None:
    register(client, "s", PERSON)
    body = schema_body(PERSON)
    assert client.post("/subjects/s", content=body, headers={"Content-Type": V1}).is_success

    refused = client.post("/subjects/s", content=body, headers={"Content-Type": "text/plain"})

    assert refused.status_code == 415


def test_writes_by_another_process_show_within_the_time_to_live(registry: Registry) -> None:
    registry.register("s", CLOSED)
    with client_for(registry, ttl=0.3) as client:
        assert client.get("/subjects/s/versions/latest").json()["version"] == 1
        registry.register("s", CLOSED_WITH_NAME)  # not through the server
        assert client.get("/subjects/s/versions/latest").json()["version"] == 1
        time.sleep(0.35)
        assert client.get("/subjects/s/versions/latest").json()["version"] == 2


def test_a_zero_time_to_live_keeps_nothing_that_can_change(
    registry: Registry, counting: Counting
) -> None:
    registry.register("s", PERSON)
    with client_for(registry, ttl=0) as client:
        for _ in range(2):
            assert client.get("/subjects/s/versions/latest").status_code == 200
    assert counting.calls == ["version", "version"]


def test_cached_answers_still_need_the_token(registry: Registry) -> None:
    schema_id = registry.register("s", PERSON)
    with TestClient(create_app(registry, token="t0k")) as client:
        good = {"Authorization": "Bearer t0k"}
        assert client.get(f"/schemas/ids/{schema_id}", headers=good).status_code == 200
        assert client.get(f"/schemas/ids/{schema_id}").status_code == 401
