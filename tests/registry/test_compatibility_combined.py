"""``oneOf``/``anyOf``/``allOf`` (criteria, sizes, subschema matching), schemas that say several
things at once (``type`` + ``enum``), a plain schema becoming one of several, and ``not``."""

from __future__ import annotations

from typing import Any

import pytest

from hub.registry.compatibility import compare
from hub.registry.compatibility.matching import maximum_matching

Found = list[tuple[str, str, bool]]

STRING = {"type": "string"}
NUMBER = {"type": "number"}
NULL = {"type": "null"}


def found(original: Any, update: Any) -> Found:
    return [(str(d.type), d.path, d.compatible) for d in compare(original, update)]


@pytest.mark.parametrize(
    ("original", "update", "expected"),
    [
        pytest.param(
            {"oneOf": [STRING, NUMBER]},
            {"oneOf": [STRING, NUMBER, NULL]},
            [("SUM_TYPE_EXTENDED", "#/", True)],
            id="adding_a_one_of_alternative_is_compatible",
        ),
        pytest.param(
            {"anyOf": [STRING, NUMBER]},
            {"anyOf": [STRING]},
            [("SUM_TYPE_NARROWED", "#/", False)],
            id="removing_an_any_of_alternative_is_incompatible",
        ),
        pytest.param(
            {"oneOf": [STRING, NUMBER]},
            {"oneOf": [NUMBER, STRING]},
            [],
            id="reordering_alternatives_is_no_change",
        ),
        pytest.param(
            {"oneOf": [STRING, {"type": "integer"}]},
            {"oneOf": [{"type": "number"}, STRING]},
            [("TYPE_EXTENDED", "#/oneOf/1", True)],
            id="alternatives_are_matched_and_reported_at_the_original_index",
        ),
        pytest.param(
            {"oneOf": [STRING, NUMBER]},
            {"oneOf": [{"type": "boolean"}, NUMBER]},
            [("COMBINED_TYPE_SUBSCHEMAS_CHANGED", "#/", False)],
            id="an_alternative_without_a_compatible_counterpart_is_incompatible",
        ),
        pytest.param(
            {"allOf": [STRING, {"maxLength": 5}]},
            {"allOf": [STRING, {"maxLength": 5}, {"minLength": 1}]},
            [("PRODUCT_TYPE_EXTENDED", "#/", False)],
            id="adding_an_all_of_conjunct_is_incompatible",
        ),
        pytest.param(
            {"allOf": [STRING, {"maxLength": 5}]},
            {"allOf": [STRING]},
            [("PRODUCT_TYPE_NARROWED", "#/", True)],
            id="removing_an_all_of_conjunct_is_compatible",
        ),
        pytest.param(
            {"allOf": [STRING, {"maxLength": 5}]},
            STRING,
            [("PRODUCT_TYPE_NARROWED", "#/", True)],
            id="an_all_of_reduced_to_one_of_its_parts_is_compatible",
        ),
        pytest.param(
            {"oneOf": [STRING, NUMBER]},
            {"anyOf": [STRING, NUMBER]},
            [("COMBINED_TYPE_EXTENDED", "#/", True)],
            id="one_of_to_any_of_is_compatible",
        ),
        pytest.param(
            {"anyOf": [STRING, NUMBER]},
            {"oneOf": [STRING, NUMBER]},
            [("COMBINED_TYPE_CHANGED", "#/", False)],
            id="any_of_to_one_of_is_incompatible",
        ),
        pytest.param(
            {"oneOf": [STRING]},
            {"allOf": [STRING]},
            [("COMBINED_TYPE_EXTENDED", "#/", True)],
            id="changing_the_criterion_of_a_singleton_is_compatible",
        ),
        pytest.param(
            {"anyOf": [STRING, NULL]},
            {"allOf": [STRING, NULL]},
            [("COMBINED_TYPE_CHANGED", "#/", False)],
            id="any_of_to_all_of_is_incompatible",
        ),
    ],
)
def test_combined_schemas(original: Any, update: Any, expected: Found) -> None:
    assert found(original, update) == expected


