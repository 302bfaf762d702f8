"""The registry shared by processes: what ``hub run`` writes, Confluent's client reads through
``hub serve``, and what Confluent's serializer writes, a hub sink reads; ``hub schemas --url``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from hub.bench.registry import ServedRegistry, served_registry
from hub.log import LocalLog
from tests.e2e.support import HubCommand, all_records, write_text

PIPELINE = """
    pipeline: people
    topics:
      people:
        schema: {}
    sources:
      - name: in
        type: file
        topic: people
        config: {path: in/people.csv}
    sinks:
      - name: out
        type: file
        topics: [people]
        config: {path: out, format: jsonl}
"""
ORDER = {
    "type": "object",
    "properties": {"id": {"type": "integer"}, "item": {"type": "string"}},
    "required": ["id", "item"],
}


@pytest.fixture
def server(hub: HubCommand) -> Iterator[ServedRegistry]:
    with served_registry(hub.data_dir) as served:
        yield served


def log_values(data_dir: Path, topic: str) -> list[bytes]:
    with LocalLog(data_dir, read_only=True) as log:
        return [v for b in log.fetch(topic, 0, 0) for v in b.columns().values if v is not None]


def test_confluents_deserializer_reads_what_a_pipeline_wrote(
    hub: HubCommand, workdir: Path
) -> None:
    (workdir / "in").mkdir()
    (workdir / "in" / "people.csv").write_text("id,name\n1,ada\n2,grace\n")
    write_text(workdir / "people.yaml", PIPELINE)
    hub.ok("run", "people.yaml", "--once")

    with (
        served_registry(hub.data_dir) as served,
        SchemaRegistryClient({"url": served.url}) as client,
    ):
        deserializer = JSONDeserializer(None, schema_registry_client=client)
        context = SerializationContext("people", MessageField.VALUE)
        read = [deserializer(value, context) for value in log_values(hub.data_dir, "people")]
        latest = client.get_latest_version("people-value")

    assert read == [{"id": 1, "name": "ada"}, {"id": 2, "name": "grace"}]
    assert json.loads(latest.schema.schema_str)["additionalProperties"] is False


def test_a_hub_sink_reads_what_confluents_serializer_wrote(
    hub: HubCommand, workdir: Path, server: ServedRegistry
) -> None:
    with SchemaRegistryClient({"url": server.url}) as client:
        serializer = JSONSerializer(json.dumps(ORDER), client, conf={"auto.register.schemas": True})
        context = SerializationContext("orders", MessageField.VALUE)
        framed = [serializer({"id": i, "item": f"tea {i}"}, context) for i in range(3)]
    with LocalLog(hub.data_dir) as log:
        log.create_topic("orders")
        log.append_batch("orders", 0, framed)
    write_text(
        workdir / "orders.yaml",
        """
        pipeline: orders
        sinks:
          - name: out
            type: file
            topics: [orders]
            config: {path: out, format: jsonl}
        """,
    )

    hub.ok("run", "orders.yaml", "--once")

    written = sorted(all_records(workdir / "out"), key=lambda r: r["id"])
    assert written == [{"id": i, "item": f"tea {i}"} for i in range(3)]


def test_hub_schemas_works_against_a_server(
    hub: HubCommand, workdir: Path, server: ServedRegistry
) -> None:
    v1 = workdir / "v1.json"
    v1.write_bytes(orjson.dumps({**ORDER, "additionalProperties": False}))
    breaking = workdir / "breaking.json"
    breaking.write_bytes(orjson.dumps({"type": "object", "properties": {"id": {"type": "string"}}}))
    url = ("--url", server.url)

    registered = hub.ok("schemas", "register", "orders-value", str(v1), *url)
    listed = hub.json("schemas", "list", *url)
    checked = hub("schemas", "check", "orders-value", str(breaking), *url)
    hub.ok("schemas", "config", "orders-value", "--level", "FULL", *url)
    config = hub.json("schemas", "config", "orders-value", *url)

    assert registered.stdout == "orders-value: registered version 1, schema id 1\n"
    assert listed == [{"subject": "orders-value", "version": 1, "id": 1}]
    assert checked.returncode == 1
    assert "#/properties/id" in checked.stdout
    assert config["compatibilityLevel"] == "FULL"
    # The server keeps the registry of its data directory: the local view agrees.
    assert hub.json("schemas", "list") == listed


def test_a_server_with_a_token_needs_it_from_the_cli(hub: HubCommand, workdir: Path) -> None:
    from tests.e2e.support import child_environment

    with served_registry(hub.data_dir / "guarded", token="s3cret") as served:
        refused = hub("schemas", "list", "--url", served.url)
        allowed = hub(
            "schemas", "list", "--url", served.url, env=child_environment(HUB_API_TOKEN="s3cret")
        )

    assert refused.returncode == 1
    assert "--token or HUB_API_TOKEN" in refused.stderr
    assert "s3cret" not in refused.stderr
    assert allowed.returncode == 0, allowed.stderr
