"""Types, type lists, boolean schemas, annotations, and string/number/enum constraints."""

from __future__ import annotations

from typing import Any

import pytest

from hub.registry.compatibility import compare

Found = list[tuple[str, str, bool]]


def found(original: Any, update: Any) -> Found:
    return [(str(d.type), d.path, d.compatible) for d in compare(original, update)]


@pytest.mark.parametrize(
    ("original", "update", "expected"),
    [
        pytest.param(
            {"type": "string"},
            {"type": "integer"},
            [("TYPE_CHANGED", "#/", False)],
            id="changing_the_type_is_incompatible",
        ),
        pytest.param(
            {"type": "integer"},
            {"type": "number"},
            [("TYPE_EXTENDED", "#/", True)],
            id="integer_to_number_is_compatible",
        ),
        pytest.param(
            {"type": "number"},
            {"type": "integer"},
            [("TYPE_NARROWED", "#/", False)],
            id="number_to_integer_is_incompatible",
        ),
        pytest.param(
            {"type": "string"},
            {"type": ["string", "null"]},
            [("SUM_TYPE_EXTENDED", "#/", True)],
            id="making_a_type_nullable_is_compatible",
        ),
        pytest.param(
            {"type": ["string", "null"]},
            {"type": "string"},
            [("SUM_TYPE_NARROWED", "#/", False)],
            id="dropping_null_from_a_type_list_is_incompatible",
        ),
        pytest.param(
            {"type": ["string", "null"]},
            {"type": ["null", "string"]},
            [],
            id="reordering_a_type_list_is_no_change",
        ),
        pytest.param(
            {"type": ["integer", "null"]},
            {"type": ["number", "null"]},
            [("TYPE_EXTENDED", "#/", True)],
            id="integer_to_number_inside_a_type_list_is_compatible",
        ),
        pytest.param(
            {"type": ["string", "null"], "maxLength": 5},
            {"type": ["string", "null"], "maxLength": 3},
            [("MAX_LENGTH_DECREASED", "#/maxLength", False)],
            id="constraints_next_to_a_type_list_are_compared_in_place",
        ),
        pytest.param(
            {"type": "string", "maxLength": 5},
            {"type": ["string", "null"], "maxLength": 3},
            [
                ("SUM_TYPE_EXTENDED", "#/", True),
                ("MAX_LENGTH_DECREASED", "#/maxLength", False),
            ],
            id="a_type_list_that_also_tightens_reports_both",
        ),
        pytest.param(
            True,
            {"type": "string"},
            [("TYPE_CHANGED", "#/", False)],
            id="true_to_a_typed_schema_is_incompatible",
        ),
        pytest.param(
            {"type": "string"},
            True,
            [],
            id="anything_may_become_true",
        ),
        pytest.param(
            False,
            {"type": "string"},
            [],
            id="false_may_become_anything",
        ),
        pytest.param(
            {"type": "string"},
            False,
            [("TYPE_CHANGED", "#/", False)],
            id="becoming_false_is_incompatible",
        ),
        pytest.param(
            {},
            True,
            [],
            id="the_empty_schema_and_true_are_the_same",
        ),
    ],
)
def test_types(original: Any, update: Any, expected: Found) -> None:
    assert found(original, update) == expected


@pytest.mark.parametrize(
    ("original", "update", "expected"),
    [
        pytest.param(
            {"$id": "urn:x", "title": "A", "description": "d", "default": 1},
            {"$id": "urn:y", "title": "B", "description": "e", "default": 2},
            [
                ("ID_CHANGED", "#/", True),
                ("TITLE_CHANGED", "#/", True),
                ("DESCRIPTION_CHANGED", "#/", True),
                ("DEFAULT_CHANGED", "#/", True),
            ],
            id="annotation_changes_are_compatible",
        ),
        pytest.param(
            {"type": "object", "properties": {"a": {"type": "string", "description": "x"}}},
            {"type": "object", "properties": {"a": {"type": "string"}}},
            [("DESCRIPTION_CHANGED", "#/properties/a", True)],
            id="a_removed_description_is_reported_where_it_was",
        ),
        pytest.param(
            {"default": 1},
            {"default": 1.0},
            [],
            id="equal_json_defaults_are_no_change",
        ),
        pytest.param(
            {"type": "string", "format": "date"},
            {"type": "string", "format": "email"},
            [],
            id="format_is_an_annotation_and_not_compared",
        ),
    ],
)
def test_annotations(original: Any, update: Any, expected: Found) -> None:
    assert found(original, update) == expected


