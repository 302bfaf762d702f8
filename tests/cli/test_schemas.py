"""``hub schemas`` on the local data directory (the same commands against a server with
``--url`` are tested with ``hub serve`` in ``tests/api``)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tests.cli.conftest import Hub, ok

V1 = {"type": "object", "properties": {"id": {"type": "integer"}}, "additionalProperties": False}
V2 = {
    "type": "object",
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    "additionalProperties": False,
}
BREAKING = {
    "type": "object",
    "properties": {"id": {"type": "string"}},
    "additionalProperties": False,
}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    found = {}
    for name, schema in (("v1", V1), ("v2", V2), ("breaking", BREAKING)):
        found[name] = tmp_path / f"{name}.json"
        found[name].write_bytes(orjson.dumps(schema))
    return found


def test_register_then_list_and_show(hub: Hub, files: dict[str, Path]) -> None:
    first = ok(hub("schemas", "register", "orders-value", str(files["v1"])))
    assert first.stdout == "orders-value: registered version 1, schema id 1\n"
    again = ok(hub("schemas", "register", "orders-value", str(files["v1"])))
    assert again.stdout == "orders-value: already registered as version 1, schema id 1\n"
    ok(hub("schemas", "register", "orders-value", str(files["v2"])))

    listed = orjson.loads(ok(hub("schemas", "list", "--json")).stdout)
    assert listed == [{"subject": "orders-value", "version": 2, "id": 2}]
    shown = orjson.loads(ok(hub("schemas", "show", "orders-value", "--json")).stdout)
    assert shown == {
        "subject": "orders-value",
        "version": 2,
        "id": 2,
        "schemaType": "JSON",
        "schema": V2,
    }
    old = orjson.loads(
        ok(hub("schemas", "show", "orders-value", "--version", "1", "--json")).stdout
    )
    assert old["schema"] == V1


def test_check_prints_each_incompatibility_and_exits_1(hub: Hub, files: dict[str, Path]) -> None:
    ok(hub("schemas", "register", "orders-value", str(files["v1"])))

    compatible = ok(hub("schemas", "check", "orders-value", str(files["v2"])))
    assert compatible.stdout == "orders-value: compatible (BACKWARD)\n"
    broken = hub("schemas", "check", "orders-value", str(files["breaking"]))
    assert broken.exit_code == 1
    assert "incompatible (BACKWARD)" in broken.stdout
    assert "TYPE_CHANGED at #/properties/id" in broken.stdout or "#/properties/id" in broken.stdout


def test_check_as_json(hub: Hub, files: dict[str, Path]) -> None:
    ok(hub("schemas", "register", "orders-value", str(files["v1"])))

    result = hub("schemas", "check", "orders-value", str(files["breaking"]), "--json")

    document = orjson.loads(result.stdout)
    assert result.exit_code == 1
    assert document["is_compatible"] is False
    assert {i["path"] for i in document["incompatibilities"]} == {"#/properties/id"}


def test_register_refuses_an_incompatible_schema(hub: Hub, files: dict[str, Path]) -> None:
    ok(hub("schemas", "register", "orders-value", str(files["v1"])))

    result = hub("schemas", "register", "orders-value", str(files["breaking"]))

    assert result.exit_code == 1
    assert "incompatible with subject 'orders-value'" in result.stderr
    assert "#/properties/id" in result.stderr


def test_config_shows_and_sets_levels_and_policies(hub: Hub) -> None:
    assert ok(hub("schemas", "config")).stdout == "global: BACKWARD (STRICT)\n"
    ok(hub("schemas", "config", "orders-value", "--level", "full", "--policy", "lenient"))

    shown = orjson.loads(ok(hub("schemas", "config", "orders-value", "--json")).stdout)
    assert shown == {
        "subject": "orders-value",
        "compatibilityLevel": "FULL",
        "compatibilityPolicy": "LENIENT",
    }
    assert ok(hub("schemas", "config")).stdout == "global: BACKWARD (STRICT)\n"


def test_an_unknown_subject_is_a_clear_error(hub: Hub) -> None:
    result = hub("schemas", "show", "nobody")

    assert result.exit_code == 1
    assert "subject 'nobody' not found" in result.stderr


def test_an_invalid_schema_file_is_a_clear_error(hub: Hub, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "object", "properties": {"id": {"type": "strnig"}}}')

    result = hub("schemas", "register", "orders-value", str(bad))

    assert result.exit_code == 1
    assert "not a valid JSON Schema at properties/id/type" in result.stderr


def test_an_unreachable_server_names_the_url(hub: Hub, files: dict[str, Path]) -> None:
    result = hub("schemas", "list", "--url", "http://127.0.0.1:9")

    assert result.exit_code == 1
    assert "cannot reach the schema registry at http://127.0.0.1:9" in result.stderr
