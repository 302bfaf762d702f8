"""The Confluent-compatible REST API, endpoint by endpoint, in-process (FastAPI's TestClient):
subjects, versions, schemas by id, compatibility checks, and the error bodies."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from hub.api import create_app
from hub.errors import StoreError
from hub.registry import Registry
from tests.api.conftest import TestClient, body, error, ok, post, put, register
from tests.registry.examples import CLOSED, CLOSED_WITH_NAME, PERSON, PERSON_WITH_AGE


# -- root, health, unknown paths ---------------------------------------------------------------
def test_root_answers_an_empty_object(client: TestClient) -> None:
    assert ok(client.get("/")) == {}


def test_health_answers_up(client: TestClient) -> None:
    assert ok(client.get("/health")) == {"status": "UP"}


def test_unknown_paths_and_methods_answer_confluent_error_bodies(client: TestClient) -> None:
    assert error(client.get("/nothing/here"), 404, 404) == "HTTP 404 Not Found"
    error(client.put("/subjects"), 405, 405)


def test_openapi_document_builds(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/subjects/{subject}/versions" in paths
    assert "/config/{subject}" in paths


# -- subjects and versions -----------------------------------------------------------------------
def test_register_answers_the_id_and_the_same_schema_adds_no_version(client: TestClient) -> None:
    first = register(client, "people-value", PERSON)
    again = ok(post(client, "/subjects/people-value/versions?normalize=true", body(PERSON)))

    assert again == {"id": first}
    assert ok(client.get("/subjects")) == ["people-value"]
    assert ok(client.get("/subjects/people-value/versions")) == [1]


def test_register_accepts_every_request_media_type_confluent_does(client: TestClient) -> None:
    for index, kind in enumerate(
        [
            "application/vnd.schemaregistry+json",
            "application/json; charset=utf-8",
            "application/octet-stream",
        ]
    ):
        schema = {"type": "object", "properties": {f"f{index}": {"type": "string"}}}
        headers = {"Content-Type": kind}
        ok(post(client, f"/subjects/s{index}/versions", body(schema), headers=headers))
    raw = orjson.dumps(body(PERSON))
    ok(client.post("/subjects/bare/versions", content=raw))  # no Content-Type at all


def test_register_takes_the_schema_as_an_object_too(client: TestClient) -> None:
    schema_id = ok(post(client, "/subjects/people-value/versions", {"schema": PERSON}))["id"]
    assert ok(client.get(f"/schemas/ids/{schema_id}"))["schema"] == orjson.dumps(PERSON).decode()


def test_malformed_requests_answer_confluent_codes(client: TestClient) -> None:
    path = "/subjects/people-value/versions"
    assert "not valid JSON" in error(post(client, path, b"{not json"), 400, 400)
    error(post(client, path, [1, 2]), 422, 422)
    assert "empty schema" in error(post(client, path, {"schemaType": "JSON"}), 422, 42201)
    error(post(client, path, {"schema": "{not json"}), 422, 42201)
    error(post(client, path, {"schema": '{"type": 12}'}), 422, 42201)
    error(post(client, path, body(PERSON, schemaType="AVRO")), 422, 42201)
    error(post(client, path, body(PERSON, version="two")), 422, 42202)
    text = {"Content-Type": "text/plain"}
    error(post(client, path, body(PERSON), headers=text), 415, 415)


def test_an_incompatible_schema_answers_409_listing_why(client: TestClient) -> None:
    register(client, "people-value", PERSON)
    answer = post(client, "/subjects/people-value/versions", body(PERSON_WITH_AGE))
    message = error(answer, 409, 409)
    assert "people-value" in message
    assert "#/properties/age" in message
    assert ok(client.get("/subjects/people-value/versions")) == [1]


def test_lookup_finds_the_version_holding_a_schema_in_any_key_order(client: TestClient) -> None:
    schema_id = register(client, "people-value", PERSON)
    reordered = '{"properties": {"name": {"type": "string"}}, "type": "object"}'

    found = ok(
        post(client, "/subjects/people-value?normalize=False&deleted=False", {"schema": reordered})
    )

    assert found == {
        "subject": "people-value",
        "id": schema_id,
        "version": 1,
        "schema": orjson.dumps(PERSON).decode(),
        "schemaType": "JSON",
    }
    error(post(client, "/subjects/people-value", body(PERSON_WITH_AGE)), 404, 40403)
    error(post(client, "/subjects/nobody-value", body(PERSON)), 404, 40401)


def test_get_version_by_number_latest_and_minus_one(client: TestClient) -> None:
    register(client, "people-value", CLOSED)
    second = register(client, "people-value", CLOSED_WITH_NAME)

    one = ok(client.get("/subjects/people-value/versions/1"))
    assert (one["version"], one["schemaType"]) == (1, "JSON")
    for spelling in ("latest", "-1"):
        latest = ok(client.get(f"/subjects/people-value/versions/{spelling}"))
        assert (latest["version"], latest["id"]) == (2, second)
    error(client.get("/subjects/people-value/versions/3"), 404, 40402)
    error(client.get("/subjects/people-value/versions/abc"), 422, 42202)
    error(client.get("/subjects/nobody/versions/1"), 404, 40401)


def test_version_schema_is_the_raw_document(client: TestClient) -> None:
    register(client, "people-value", PERSON)
    assert ok(client.get("/subjects/people-value/versions/1/schema")) == PERSON
    assert ok(client.get("/subjects/people-value/versions/latest/referencedby")) == []
    error(client.get("/subjects/people-value/versions/9/referencedby"), 404, 40402)


def test_versions_are_deleted_soft_then_permanently(client: TestClient) -> None:
    register(client, "people-value", CLOSED)
    register(client, "people-value", CLOSED_WITH_NAME)

    error(client.delete("/subjects/people-value/versions/2?permanent=true"), 404, 40407)
    assert ok(client.delete("/subjects/people-value/versions/2")) == 2
    error(client.delete("/subjects/people-value/versions/2"), 404, 40406)
    assert ok(client.get("/subjects/people-value/versions")) == [1]
    assert ok(client.get("/subjects/people-value/versions?deleted=true")) == [1, 2]
    assert ok(client.get("/subjects/people-value/versions?deleted_only=true")) == [2]
    assert ok(client.get("/subjects/people-value/versions/2?deleted=true"))["version"] == 2
    error(client.get("/subjects/people-value/versions/2"), 404, 40402)
    assert ok(client.delete("/subjects/people-value/versions/2?permanent=true")) == 2
    assert ok(client.get("/subjects/people-value/versions?deleted=true")) == [1]


def test_subjects_are_deleted_soft_then_permanently(client: TestClient) -> None:
    register(client, "people-value", CLOSED)
    register(client, "people-value", CLOSED_WITH_NAME)

    error(client.delete("/subjects/people-value?permanent=true"), 404, 40405)
    assert ok(client.delete("/subjects/people-value")) == [1, 2]
    error(client.delete("/subjects/people-value"), 404, 40404)
    assert ok(client.get("/subjects")) == []
    assert ok(client.get("/subjects?deleted=true")) == ["people-value"]
    assert ok(client.delete("/subjects/people-value?permanent=true")) == [1, 2]
    assert ok(client.get("/subjects?deleted=true")) == []
    error(client.get("/subjects/people-value/versions?deleted=true"), 404, 40401)


def test_list_subjects_filters_and_pages(client: TestClient) -> None:
    for index, name in enumerate(["a-value", "b-value", "b-key", "c-value"]):
        register(client, name, {"type": "object", "properties": {f"f{index}": {"type": "string"}}})
    ok(client.delete("/subjects/c-value"))

    assert ok(client.get("/subjects")) == ["a-value", "b-key", "b-value"]
    assert ok(client.get("/subjects?subjectPrefix=b-")) == ["b-key", "b-value"]
    assert ok(client.get("/subjects?subjectPrefix=:*:")) == ["a-value", "b-key", "b-value"]
    assert ok(client.get("/subjects?deleted=True")) == ["a-value", "b-key", "b-value", "c-value"]
    assert ok(client.get("/subjects?deleted_only=true")) == ["c-value"]
    assert ok(client.get("/subjects?offset=1&limit=1")) == ["b-key"]
    assert ok(client.get("/subjects?offset=0&limit=-1")) == ["a-value", "b-key", "b-value"]
    error(client.get("/subjects?limit=many"), 422, 422)


def test_boolean_query_flags_take_true_and_false_in_any_case(client: TestClient) -> None:
    register(client, "people-value", PERSON)
    ok(client.delete("/subjects/people-value"))

    for spelling in ("true", "True", "TRUE"):
        assert ok(client.get(f"/subjects?deleted={spelling}")) == ["people-value"]
    for spelling in ("false", "False", ""):
        assert ok(client.get(f"/subjects?deleted={spelling}")) == []
    assert "'deleted'" in error(client.get("/subjects?deleted=yes"), 422, 422)


# -- schemas by id -------------------------------------------------------------------------------
def test_schemas_by_id(client: TestClient) -> None:
    schema_id = register(client, "a-value", PERSON)
    register(client, "b-value", PERSON)

    found = ok(client.get(f"/schemas/ids/{schema_id}?subject=a-value"))
    assert found == {"schema": orjson.dumps(PERSON).decode(), "schemaType": "JSON"}
    assert ok(client.get(f"/schemas/ids/{schema_id}/schema")) == PERSON
    assert ok(client.get(f"/schemas/ids/{schema_id}/subjects")) == ["a-value", "b-value"]
    assert ok(client.get(f"/schemas/ids/{schema_id}/versions")) == [
        {"subject": "a-value", "version": 1},
        {"subject": "b-value", "version": 1},
    ]
    ok(client.delete("/subjects/b-value"))
    assert ok(client.get(f"/schemas/ids/{schema_id}/subjects")) == ["a-value"]
    assert ok(client.get(f"/schemas/ids/{schema_id}/subjects?deleted=true")) == [
        "a-value",
        "b-value",
    ]
    error(client.get("/schemas/ids/999"), 404, 40403)
    error(client.get("/schemas/ids/999/versions"), 404, 40403)
    error(client.get("/schemas/ids/abc"), 422, 422)
    error(client.get("/schemas/ids/99999999999999999999"), 404, 40403)  # no Java int


def test_schema_types_are_json_only(client: TestClient) -> None:
    assert ok(client.get("/schemas/types")) == ["JSON"]


# -- compatibility -------------------------------------------------------------------------------
def test_compatibility_against_the_latest_version(client: TestClient) -> None:
    register(client, "people-value", PERSON)
    path = "/compatibility/subjects/people-value/versions/latest"

    assert ok(post(client, path, body(PERSON))) == {"is_compatible": True}
    assert ok(post(client, path, body(PERSON_WITH_AGE))) == {"is_compatible": False}
    verbose = ok(post(client, path + "?verbose=true", body(PERSON_WITH_AGE)))
    assert verbose["is_compatible"] is False
    assert [m.startswith("{errorType:'PROPERTY_ADDED") for m in verbose["messages"]] == [True]
    [detail] = verbose["incompatibilities"]
    assert (detail["path"], detail["version"]) == ("#/properties/age", 1)
    assert ok(post(client, path + "?verbose=True", body(PERSON))) == {
        "is_compatible": True,
        "messages": [],
        "incompatibilities": [],
    }


def test_compatibility_with_no_version_to_compare(client: TestClient) -> None:
    assert ok(post(client, "/compatibility/subjects/new/versions/latest", body(PERSON))) == {
        "is_compatible": True
    }
    assert ok(post(client, "/compatibility/subjects/new/versions", body(PERSON))) == {
        "is_compatible": True
    }
    error(post(client, "/compatibility/subjects/new/versions/1", body(PERSON)), 404, 40401)
    register(client, "things-value", CLOSED)
    path = "/compatibility/subjects/things-value/versions/7"
    error(post(client, path, body(CLOSED)), 404, 40402)


def test_compatibility_against_every_version_the_level_names(client: TestClient) -> None:
    def short(length: int) -> dict[str, Any]:
        return {"type": "object", "properties": {"a": {"type": "string", "maxLength": length}}}

    ok(put(client, "/config/s", {"compatibility": "NONE"}))
    register(client, "s", short(10))
    register(client, "s", short(5))
    ok(put(client, "/config/s", {"compatibility": "BACKWARD_TRANSITIVE"}))
    path = "/compatibility/subjects/s/versions"

    # Readers of the candidate (at most 7) cannot read version 1's data (up to 10).
    assert ok(post(client, path, body(short(7)))) == {"is_compatible": False}
    assert ok(post(client, path + "/latest", body(short(7)))) == {"is_compatible": True}
    assert ok(post(client, path + "/1", body(short(7)))) == {"is_compatible": False}


# -- server errors -------------------------------------------------------------------------------
def test_unexpected_errors_answer_500_without_their_text(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: Any) -> list[str]:
        raise RuntimeError("secret /var/lib/hub internals")

    monkeypatch.setattr(registry, "subjects", broken)
    with TestClient(create_app(registry), raise_server_exceptions=False) as client:
        message = error(client.get("/subjects"), 500, 500)
    assert "secret" not in message


def test_store_failures_answer_confluents_store_error(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: Any) -> list[str]:
        raise StoreError("store postgresql://hub@db/hub: connection refused")

    monkeypatch.setattr(registry, "subjects", broken)
    with TestClient(create_app(registry)) as client:
        message = error(client.get("/subjects"), 500, 50001)
    assert "postgresql" not in message