@pytest.mark.parametrize(
    ("original", "update", "expected"),
    [
        pytest.param(
            {"type": "string"},
            {"type": "string", "maxLength": 9},
            [("MAX_LENGTH_ADDED", "#/maxLength", False)],
            id="adding_max_length_is_incompatible",
        ),
        pytest.param(
            {"type": "string", "maxLength": 9},
            {"type": "string"},
            [("MAX_LENGTH_REMOVED", "#/maxLength", True)],
            id="removing_max_length_is_compatible",
        ),
        pytest.param(
            {"type": "string", "maxLength": 9},
            {"type": "string", "maxLength": 10},
            [("MAX_LENGTH_INCREASED", "#/maxLength", True)],
            id="raising_max_length_is_compatible",
        ),
        pytest.param(
            {"type": "string", "maxLength": 9},
            {"type": "string", "maxLength": 8},
            [("MAX_LENGTH_DECREASED", "#/maxLength", False)],
            id="lowering_max_length_is_incompatible",
        ),
        pytest.param(
            {"type": "string"},
            {"type": "string", "minLength": 1},
            [("MIN_LENGTH_ADDED", "#/minLength", False)],
            id="adding_min_length_is_incompatible",
        ),
        pytest.param(
            {"type": "string", "minLength": 1},
            {"type": "string"},
            [("MIN_LENGTH_REMOVED", "#/minLength", True)],
            id="removing_min_length_is_compatible",
        ),
        pytest.param(
            {"type": "string", "minLength": 1},
            {"type": "string", "minLength": 2},
            [("MIN_LENGTH_INCREASED", "#/minLength", False)],
            id="raising_min_length_is_incompatible",
        ),
        pytest.param(
            {"type": "string", "minLength": 2},
            {"type": "string", "minLength": 1},
            [("MIN_LENGTH_DECREASED", "#/minLength", True)],
            id="lowering_min_length_is_compatible",
        ),
        pytest.param(
            {"type": "string"},
            {"type": "string", "pattern": "^[a-z]+$"},
            [("PATTERN_ADDED", "#/pattern", False)],
            id="adding_a_pattern_is_incompatible",
        ),
        pytest.param(
            {"type": "string", "pattern": "^[a-z]+$"},
            {"type": "string", "pattern": "^[a-z0-9]+$"},
            [("PATTERN_CHANGED", "#/pattern", False)],
            id="changing_a_pattern_is_incompatible",
        ),
        pytest.param(
            {"type": "string", "pattern": "^[a-z]+$"},
            {"type": "string"},
            [("PATTERN_REMOVED", "#/pattern", True)],
            id="removing_a_pattern_is_compatible",
        ),
    ],
)
def test_string_constraints(original: Any, update: Any, expected: Found) -> None:
    assert found(original, update) == expected


