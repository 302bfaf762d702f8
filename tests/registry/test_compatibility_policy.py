"""The public interface: policies, the Difference record, and Confluent's compatible set."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

import hub.registry.compatibility as compatibility
from hub.registry.compatibility import (
    COMPATIBLE_CHANGES,
    Difference,
    DifferenceType,
    Policy,
    compare,
    incompatibilities,
)

OPEN: dict[str, Any] = {"type": "object", "properties": {"name": {"type": "string"}}}


def with_age(**extra: Any) -> dict[str, Any]:
    return {**OPEN, "properties": {**OPEN["properties"], "age": {"type": "integer"}}, **extra}


def test_strict_refuses_an_optional_property_added_to_an_open_model() -> None:
    [difference] = incompatibilities(OPEN, with_age())

    assert difference.type is DifferenceType.PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
    assert difference.path == "#/properties/age"
    assert "age" in difference.message


def test_lenient_accepts_an_optional_property_added_to_an_open_model() -> None:
    [difference] = compare(OPEN, with_age(), policy=Policy.LENIENT)

    assert difference.type is DifferenceType.PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
    assert difference.compatible
    assert incompatibilities(OPEN, with_age(), policy=Policy.LENIENT) == []


def test_lenient_still_refuses_a_required_property_added_to_an_open_model() -> None:
    [difference] = incompatibilities(OPEN, with_age(required=["age"]), policy=Policy.LENIENT)

    assert difference.type is DifferenceType.PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
    assert difference.path == "#/properties/age"


def test_lenient_relaxes_nothing_else() -> None:
    original = {"type": "object", "properties": {"a": {"type": "string"}}}
    update = {
        "type": "object",
        "properties": {"a": {"type": "integer"}},
        "additionalProperties": False,
    }

    strict = [(d.type, d.path) for d in incompatibilities(original, update)]
    lenient = [(d.type, d.path) for d in incompatibilities(original, update, policy=Policy.LENIENT)]

    assert (
        lenient
        == strict
        == [
            (DifferenceType.TYPE_CHANGED, "#/properties/a"),
            (DifferenceType.ADDITIONAL_PROPERTIES_REMOVED, "#/additionalProperties"),
        ]
    )


def test_lenient_applies_inside_alternatives_too() -> None:
    original = {"oneOf": [OPEN, {"type": "null"}]}
    update = {"oneOf": [with_age(), {"type": "null"}]}

    assert incompatibilities(original, update) != []
    assert incompatibilities(original, update, policy=Policy.LENIENT) == []


def test_policy_accepts_its_name() -> None:
    assert incompatibilities(OPEN, with_age(), policy="LENIENT") == []  # type: ignore[arg-type]
    assert Policy("STRICT") is Policy.STRICT


def test_backward_and_forward_are_the_two_directions_of_compare() -> None:
    closed = {**OPEN, "additionalProperties": False}
    closed_with_age = {**with_age(), "additionalProperties": False}

    assert incompatibilities(closed, closed_with_age) == []  # BACKWARD: old -> new
    [forward] = incompatibilities(closed_with_age, closed)  # FORWARD: new -> old
    assert forward.type is DifferenceType.PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL


def test_incompatibilities_are_the_incompatible_part_of_compare() -> None:
    original = {"type": "object", "title": "A", "properties": {"a": {"type": "string"}}}
    update = {"type": "object", "title": "B", "properties": {"a": {"type": "number"}}}

    everything = compare(original, update)

    assert [d.type for d in everything] == [
        DifferenceType.TITLE_CHANGED,
        DifferenceType.TYPE_CHANGED,
    ]
    assert incompatibilities(original, update) == [d for d in everything if not d.compatible]


def test_a_difference_is_a_frozen_record_with_a_readable_form() -> None:
    [difference] = compare({"type": "integer"}, {"type": "number"})

    assert difference == Difference(
        DifferenceType.TYPE_EXTENDED, "#/", "type widened from integer to number", True
    )
    assert (
        str(difference) == "TYPE_EXTENDED at #/ (compatible): type widened from integer to number"
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        difference.path = "#/x"  # type: ignore[misc]


def test_difference_types_are_confluents_names() -> None:
    assert all(kind.value == kind.name for kind in DifferenceType)
    assert DifferenceType("SUM_TYPE_EXTENDED") is DifferenceType.SUM_TYPE_EXTENDED
    assert len(DifferenceType) == 113  # Confluent's Difference.Type, reserved-property ones too


@pytest.mark.parametrize(
    ("kind", "compatible"),
    [
        ("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", False),
        ("PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", True),
        ("OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", True),
        ("REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", False),
        ("REQUIRED_ATTRIBUTE_ADDED", False),
        ("REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED", True),
        ("TYPE_EXTENDED", True),
        ("TYPE_NARROWED", False),
        ("ENUM_ARRAY_EXTENDED", True),
        ("ENUM_ARRAY_NARROWED", False),
        ("SUM_TYPE_EXTENDED", True),
        ("SUM_TYPE_NARROWED", False),
        ("PRODUCT_TYPE_NARROWED", True),
        ("PRODUCT_TYPE_EXTENDED", False),
        ("COMBINED_TYPE_EXTENDED", True),
        ("COMBINED_TYPE_CHANGED", False),
        ("NOT_TYPE_NARROWED", True),
        ("NOT_TYPE_EXTENDED", False),
        ("SCHEMA_REMOVED", True),
        ("SCHEMA_ADDED", False),
        ("ADDITIONAL_PROPERTIES_NARROWED", False),
        ("ITEM_ADDED_TO_CLOSED_CONTENT_MODEL", True),
        ("MULTIPLE_OF_REDUCED", True),
        ("MULTIPLE_OF_EXPANDED", False),
    ],
)
def test_the_compatible_set_is_confluents_strict_set(kind: str, compatible: bool) -> None:
    assert (DifferenceType(kind) in COMPATIBLE_CHANGES) is compatible


def test_the_compatible_set_is_exactly_confluents() -> None:
    # SchemaDiff.COMPATIBLE_CHANGES_STRICT, as listed in Confluent's source.
    confluent_strict = [
        "ID_CHANGED",
        "DESCRIPTION_CHANGED",
        "TITLE_CHANGED",
        "DEFAULT_CHANGED",
        "SCHEMA_REMOVED",
        "TYPE_EXTENDED",
        "MAX_LENGTH_INCREASED",
        "MAX_LENGTH_REMOVED",
        "MIN_LENGTH_DECREASED",
        "MIN_LENGTH_REMOVED",
        "PATTERN_REMOVED",
        "MAXIMUM_INCREASED",
        "MAXIMUM_REMOVED",
        "MINIMUM_DECREASED",
        "MINIMUM_REMOVED",
        "EXCLUSIVE_MAXIMUM_INCREASED",
        "EXCLUSIVE_MAXIMUM_REMOVED",
        "EXCLUSIVE_MINIMUM_DECREASED",
        "EXCLUSIVE_MINIMUM_REMOVED",
        "MULTIPLE_OF_REDUCED",
        "MULTIPLE_OF_REMOVED",
        "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED",
        "REQUIRED_ATTRIBUTE_REMOVED",
        "DEPENDENCY_ARRAY_NARROWED",
        "DEPENDENCY_ARRAY_REMOVED",
        "DEPENDENCY_SCHEMA_REMOVED",
        "MAX_PROPERTIES_INCREASED",
        "MAX_PROPERTIES_REMOVED",
        "MIN_PROPERTIES_DECREASED",
        "MIN_PROPERTIES_REMOVED",
        "ADDITIONAL_PROPERTIES_ADDED",
        "ADDITIONAL_PROPERTIES_EXTENDED",
        "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
        "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL",
        "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
        "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL",
        "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "MAX_ITEMS_INCREASED",
        "MAX_ITEMS_REMOVED",
        "MIN_ITEMS_DECREASED",
        "MIN_ITEMS_REMOVED",
        "UNIQUE_ITEMS_REMOVED",
        "ADDITIONAL_ITEMS_ADDED",
        "ADDITIONAL_ITEMS_EXTENDED",
        "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
        "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL",
        "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL",
        "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "ENUM_ARRAY_EXTENDED",
        "COMBINED_TYPE_EXTENDED",
        "PRODUCT_TYPE_NARROWED",
        "SUM_TYPE_EXTENDED",
        "NOT_TYPE_NARROWED",
    ]

    assert {str(kind) for kind in COMPATIBLE_CHANGES} == set(confluent_strict)
    assert len(confluent_strict) == 57


def test_the_public_names_are_exported_in_order() -> None:
    assert compatibility.__all__ == sorted(compatibility.__all__)
    assert set(compatibility.__all__) == {
        "COMPATIBLE_CHANGES",
        "Difference",
        "DifferenceType",
        "Policy",
        "compare",
        "incompatibilities",
    }


def test_the_inputs_are_not_modified() -> None:
    original = with_age()
    update = {"$ref": "#/$defs/x", "$defs": {"x": OPEN}}
    before = (repr(original), repr(update))

    compare(original, update)

    assert (repr(original), repr(update)) == before
