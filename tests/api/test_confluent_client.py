"""Confluent's own Python client and JSON serializers against a real ``hub serve`` process."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient, SchemaRegistryError
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext, SerializationError

from hub.bench.registry import ServedRegistry, served_registry
from tests.registry.examples import PERSON, PERSON_WITH_AGE

TOKEN = "hub-test-token"
ORDER = {
    "type": "object",
    "properties": {"id": {"type": "integer"}, "item": {"type": "string"}},
    "required": ["id", "item"],
    "additionalProperties": False,
}


def json_schema(document: object) -> Schema:
    return Schema(json.dumps(document), "JSON")


def wait_healthy(url: str, timeout: float = 20.0) -> None:
    """Poll ``/health`` until it answers 200 (it needs no token)."""
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=url, timeout=2.0) as http:
        while time.monotonic() < deadline:
            try:
                if http.get("/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
    raise AssertionError(f"{url}/health never answered")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedRegistry]:
    with served_registry(tmp_path_factory.mktemp("serve")) as served:
        wait_healthy(served.url)
        yield served
    assert served.process.returncode == 0, Path(served.log).read_text()


@pytest.fixture
def client(server: ServedRegistry) -> Iterator[SchemaRegistryClient]:
    with SchemaRegistryClient({"url": server.url}) as opened:
        yield opened


def test_register_and_read_back_every_way(client: SchemaRegistryClient) -> None:
    schema_id = client.register_schema("people-value", json_schema(PERSON))

    latest = client.get_latest_version("people-value")
    assert (latest.schema_id, latest.version, latest.subject) == (schema_id, 1, "people-value")
    assert json.loads(latest.schema.schema_str or "null") == PERSON
    assert latest.schema.schema_type == "JSON"
    found = client.lookup_schema("people-value", json_schema(PERSON))
    assert (found.schema_id, found.version) == (schema_id, 1)
    assert client.get_versions("people-value") == [1]
    by_id = client.get_schema(schema_id)
    assert (json.loads(by_id.schema_str or "null"), by_id.schema_type) == (PERSON, "JSON")
    assert "people-value" in client.get_subjects()
    assert client.register_schema("people-value", json_schema(PERSON)) == schema_id


def test_unknown_subjects_raise_confluents_error(client: SchemaRegistryClient) -> None:
    with pytest.raises(SchemaRegistryError) as excinfo:
        client.get_latest_version("nobody-value")
    assert (excinfo.value.http_status_code, excinfo.value.error_code) == (404, 40401)


def test_compatibility_checks_and_levels(client: SchemaRegistryClient) -> None:
    client.register_schema("compat-value", json_schema(PERSON))

    assert client.test_compatibility("compat-value", json_schema(PERSON)) is True
    assert client.test_compatibility("compat-value", json_schema(PERSON_WITH_AGE)) is False
    assert client.test_compatibility_all_versions("compat-value", json_schema(PERSON)) is True
    with pytest.raises(SchemaRegistryError) as excinfo:
        client.register_schema("compat-value", json_schema(PERSON_WITH_AGE))
    assert excinfo.value.error_code == 409

    client.set_compatibility("compat-value", "NONE")

    assert client.get_compatibility("compat-value") == "NONE"
    assert client.get_compatibility() == "BACKWARD"
    assert client.test_compatibility("compat-value", json_schema(PERSON_WITH_AGE)) is True
    assert client.register_schema("compat-value", json_schema(PERSON_WITH_AGE)) > 0
    assert client.get_versions("compat-value") == [1, 2]


def test_subjects_are_deleted_soft_then_permanently(client: SchemaRegistryClient) -> None:
    client.register_schema("gone-value", json_schema(PERSON))

    assert client.delete_subject("gone-value") == [1]
    assert "gone-value" not in client.get_subjects()
    assert "gone-value" in client.get_subjects(deleted=True)
    assert client.delete_subject("gone-value", permanent=True) == [1]

    assert "gone-value" not in client.get_subjects(deleted=True)
    with pytest.raises(SchemaRegistryError) as excinfo:
        client.get_versions("gone-value")
    assert excinfo.value.error_code == 40401


def test_serializers_round_trip_with_auto_registration(client: SchemaRegistryClient) -> None:
    serializer = JSONSerializer(json.dumps(ORDER), client, conf={"auto.register.schemas": True})
    deserializer = JSONDeserializer(json.dumps(ORDER), schema_registry_client=client)
    context = SerializationContext("orders", MessageField.VALUE)
    record = {"id": 7, "item": "tea"}

    framed = serializer(record, context)

    assert framed is not None
    schema_id = client.get_latest_version("orders-value").schema_id
    assert framed[0] == 0
    assert int.from_bytes(framed[1:5], "big") == schema_id
    assert deserializer(framed, context) == record


def test_the_serializer_refuses_a_record_the_schema_rejects(client: SchemaRegistryClient) -> None:
    serializer = JSONSerializer(json.dumps(ORDER), client, conf={"auto.register.schemas": True})
    context = SerializationContext("orders", MessageField.VALUE)

    with pytest.raises(SerializationError):
        serializer({"id": "seven", "item": "tea"}, context)


# -- a server with a token -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedRegistry]:
    directory = tmp_path_factory.mktemp("guarded")
    with served_registry(directory, args=("--token", TOKEN)) as served:
        wait_healthy(served.url)
        yield served


def test_a_client_without_the_token_is_refused(guarded: ServedRegistry) -> None:
    with (
        SchemaRegistryClient({"url": guarded.url}) as client,
        pytest.raises(SchemaRegistryError) as excinfo,
    ):
        client.get_subjects()
    assert (excinfo.value.http_status_code, excinfo.value.error_code) == (401, 401)
    assert "token" in excinfo.value.error_message
    assert TOKEN not in Path(guarded.log).read_text()


def test_a_client_with_a_static_bearer_token_is_served(guarded: ServedRegistry) -> None:
    config = {
        "url": guarded.url,
        "bearer.auth.credentials.source": "STATIC_TOKEN",
        "bearer.auth.token": TOKEN,
        "bearer.auth.logical.cluster": "hub",  # required by the client, ignored by hub
    }
    with SchemaRegistryClient(config) as client:
        schema_id = client.register_schema("secure-value", json_schema(PERSON))
        assert client.get_schema(schema_id).schema_type == "JSON"


def test_a_client_with_basic_auth_gives_the_token_as_password(guarded: ServedRegistry) -> None:
    config = {"url": guarded.url, "basic.auth.user.info": f"hub:{TOKEN}"}
    with SchemaRegistryClient(config) as client:
        assert isinstance(client.get_subjects(), list)