@pytest.mark.parametrize(
    ("original", "update", "expected"),
    [
        pytest.param(
            {"type": "number"},
            {"type": "number", "maximum": 10},
            [("MAXIMUM_ADDED", "#/maximum", False)],
            id="adding_a_maximum_is_incompatible",
        ),
        pytest.param(
            {"type": "number", "maximum": 10},
            {"type": "number", "maximum": 10.5},
            [("MAXIMUM_INCREASED", "#/maximum", True)],
            id="raising_the_maximum_is_compatible",
        ),
        pytest.param(
            {"type": "number", "minimum": 0},
            {"type": "number", "minimum": -1},
            [("MINIMUM_DECREASED", "#/minimum", True)],
            id="lowering_the_minimum_is_compatible",
        ),
        pytest.param(
            {"type": "number"},
            {"type": "number", "minimum": 0},
            [("MINIMUM_ADDED", "#/minimum", False)],
            id="adding_a_minimum_is_incompatible",
        ),
        pytest.param(
            {"type": "number", "minimum": 0},
            {"type": "number"},
            [("MINIMUM_REMOVED", "#/minimum", True)],
            id="removing_the_minimum_is_compatible",
        ),
        pytest.param(
            {"type": "number"},
            {"type": "number", "exclusiveMaximum": 1},
            [("EXCLUSIVE_MAXIMUM_ADDED", "#/exclusiveMaximum", False)],
            id="adding_an_exclusive_maximum_is_incompatible",
        ),
        pytest.param(
            {"type": "number", "exclusiveMaximum": 1},
            {"type": "number", "exclusiveMaximum": 2},
            [("EXCLUSIVE_MAXIMUM_INCREASED", "#/exclusiveMaximum", True)],
            id="raising_the_exclusive_maximum_is_compatible",
        ),
        pytest.param(
            {"type": "number", "exclusiveMaximum": 2},
            {"type": "number", "exclusiveMaximum": 1},
            [("EXCLUSIVE_MAXIMUM_DECREASED", "#/exclusiveMaximum", False)],
            id="lowering_the_exclusive_maximum_is_incompatible",
        ),
        pytest.param(
            {"type": "number", "exclusiveMaximum": 2},
            {"type": "number"},
            [("EXCLUSIVE_MAXIMUM_REMOVED", "#/exclusiveMaximum", True)],
            id="removing_the_exclusive_maximum_is_compatible",
        ),
        pytest.param(
            {"type": "number", "exclusiveMinimum": 0},
            {"type": "number", "exclusiveMinimum": 1},
            [("EXCLUSIVE_MINIMUM_INCREASED", "#/exclusiveMinimum", False)],
            id="raising_the_exclusive_minimum_is_incompatible",
        ),
        pytest.param(
            {"type": "number", "exclusiveMinimum": 1},
            {"type": "number", "exclusiveMinimum": 0},
            [("EXCLUSIVE_MINIMUM_DECREASED", "#/exclusiveMinimum", True)],
            id="lowering_the_exclusive_minimum_is_compatible",
        ),
        pytest.param(
            {"type": "number"},
            {"type": "number", "exclusiveMinimum": 0},
            [("EXCLUSIVE_MINIMUM_ADDED", "#/exclusiveMinimum", False)],
            id="adding_an_exclusive_minimum_is_incompatible",
        ),
        pytest.param(
            {"type": "number", "exclusiveMinimum": 0},
            {"type": "number"},
            [("EXCLUSIVE_MINIMUM_REMOVED", "#/exclusiveMinimum", True)],
            id="removing_the_exclusive_minimum_is_compatible",
        ),
        pytest.param(
            {"type": "number"},
            {"type": "number", "multipleOf": 5},
            [("MULTIPLE_OF_ADDED", "#/multipleOf", False)],
            id="adding_multiple_of_is_incompatible",
        ),
        pytest.param(
            {"type": "number", "multipleOf": 5},
            {"type": "number"},
            [("MULTIPLE_OF_REMOVED", "#/multipleOf", True)],
            id="removing_multiple_of_is_compatible",
        ),
        pytest.param(
            {"type": "number", "multipleOf": 5},
            {"type": "number", "multipleOf": 10},
            [("MULTIPLE_OF_EXPANDED", "#/multipleOf", False)],
            id="a_multiple_of_the_old_multiple_of_is_incompatible",
        ),
        pytest.param(
            {"type": "number", "multipleOf": 0.5},
            {"type": "number", "multipleOf": 0.25},
            [("MULTIPLE_OF_REDUCED", "#/multipleOf", True)],
            id="a_fractional_divisor_of_the_old_multiple_of_is_compatible",
        ),
        pytest.param(
            {"type": "number", "multipleOf": 0.1},
            {"type": "number", "multipleOf": 0.3},
            [("MULTIPLE_OF_EXPANDED", "#/multipleOf", False)],
            id="multiple_of_is_compared_exactly_not_in_binary_floating_point",
        ),
        pytest.param(
            {"type": "number", "multipleOf": 4},
            {"type": "number", "multipleOf": 6},
            [("MULTIPLE_OF_CHANGED", "#/multipleOf", False)],
            id="an_unrelated_multiple_of_is_incompatible",
        ),
        pytest.param(
            {"type": "integer", "maximum": 10},
            {"type": "number", "maximum": 5},
            [("MAXIMUM_DECREASED", "#/maximum", False), ("TYPE_EXTENDED", "#/", True)],
            id="bounds_are_compared_before_integer_versus_number",
        ),
    ],
)
def test_number_constraints(original: Any, update: Any, expected: Found) -> None:
    assert found(original, update) == expected