@pytest.mark.parametrize(
    ("original", "update", "expected"),
    [
        pytest.param(
            STRING,
            {"oneOf": [NULL, STRING]},
            [("SUM_TYPE_EXTENDED", "#/", True)],
            id="a_plain_schema_becoming_a_one_of_containing_it_is_compatible",
        ),
        pytest.param(
            {"type": "integer"},
            {"anyOf": [NULL, NUMBER]},
            [("TYPE_EXTENDED", "#/", True), ("SUM_TYPE_EXTENDED", "#/", True)],
            id="a_plain_schema_becoming_an_any_of_containing_a_wider_one_is_compatible",
        ),
        pytest.param(
            STRING,
            {"oneOf": [NULL, NUMBER]},
            [("TYPE_CHANGED", "#/", False)],
            id="a_plain_schema_becoming_a_one_of_without_it_is_incompatible",
        ),
        pytest.param(
            {"type": "string", "enum": ["a", "b"]},
            {"oneOf": [NULL, {"type": "string", "enum": ["a", "b"]}]},
            [("SUM_TYPE_EXTENDED", "#/", True)],
            id="an_enumerated_string_made_nullable_with_one_of_is_compatible",
        ),
        pytest.param(
            STRING,
            {"allOf": [STRING]},
            [],
            id="a_plain_schema_becoming_a_singleton_all_of_of_itself_is_no_change",
        ),
        pytest.param(
            {"type": "string", "enum": ["a"]},
            {"allOf": [{"type": "string", "enum": ["a"]}]},
            [],
            id="wrapping_a_schema_in_a_singleton_all_of_is_no_change",
        ),
        pytest.param(
            {"anyOf": [{"type": "string", "enum": ["a"]}]},
            {"type": "string", "enum": ["a", "b"]},
            [("ENUM_ARRAY_EXTENDED", "#/enum", True)],
            id="unwrapping_a_singleton_any_of_compares_its_only_subschema",
        ),
        pytest.param(
            STRING,
            {"allOf": [STRING, {"maxLength": 5}]},
            [("TYPE_CHANGED", "#/", False)],
            id="a_plain_schema_becoming_a_larger_all_of_is_a_type_change_as_in_confluent",
        ),
        pytest.param(
            {"type": "object", "properties": {"p": {"oneOf": [{**STRING, "maxLength": 5}]}}},
            {
                "type": "object",
                "properties": {"p": {"oneOf": [NULL, {**STRING, "title": "t", "maxLength": 8}]}},
            },
            [
                ("SUM_TYPE_EXTENDED", "#/properties/p", True),
                ("TITLE_CHANGED", "#/properties/p/oneOf/0", True),
                ("MAX_LENGTH_INCREASED", "#/properties/p/oneOf/0/maxLength", True),
            ],
            id="a_growing_one_of_reports_what_changed_in_the_matched_alternative",
        ),
    ],
)
def test_a_schema_becoming_one_of_several(original: Any, update: Any, expected: Found) -> None:
    assert found(original, update) == expected


@pytest.mark.parametrize(
    ("original", "update", "expected"),
    [
        pytest.param(
            {"type": "string", "enum": ["a", "b"], "maxLength": 3},
            {"type": "string", "enum": ["a"], "maxLength": 4},
            [
                ("ENUM_ARRAY_NARROWED", "#/enum", False),
                ("MAX_LENGTH_INCREASED", "#/maxLength", True),
            ],
            id="each_facet_of_a_schema_is_compared_in_place",
        ),
        pytest.param(
            {"type": "string", "enum": ["a"]},
            {"type": "integer", "enum": ["a"]},
            [("TYPE_CHANGED", "#/", False)],
            id="a_changed_type_next_to_an_enum_is_a_type_change",
        ),
        pytest.param(
            {"type": "string", "not": {"enum": ["x"]}},
            {"type": "string"},
            [("PRODUCT_TYPE_NARROWED", "#/", True)],
            id="dropping_a_not_next_to_a_type_is_compatible",
        ),
        pytest.param(
            {"type": ["string", "null"], "enum": ["a", None]},
            {"type": ["string", "null", "number"], "enum": ["a", None]},
            [("SUM_TYPE_EXTENDED", "#/", True)],
            id="a_type_list_next_to_an_enum_is_compared_as_a_type_list",
        ),
    ],
)
def test_schemas_saying_several_things(original: Any, update: Any, expected: Found) -> None:
    assert found(original, update) == expected


@pytest.mark.parametrize(
    ("original", "update", "expected"),
    [
        pytest.param(
            {"not": NUMBER},
            {"not": {"type": "integer"}},
            [("NOT_TYPE_NARROWED", "#/not", True)],
            id="excluding_less_is_compatible",
        ),
        pytest.param(
            {"not": {"type": "integer"}},
            {"not": NUMBER},
            [("NOT_TYPE_EXTENDED", "#/not", False)],
            id="excluding_more_is_incompatible",
        ),
        pytest.param(
            {"not": NUMBER},
            {"not": NUMBER},
            [],
            id="an_unchanged_not_is_no_change",
        ),
        pytest.param(
            {"not": NUMBER},
            {"not": STRING},
            [("NOT_TYPE_EXTENDED", "#/not", False)],
            id="excluding_something_else_is_incompatible",
        ),
    ],
)
def test_not(original: Any, update: Any, expected: Found) -> None:
    assert found(original, update) == expected


def test_subschemas_pair_with_their_twins_even_when_a_cheap_pair_leads_elsewhere() -> None:
    """``{}`` also fits the ``anyOf`` (at the price of a difference); pairing it greedily would
    push the ``anyOf`` onto ``{}`` and report a change in a schema compared with itself."""
    schema = {"allOf": [{}, {"anyOf": [{}, STRING]}]}

    assert found(schema, schema) == []


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        ({0: [(0, 0), (1, 1)], 1: [(0, 0), (1, 0)]}, {0: 0, 1: 1}),
        ({0: [(0, 1)], 1: [(0, 1)], 2: [(0, 0), (1, 5)]}, {0: 0, 2: 1}),
        ({0: [], 1: [(0, 3)]}, {1: 0}),
        ({0: [(2, 0)], 1: [(2, 0)], 2: [(2, 7)]}, {0: 2}),
        ({}, {}),
    ],
)
def test_matching_pairs_as_many_as_possible_then_the_cheapest(
    candidates: dict[int, list[tuple[int, int]]], expected: dict[int, int]
) -> None:
    assert maximum_matching(candidates) == expected
