"""``/config`` and ``/mode``: Confluent's shapes and codes, plus the compatibility policy."""

from __future__ import annotations

from tests.api.conftest import TestClient, body, error, ok, post, put, register
from tests.registry.examples import PERSON, PERSON_WITH_AGE


# -- config --------------------------------------------------------------------------------------
def test_global_config_defaults_changes_and_resets(client: TestClient) -> None:
    default = {"compatibilityLevel": "BACKWARD", "compatibilityPolicy": "STRICT"}
    assert ok(client.get("/config")) == default
    assert ok(put(client, "/config", {"compatibility": "full"})) == {"compatibility": "FULL"}
    assert ok(client.get("/config"))["compatibilityLevel"] == "FULL"
    assert ok(client.delete("/config")) == {"compatibilityLevel": "FULL"}
    assert ok(client.get("/config")) == default


def test_subject_config_has_no_level_of_its_own_until_set(client: TestClient) -> None:
    ok(put(client, "/config", {"compatibility": "FORWARD"}))
    error(client.get("/config/people-value"), 404, 40408)
    global_level = ok(client.get("/config/people-value?defaultToGlobal=true"))
    assert global_level["compatibilityLevel"] == "FORWARD"

    assert ok(put(client, "/config/people-value", {"compatibility": "NONE"})) == {
        "compatibility": "NONE"
    }
    assert ok(client.get("/config/people-value"))["compatibilityLevel"] == "NONE"
    assert ok(client.delete("/config/people-value")) == {"compatibilityLevel": "NONE"}
    error(client.delete("/config/people-value"), 404, 40401)
    error(client.get("/config/people-value"), 404, 40408)


def test_config_policy_is_an_extension_set_alone_or_with_a_level(client: TestClient) -> None:
    echoed = ok(put(client, "/config/things-value", {"compatibilityPolicy": "lenient"}))
    assert echoed == {"compatibilityPolicy": "LENIENT"}
    found = ok(client.get("/config/things-value?defaultToGlobal=true"))
    assert found == {"compatibilityLevel": "BACKWARD", "compatibilityPolicy": "LENIENT"}
    both = {"compatibility": "FULL", "compatibilityPolicy": "STRICT"}
    assert ok(put(client, "/config", both)) == both


def test_invalid_config_requests(client: TestClient) -> None:
    error(put(client, "/config", {"compatibility": "SIDEWAYS"}), 422, 42203)
    error(put(client, "/config/people-value", {}), 422, 42203)
    error(put(client, "/config", {"compatibilityPolicy": "LOOSE"}), 422, 42203)


# -- modes ---------------------------------------------------------------------------------------
def test_modes_global_and_per_subject(client: TestClient) -> None:
    assert ok(client.get("/mode")) == {"mode": "READWRITE"}
    error(client.get("/mode/people-value"), 404, 40409)
    assert ok(client.get("/mode/people-value?defaultToGlobal=true")) == {"mode": "READWRITE"}

    assert ok(put(client, "/mode/people-value", {"mode": "readonly"})) == {"mode": "READONLY"}
    assert ok(client.get("/mode/people-value")) == {"mode": "READONLY"}
    error(post(client, "/subjects/people-value/versions", body(PERSON)), 422, 42205)
    assert ok(client.delete("/mode/people-value")) == {"mode": "READONLY"}
    error(client.delete("/mode/people-value"), 404, 40401)
    register(client, "people-value", PERSON)
    error(put(client, "/mode", {"mode": "SLEEPY"}), 422, 42204)


def test_import_mode_keeps_given_ids_and_versions(client: TestClient) -> None:
    register(client, "people-value", PERSON)
    error(put(client, "/mode", {"mode": "IMPORT"}), 422, 42205)
    error(post(client, "/subjects/copied/versions", body(PERSON_WITH_AGE, id=77)), 422, 42205)
    assert ok(put(client, "/mode/copied", {"mode": "IMPORT"})) == {"mode": "IMPORT"}

    answer = post(client, "/subjects/copied/versions", body(PERSON_WITH_AGE, id=77, version=5))

    assert ok(answer) == {"id": 77}
    negative = post(client, "/subjects/copied/versions", body(PERSON, id=-5))
    assert "from 1 to 2147483647" in error(negative, 422, 422)
    assert ok(client.get("/subjects/copied/versions/latest"))["version"] == 5
    assert ok(put(client, "/mode?force=true", {"mode": "IMPORT"})) == {"mode": "IMPORT"}
