"""Object rules: content models, required properties, dependencies, property bounds."""

from __future__ import annotations

from typing import Any

import pytest

from hub.registry.compatibility import compare

Found = list[tuple[str, str, bool]]


def found(original: Any, update: Any) -> Found:
    return [(str(d.type), d.path, d.compatible) for d in compare(original, update)]


def obj(**keywords: Any) -> dict[str, Any]:
    return {"type": "object", **keywords}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
CLOSED = {"additionalProperties": False}


@pytest.mark.parametrize(
    ("original", "update", "expected"),
    [
        pytest.param(
            obj(properties={"a": STRING}),
            obj(properties={"a": STRING, "b": STRING}),
            [("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "#/properties/b", False)],
            id="adding_a_property_to_an_open_model_is_incompatible",
        ),
        pytest.param(
            obj(properties={"a": STRING}, additionalProperties=True),
            obj(properties={"a": STRING, "b": {}}, additionalProperties=True),
            [("PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", "#/properties/b", True)],
            id="adding_an_empty_schema_property_to_an_open_model_is_compatible",
        ),
        pytest.param(
            obj(properties={"a": STRING}, **CLOSED),
            obj(properties={"a": STRING, "b": INTEGER}, **CLOSED),
            [("OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "#/properties/b", True)],
            id="adding_an_optional_property_to_a_closed_model_is_compatible",
        ),
        pytest.param(
            obj(properties={"a": STRING}, **CLOSED),
            obj(properties={"a": STRING, "b": INTEGER}, required=["b"], **CLOSED),
            [("REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "#/properties/b", False)],
            id="adding_a_required_property_to_a_closed_model_is_incompatible",
        ),
        pytest.param(
            obj(properties={"a": STRING}, **CLOSED),
            obj(properties={"a": STRING, "b": {**INTEGER, "default": 0}}, required=["b"], **CLOSED),
            [
                (
                    "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL",
                    "#/properties/b",
                    True,
                )
            ],
            id="adding_a_required_property_with_a_default_to_a_closed_model_is_compatible",
        ),
        pytest.param(
            obj(additionalProperties=STRING),
            obj(additionalProperties=STRING, properties={"b": {**STRING, "maxLength": 3}}),
            [
                ("MAX_LENGTH_ADDED", "#/properties/b/maxLength", False),
                (
                    "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
                    "#/properties/b",
                    False,
                ),
                ("OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "#/properties/b", True),
            ],
            id="adding_a_property_narrower_than_additional_properties_is_incompatible",
        ),
        pytest.param(
            obj(patternProperties={"^i_": INTEGER}, **CLOSED),
            obj(
                patternProperties={"^i_": INTEGER}, properties={"i_x": {"type": "number"}}, **CLOSED
            ),
            [
                ("TYPE_EXTENDED", "#/properties/i_x", True),
                (
                    "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
                    "#/properties/i_x",
                    True,
                ),
                ("OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "#/properties/i_x", True),
            ],
            id="adding_a_property_wider_than_its_pattern_is_compatible",
        ),
        pytest.param(
            obj(patternProperties={"^i_": INTEGER}),
            obj(patternProperties={"^i_": INTEGER}, properties={"s": STRING}),
            [("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "#/properties/s", False)],
            id="a_name_no_pattern_matches_falls_back_to_the_open_additional_properties",
        ),
        pytest.param(
            obj(properties={"a": STRING, "b": STRING}),
            obj(properties={"a": STRING}),
            [("PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL", "#/properties/b", True)],
            id="removing_a_property_from_an_open_model_is_compatible",
        ),
        pytest.param(
            obj(properties={"a": STRING, "b": STRING}, **CLOSED),
            obj(properties={"a": STRING}, **CLOSED),
            [("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", "#/properties/b", False)],
            id="removing_a_property_from_a_closed_model_is_incompatible",
        ),
        pytest.param(
            obj(properties={"a": STRING, "b": False}, **CLOSED),
            obj(properties={"a": STRING}, **CLOSED),
            [("PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL", "#/properties/b", True)],
            id="removing_a_false_property_from_a_closed_model_is_compatible",
        ),
        pytest.param(
            obj(properties={"b": STRING}, **CLOSED),
            obj(additionalProperties=STRING),
            [
                (
                    "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
                    "#/properties/b",
                    True,
                ),
                ("ADDITIONAL_PROPERTIES_ADDED", "#/additionalProperties", True),
            ],
            id="removing_a_property_covered_by_additional_properties_is_compatible",
        ),
        pytest.param(
            obj(properties={"i_b": {"type": "number"}}, **CLOSED),
            obj(patternProperties={"^i_": INTEGER}, **CLOSED),
            [
                ("TYPE_NARROWED", "#/properties/i_b", False),
                (
                    "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
                    "#/properties/i_b",
                    False,
                ),
            ],
            id="removing_a_property_its_pattern_rejects_is_incompatible",
        ),
        pytest.param(
            obj(properties={"ab": STRING}, **CLOSED),
            obj(patternProperties={"^a": STRING, "b$": {**STRING, "maxLength": 2}}, **CLOSED),
            [
                ("MAX_LENGTH_ADDED", "#/properties/ab/maxLength", False),
                (
                    "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
                    "#/properties/ab",
                    False,
                ),
            ],
            id="a_removed_property_must_fit_every_pattern_matching_its_name",
        ),
    ],
)
def test_properties_under_each_content_model(original: Any, update: Any, expected: Found) -> None:
    assert found(original, update) == expected


@pytest.mark.parametrize(
    ("original", "update", "expected"),
    [
        pytest.param(
            obj(properties={"a": STRING}),
            obj(properties={"a": STRING}, required=["a"]),
            [("REQUIRED_ATTRIBUTE_ADDED", "#/required/a", False)],
            id="requiring_an_existing_property_is_incompatible",
        ),
        pytest.param(
            obj(properties={"a": STRING}),
            obj(properties={"a": {**STRING, "default": ""}}, required=["a"]),
            [
                ("REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED", "#/required/a", True),
                ("DEFAULT_CHANGED", "#/properties/a", True),
            ],
            id="requiring_a_property_that_has_a_default_is_compatible",
        ),
        pytest.param(
            obj(properties={"a": STRING}, required=["a"]),
            obj(properties={"a": STRING}),
            [("REQUIRED_ATTRIBUTE_REMOVED", "#/required/a", True)],
            id="no_longer_requiring_a_property_is_compatible",
        ),
        pytest.param(
            obj(),
            obj(required=["ghost"]),
            [("REQUIRED_ATTRIBUTE_ADDED", "#/required/ghost", False)],
            id="requiring_an_undeclared_name_is_incompatible",
        ),
        pytest.param(
            obj(properties={"a": STRING}, required=["a"]),
            obj(properties={"a": STRING}, required=["ghost"]),
            [
                ("REQUIRED_ATTRIBUTE_REMOVED", "#/required/a", True),
                ("REQUIRED_ATTRIBUTE_ADDED", "#/required/ghost", False),
            ],
            id="swapping_the_required_name_for_an_undeclared_one_is_incompatible",
        ),
        pytest.param(
            obj(properties={"a": STRING}),
            obj(properties={"a": STRING, "b": STRING}, required=["b"]),
            [("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "#/properties/b", False)],
            id="a_required_property_added_to_an_open_model_is_reported_once",
        ),
    ],
)
def test_required_properties(original: Any, update: Any, expected: Found) -> None:
    assert found(original, update) == expected


@pytest.mark.parametrize(
    ("original", "update", "expected"),
    [
        pytest.param(
            obj(additionalProperties=False),
            obj(),
            [("ADDITIONAL_PROPERTIES_ADDED", "#/additionalProperties", True)],
            id="opening_a_closed_model_is_compatible",
        ),
        pytest.param(
            obj(),
            obj(additionalProperties=False),
            [("ADDITIONAL_PROPERTIES_REMOVED", "#/additionalProperties", False)],
            id="closing_an_open_model_is_incompatible",
        ),
        pytest.param(
            obj(additionalProperties=True),
            obj(additionalProperties=INTEGER),
            [("ADDITIONAL_PROPERTIES_NARROWED", "#/additionalProperties", False)],
            id="constraining_additional_properties_is_incompatible",
        ),
        pytest.param(
            obj(additionalProperties=INTEGER),
            obj(additionalProperties={}),
            [("ADDITIONAL_PROPERTIES_EXTENDED", "#/additionalProperties", True)],
            id="freeing_additional_properties_is_compatible",
        ),
        pytest.param(
            obj(additionalProperties=INTEGER),
            obj(additionalProperties={"type": "number"}),
            [("TYPE_EXTENDED", "#/additionalProperties", True)],
            id="widening_the_additional_properties_schema_is_compatible",
        ),
        pytest.param(
            obj(patternProperties={"^x": STRING}),
            obj(patternProperties={"^x": INTEGER}),
            [("TYPE_CHANGED", "#/patternProperties/^x", False)],
            id="a_shared_pattern_schema_is_compared",
        ),
        pytest.param(
            obj(propertyNames={"maxLength": 8}),
            obj(propertyNames={"maxLength": 4}),
            [("MAX_LENGTH_DECREASED", "#/propertyNames/maxLength", False)],
            id="property_names_are_compared",
        ),
    ],
)
def test_additional_properties(original: Any, update: Any, expected: Found) -> None:
    assert found(original, update) == expected


@pytest.mark.parametrize(
    ("original", "update", "expected"),
    [
        pytest.param(
            obj(dependencies={"card": ["zip"]}),
            obj(dependencies={"card": ["zip", "cvc"]}),
            [("DEPENDENCY_ARRAY_EXTENDED", "#/dependencies/card", False)],
            id="extending_a_dependency_array_is_incompatible",
        ),
        pytest.param(
            obj(dependencies={"card": ["zip", "cvc"]}),
            obj(dependencies={"card": ["zip"]}),
            [("DEPENDENCY_ARRAY_NARROWED", "#/dependencies/card", True)],
            id="narrowing_a_dependency_array_is_compatible",
        ),
        pytest.param(
            obj(dependencies={"card": ["zip"]}),
            obj(dependencies={"card": ["cvc"]}),
            [("DEPENDENCY_ARRAY_CHANGED", "#/dependencies/card", False)],
            id="changing_a_dependency_array_is_incompatible",
        ),
        pytest.param(
            obj(dependentRequired={"card": ["zip"]}),
            obj(),
            [("DEPENDENCY_ARRAY_REMOVED", "#/dependentRequired/card", True)],
            id="removing_a_dependent_required_entry_is_compatible",
        ),
        pytest.param(
            obj(),
            obj(dependentRequired={"card": ["zip"]}),
            [("DEPENDENCY_ARRAY_ADDED", "#/dependentRequired/card", False)],
            id="adding_a_dependent_required_entry_is_incompatible",
        ),
        pytest.param(
            obj(dependencies={"card": ["zip"]}),
            obj(dependentRequired={"card": ["zip"]}),
            [],
            id="moving_a_dependency_to_dependent_required_is_no_change",
        ),
        pytest.param(
            obj(),
            obj(dependentSchemas={"card": {"required": ["zip"]}}),
            [("DEPENDENCY_SCHEMA_ADDED", "#/dependentSchemas/card", False)],
            id="adding_a_dependent_schema_is_incompatible",
        ),
        pytest.param(
            obj(dependentSchemas={"card": {"maxProperties": 3}}),
            obj(dependentSchemas={"card": {"maxProperties": 5}}),
            [("MAX_PROPERTIES_INCREASED", "#/dependentSchemas/card/maxProperties", True)],
            id="a_dependent_schema_is_compared",
        ),
    ],
)
def test_dependencies(original: Any, update: Any, expected: Found) -> None:
    assert found(original, update) == expected


@pytest.mark.parametrize(
    ("original", "update", "expected"),
    [
        pytest.param(
            obj(maxProperties=5),
            obj(maxProperties=9),
            [("MAX_PROPERTIES_INCREASED", "#/maxProperties", True)],
            id="raising_max_properties_is_compatible",
        ),
        pytest.param(
            obj(),
            obj(maxProperties=9),
            [("MAX_PROPERTIES_ADDED", "#/maxProperties", False)],
            id="adding_max_properties_is_incompatible",
        ),
        pytest.param(
            obj(minProperties=2),
            obj(minProperties=1),
            [("MIN_PROPERTIES_DECREASED", "#/minProperties", True)],
            id="lowering_min_properties_is_compatible",
        ),
        pytest.param(
            obj(),
            obj(minProperties=1),
            [("MIN_PROPERTIES_ADDED", "#/minProperties", False)],
            id="adding_min_properties_is_incompatible",
        ),
        pytest.param(
            obj(properties={"address": obj(properties={"zip": STRING})}),
            obj(properties={"address": obj(properties={"zip": STRING, "city": STRING})}),
            [
                (
                    "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
                    "#/properties/address/properties/city",
                    False,
                )
            ],
            id="nested_objects_are_compared_with_their_pointer",
        ),
        pytest.param(
            obj(properties={"a/b": STRING, "t~": STRING}),
            obj(properties={"a/b": INTEGER, "t~": INTEGER}),
            [
                ("TYPE_CHANGED", "#/properties/a~1b", False),
                ("TYPE_CHANGED", "#/properties/t~0", False),
            ],
            id="pointer_tokens_are_escaped",
        ),
    ],
)
def test_object_bounds_and_nesting(original: Any, update: Any, expected: Found) -> None:
    assert found(original, update) == expected
