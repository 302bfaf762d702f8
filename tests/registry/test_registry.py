"""The registry's rules (Confluent's), run against SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import pytest

from hub.errors import (
    IncompatibleSchemaError,
    InvalidSchemaError,
    RegistryRequestError,
    SchemaDeleteError,
    SchemaNotFoundError,
)
from hub.registry import Compatibility, Mode, Policy, Registry
from hub.store import Store
from tests.registry.examples import CLOSED, CLOSED_WITH_NAME, PERSON, PERSON_WITH_AGE


@pytest.fixture
def registry(store: Store) -> Registry:
    return Registry(store)


def error_code(excinfo: pytest.ExceptionInfo[Exception]) -> int:
    return excinfo.value.error_code  # type: ignore[attr-defined, no-any-return]


def test_first_registration_is_version_one_with_an_id(registry: Registry) -> None:
    schema_id = registry.register("people-value", PERSON)

    found = registry.version("people-value", 1)
    assert (found.id, found.version, found.parsed()) == (schema_id, 1, PERSON)
    assert registry.subjects() == ["people-value"]
    assert registry.versions("people-value") == [1]


def test_the_same_schema_in_any_key_order_has_one_id_in_every_subject(registry: Registry) -> None:
    first = registry.register(
        "a-value", '{"type": "object", "properties": {"x": {"type": "string"}}}'
    )
    second = registry.register("b-value", '{"properties":{"x":{"type":"string"}},"type":"object"}')

    assert first == second
    assert registry.usages(first) == [("a-value", 1), ("b-value", 1)]


def test_registering_an_existing_schema_returns_its_id_and_adds_no_version(
    registry: Registry,
) -> None:
    schema_id = registry.register("people-value", PERSON)

    assert registry.register("people-value", dict(reversed(PERSON.items()))) == schema_id
    assert registry.versions("people-value") == [1]


def test_the_text_kept_is_the_first_registered_with_its_property_order(registry: Registry) -> None:
    text = '{"type":"object","properties":{"zeta":{"type":"string"},"alpha":{"type":"integer"}}}'
    schema_id = registry.register("s", text)

    assert list(registry.schema(schema_id).parsed()["properties"]) == ["zeta", "alpha"]


def test_a_compatible_change_adds_a_version(registry: Registry) -> None:
    registry.register("closed", CLOSED)
    new_id = registry.register("closed", CLOSED_WITH_NAME)

    assert registry.versions("closed") == [1, 2]
    assert registry.version("closed", "latest").id == new_id
    assert registry.version("closed", -1).version == 2


def test_an_incompatible_change_is_refused_with_every_reason(registry: Registry) -> None:
    registry.register("people-value", PERSON)

    with pytest.raises(IncompatibleSchemaError) as excinfo:
        registry.register("people-value", PERSON_WITH_AGE)

    assert error_code(excinfo) == 409
    [found] = excinfo.value.incompatibilities
    assert found.type == "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"
    assert found.path == "#/properties/age"
    assert "#/properties/age" in str(excinfo.value)
    assert registry.versions("people-value") == [1]


def test_lenient_policy_lets_an_optional_property_join_an_open_model(registry: Registry) -> None:
    registry.register("people-value", PERSON)
    registry.set_config("people-value", policy="lenient")

    registry.register("people-value", PERSON_WITH_AGE)

    assert registry.policy("people-value") is Policy.LENIENT
    assert registry.versions("people-value") == [1, 2]


def test_level_none_accepts_anything(registry: Registry) -> None:
    registry.register("s", PERSON)
    registry.set_config("s", compatibility="NONE")

    registry.register("s", {"type": "integer"})

    assert registry.versions("s") == [1, 2]


def test_transitive_levels_check_every_version_the_others_only_the_latest(
    registry: Registry,
) -> None:
    v1 = {"type": "object", "properties": {"a": {"type": "string", "maxLength": 5}}}
    v2 = {"type": "object", "properties": {"a": {"type": "string", "maxLength": 10}}}
    registry.set_config(compatibility="NONE")
    registry.register("s", v1)
    registry.register("s", v2)
    # FORWARD: readers of older versions must read data written with the new one.
    narrower = {"type": "object", "properties": {"a": {"type": "string", "maxLength": 7}}}
    registry.set_config("s", compatibility="FORWARD")
    assert registry.check("s", narrower) == []
    registry.set_config("s", compatibility="FORWARD_TRANSITIVE")
    found = registry.check("s", narrower)
    assert [(i.version, i.direction) for i in found] == [(1, "forward")]
    assert found[0].type == "MAX_LENGTH_DECREASED"


def test_full_checks_both_directions(registry: Registry) -> None:
    registry.register("s", CLOSED)
    registry.set_config("s", compatibility=Compatibility.FULL)

    found = registry.check("s", CLOSED_WITH_NAME)

    assert {i.direction for i in found} == {"forward"}


def test_check_against_a_named_version(registry: Registry) -> None:
    registry.set_config(compatibility="NONE")
    registry.register("s", PERSON)
    registry.register("s", {"type": "integer"})
    registry.set_config(compatibility="BACKWARD")

    assert registry.check("s", PERSON, 1) == []
    assert registry.check("s", PERSON, "latest") != []
    with pytest.raises(SchemaNotFoundError) as excinfo:
        registry.check("s", PERSON, 7)
    assert error_code(excinfo) == 40402


def test_check_of_an_unknown_subject_is_compatible_unless_a_version_is_named(
    registry: Registry,
) -> None:
    assert registry.check("nobody", PERSON) == []
    with pytest.raises(SchemaNotFoundError) as excinfo:
        registry.check("nobody", PERSON, "latest")
    assert error_code(excinfo) == 40401


def test_lookup_finds_the_version_holding_a_schema(registry: Registry) -> None:
    registry.set_config(compatibility="NONE")
    registry.register("s", PERSON)
    schema_id = registry.register("s", CLOSED)

    found = registry.lookup("s", dict(reversed(CLOSED.items())))

    assert (found.version, found.id) == (2, schema_id)


@pytest.mark.parametrize(
    ("subject", "schema", "code"),
    [("nobody", PERSON, 40401), ("s", CLOSED, 40403)],
)
def test_lookup_misses_name_what_is_missing(
    registry: Registry, subject: str, schema: dict[str, object], code: int
) -> None:
    registry.register("s", PERSON)

    with pytest.raises(SchemaNotFoundError) as excinfo:
        registry.lookup(subject, schema)

    assert error_code(excinfo) == code


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ('"a string"', "object or a boolean"),
        ('{"type": "strnig"}', "type"),
        ('{"$ref": "#/$defs/missing"}', "#/$defs/missing"),
    ],
)
def test_invalid_schemas_are_refused_with_42201(
    registry: Registry, text: str, fragment: str
) -> None:
    with pytest.raises(InvalidSchemaError) as excinfo:
        registry.register("s", text)

    assert error_code(excinfo) == 42201
    assert fragment in str(excinfo.value)
    assert registry.subjects(deleted=True) == []


def test_other_schema_types_are_refused(registry: Registry) -> None:
    with pytest.raises(InvalidSchemaError, match="AVRO"):
        registry.register("s", '{"type": "record"}', schema_type="AVRO")


@pytest.mark.parametrize("version", [0, -2, "x", "1.5", 2**31])
def test_bad_version_numbers_are_42202(registry: Registry, version: object) -> None:
    registry.register("s", PERSON)

    with pytest.raises(RegistryRequestError) as excinfo:
        registry.version("s", version)  # type: ignore[arg-type]

    assert error_code(excinfo) == 42202


def test_soft_deleted_versions_hide_until_asked_for(registry: Registry) -> None:
    registry.set_config(compatibility="NONE")
    first = registry.register("s", PERSON)
    registry.register("s", CLOSED)

    assert registry.delete_version("s", 1) == 1

    assert registry.versions("s") == [2]
    assert registry.versions("s", deleted=True) == [1, 2]
    assert registry.version("s", 1, deleted=True).deleted
    with pytest.raises(SchemaNotFoundError) as excinfo:
        registry.version("s", 1)
    assert error_code(excinfo) == 40402
    assert registry.schema(first).parsed() == PERSON  # ids stay readable


def test_versions_are_never_reused_after_a_soft_delete(registry: Registry) -> None:
    registry.register("s", PERSON)
    registry.delete_version("s", 1)

    registry.register("s", CLOSED)

    assert registry.versions("s") == [2]


def test_permanent_delete_needs_a_soft_delete_first(registry: Registry) -> None:
    registry.register("s", PERSON)

    with pytest.raises(SchemaDeleteError) as excinfo:
        registry.delete_version("s", 1, permanent=True)
    assert error_code(excinfo) == 40407

    registry.delete_version("s", 1)
    with pytest.raises(SchemaDeleteError) as excinfo:
        registry.delete_version("s", 1)
    assert error_code(excinfo) == 40406

    assert registry.delete_version("s", 1, permanent=True) == 1
    assert registry.subjects(deleted=True) == []


def test_subject_deletes_follow_the_same_order(registry: Registry) -> None:
    registry.set_config(compatibility="NONE")
    registry.register("s", PERSON)
    registry.register("s", CLOSED)
    registry.set_config("s", compatibility="FULL")

    with pytest.raises(SchemaDeleteError) as excinfo:
        registry.delete_subject("s", permanent=True)
    assert error_code(excinfo) == 40405

    assert registry.delete_subject("s") == [1, 2]
    assert registry.subjects() == []
    assert registry.subjects(deleted=True) == ["s"]
    with pytest.raises(SchemaDeleteError) as excinfo:
        registry.delete_subject("s")
    assert error_code(excinfo) == 40404

    assert registry.delete_subject("s", permanent=True) == [1, 2]
    assert registry.subjects(deleted=True) == []
    with pytest.raises(SchemaNotFoundError):  # its own level went with it
        registry.compatibility("s", default_to_global=False)
    with pytest.raises(SchemaNotFoundError) as excinfo:
        registry.delete_subject("s")
    assert error_code(excinfo) == 40401


def test_a_soft_deleted_schema_can_be_registered_again_as_a_new_version(
    registry: Registry,
) -> None:
    schema_id = registry.register("s", PERSON)
    registry.delete_subject("s")

    assert registry.register("s", PERSON) == schema_id
    assert registry.versions("s") == [2]


def test_subject_level_config_overrides_the_global_one(registry: Registry) -> None:
    registry.set_config(compatibility="FULL")
    registry.set_config("s", compatibility="NONE")

    assert registry.compatibility() is Compatibility.FULL
    assert registry.compatibility("s") is Compatibility.NONE
    assert registry.compatibility("other") is Compatibility.FULL
    with pytest.raises(SchemaNotFoundError) as excinfo:
        registry.compatibility("other", default_to_global=False)
    assert error_code(excinfo) == 40408

    assert registry.delete_config("s") is Compatibility.NONE
    assert registry.compatibility("s") is Compatibility.FULL
    assert registry.delete_config() is Compatibility.FULL
    assert registry.compatibility() is Compatibility.BACKWARD


def test_an_unknown_level_is_42203(registry: Registry) -> None:
    with pytest.raises(RegistryRequestError) as excinfo:
        registry.set_config(compatibility="SIDEWAYS")

    assert error_code(excinfo) == 42203


def test_read_only_mode_refuses_writes(registry: Registry) -> None:
    registry.register("s", PERSON)
    registry.set_mode("s", "READONLY")

    with pytest.raises(RegistryRequestError) as excinfo:
        registry.register("s", CLOSED)
    assert error_code(excinfo) == 42205
    with pytest.raises(RegistryRequestError):
        registry.delete_subject("s")
    registry.register("t", CLOSED)  # other subjects stay writable

    assert registry.delete_mode("s") is Mode.READONLY
    assert registry.mode("s") is Mode.READWRITE


def test_import_mode_keeps_the_given_ids_and_versions(registry: Registry) -> None:
    registry.set_mode(None, "IMPORT")

    assert registry.register("s", PERSON, schema_id=42, version=3) == 42
    assert registry.register("s", {"type": "integer"}, schema_id=7, version=4) == 7  # no check

    assert registry.versions("s") == [3, 4]
    assert registry.schema(42).parsed() == PERSON
    with pytest.raises(RegistryRequestError, match="taken"):
        registry.register("t", CLOSED, schema_id=42, version=1)


def test_import_mode_needs_an_empty_registry_unless_forced(registry: Registry) -> None:
    registry.register("s", PERSON)

    with pytest.raises(RegistryRequestError) as excinfo:
        registry.set_mode(None, "IMPORT")
    assert error_code(excinfo) == 42205

    assert registry.set_mode(None, "IMPORT", force=True) is Mode.IMPORT


def test_ids_and_versions_can_only_be_chosen_in_import_mode(registry: Registry) -> None:
    with pytest.raises(RegistryRequestError, match="import mode"):
        registry.register("s", PERSON, schema_id=5)


def test_unknown_mode_is_42204(registry: Registry) -> None:
    with pytest.raises(RegistryRequestError) as excinfo:
        registry.set_mode(None, "READMOSTLY")

    assert error_code(excinfo) == 42204


def test_two_registries_on_one_store_share_ids(store: Store) -> None:
    first, second = Registry(store), Registry(store)

    schema_id = first.register("s", PERSON)

    assert second.lookup("s", PERSON).id == schema_id
    assert second.register("t", PERSON) == schema_id