@pytest.mark.parametrize(
    ("original", "update", "expected"),
    [
        pytest.param(
            {"type": "string", "enum": ["S", "M"]},
            {"type": "string", "enum": ["S", "M", "L"]},
            [("ENUM_ARRAY_EXTENDED", "#/enum", True)],
            id="adding_an_enum_value_is_compatible",
        ),
        pytest.param(
            {"type": "string", "enum": ["S", "M"]},
            {"type": "string", "enum": ["S"]},
            [("ENUM_ARRAY_NARROWED", "#/enum", False)],
            id="removing_an_enum_value_is_incompatible",
        ),
        pytest.param(
            {"enum": ["S", "M"]},
            {"enum": ["S", "L"]},
            [("ENUM_ARRAY_CHANGED", "#/enum", False)],
            id="swapping_an_enum_value_is_incompatible",
        ),
        pytest.param(
            {"enum": ["S", "M"]},
            {"enum": ["M", "S"]},
            [],
            id="reordering_enum_values_is_no_change",
        ),
        pytest.param(
            {"enum": [1, True]},
            {"enum": [1.0, True]},
            [],
            id="enum_values_are_compared_as_json",
        ),
        pytest.param(
            {"enum": [1]},
            {"enum": [True]},
            [("ENUM_ARRAY_CHANGED", "#/enum", False)],
            id="true_is_not_one",
        ),
        pytest.param(
            {"const": "S"},
            {"const": "M"},
            [("ENUM_ARRAY_CHANGED", "#/const", False)],
            id="changing_a_const_is_incompatible",
        ),
        pytest.param(
            {"const": "S"},
            {"enum": ["S", "M"]},
            [("ENUM_ARRAY_EXTENDED", "#/enum", True)],
            id="a_const_becoming_an_enum_that_contains_it_is_compatible",
        ),
        pytest.param(
            {"type": "string"},
            {"type": "string", "enum": ["S"]},
            [("PRODUCT_TYPE_EXTENDED", "#/", False)],
            id="adding_an_enum_to_a_typed_schema_is_incompatible",
        ),
        pytest.param(
            {"type": "string", "enum": ["S"]},
            {"type": "string"},
            [("PRODUCT_TYPE_NARROWED", "#/", True)],
            id="removing_the_enum_of_a_typed_schema_is_compatible",
        ),
        pytest.param(
            {"enum": ["S"]},
            {"type": "string"},
            [("TYPE_CHANGED", "#/", False)],
            id="an_enum_becoming_a_type_is_a_type_change_as_in_confluent",
        ),
    ],
)
def test_enums(original: Any, update: Any, expected: Found) -> None:
    assert found(original, update) == expected
