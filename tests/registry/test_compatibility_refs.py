"""Local ``$ref``: followed on both sides and compared where used; recursion terminates."""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest

from hub.registry.compatibility import compare, incompatibilities

Found = list[tuple[str, str, bool]]


def found(original: Any, update: Any) -> Found:
    return [(str(d.type), d.path, d.compatible) for d in compare(original, update)]


def with_defs(root: dict[str, Any], keyword: str = "$defs", **definitions: Any) -> dict[str, Any]:
    return {**root, keyword: definitions}


def with_odd_defs(root: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """Definitions whose names are not Python identifiers."""
    return {**root, "$defs": definitions}


@pytest.mark.parametrize(
    ("original", "update", "expected"),
    [
        pytest.param(
            with_defs({"$ref": "#/$defs/id"}, id={"type": "string"}),
            with_defs({"$ref": "#/$defs/id"}, id={"type": "integer"}),
            [("TYPE_CHANGED", "#/", False)],
            id="a_changed_definition_is_reported_where_it_is_used",
        ),
        pytest.param(
            with_defs(
                {"type": "object", "properties": {"a": {"$ref": "#/definitions/n"}}},
                "definitions",
                n={"type": "number", "maximum": 5},
            ),
            with_defs(
                {"type": "object", "properties": {"a": {"$ref": "#/definitions/n"}}},
                "definitions",
                n={"type": "number", "maximum": 4},
            ),
            [("MAXIMUM_DECREASED", "#/properties/a/maximum", False)],
            id="draft_07_definitions_are_followed",
        ),
        pytest.param(
            {"type": "object", "properties": {"a": {"type": "string"}}},
            with_defs(
                {"type": "object", "properties": {"a": {"$ref": "#/$defs/text"}}},
                text={"type": "string"},
            ),
            [],
            id="moving_a_subschema_into_a_definition_is_no_change",
        ),
        pytest.param(
            with_defs(
                {
                    "type": "object",
                    "properties": {"a": {"$ref": "#/$defs/x"}, "b": {"$ref": "#/$defs/x"}},
                },
                x={"type": "string"},
            ),
            with_defs(
                {
                    "type": "object",
                    "properties": {"a": {"$ref": "#/$defs/x"}, "b": {"$ref": "#/$defs/x"}},
                },
                x={"type": "string", "maxLength": 2},
            ),
            [
                ("MAX_LENGTH_ADDED", "#/properties/a/maxLength", False),
                ("MAX_LENGTH_ADDED", "#/properties/b/maxLength", False),
            ],
            id="a_shared_definition_is_reported_at_every_use",
        ),
        pytest.param(
            with_odd_defs({"$ref": "#/$defs/a~1b"}, {"a/b": {"type": "string"}}),
            with_odd_defs({"$ref": "#/$defs/a~1b"}, {"a/b": {"type": "number"}}),
            [("TYPE_CHANGED", "#/", False)],
            id="escaped_pointer_tokens_are_followed",
        ),
        pytest.param(
            with_odd_defs({"$ref": "#/$defs/with%20space"}, {"with space": {"type": "string"}}),
            {"type": "string"},
            [],
            id="percent_encoded_pointers_are_followed",
        ),
        pytest.param(
            with_defs({"$ref": "#money"}, m={"$anchor": "money", "type": "number"}),
            {"type": "integer"},
            [("TYPE_NARROWED", "#/", False)],
            id="anchors_are_followed",
        ),
        pytest.param(
            with_defs({"$id": "urn:s", "$ref": "urn:s#/$defs/a"}, a={"type": "string"}),
            {"type": "string"},
            [],
            id="a_reference_prefixed_with_the_document_id_is_local",
        ),
        pytest.param(
            {"$ref": "https://example.com/money.json"},
            {"$ref": "https://example.com/money.json"},
            [],
            id="an_unchanged_external_reference_is_no_change",
        ),
        pytest.param(
            {"$ref": "https://example.com/money.json"},
            {"$ref": "https://example.com/cash.json"},
            [("TYPE_CHANGED", "#/", False)],
            id="a_changed_external_reference_cannot_be_proven_compatible",
        ),
        pytest.param(
            with_defs({"$ref": "#/$defs/a"}, a={"$ref": "#/$defs/b"}, b={"$ref": "#/$defs/a"}),
            {"type": "string"},
            [("TYPE_CHANGED", "#/", False)],
            id="a_reference_chain_that_loops_terminates",
        ),
        pytest.param(
            {
                "type": "object",
                "properties": {"x": {"$ref": "#/properties/y"}, "y": {"type": "string"}},
            },
            {"type": "object", "properties": {"x": {"type": "string"}, "y": {"type": "string"}}},
            [],
            id="any_local_pointer_is_followed",
        ),
        pytest.param(
            {"allOf": [{"$ref": "#/$defs/a"}], "$defs": {"a": {"type": "string"}}, "maxLength": 3},
            {"allOf": [{"$ref": "#/$defs/a"}], "$defs": {"a": {"type": "string"}}, "maxLength": 2},
            [("MAX_LENGTH_DECREASED", "#/maxLength", False)],
            id="references_inside_combinations_are_followed",
        ),
    ],
)
def test_references(original: Any, update: Any, expected: Found) -> None:
    assert found(original, update) == expected


def _linked_list(value: Any) -> dict[str, Any]:
    return {
        "$ref": "#/$defs/node",
        "$defs": {
            "node": {
                "type": "object",
                "properties": {
                    "value": value,
                    "next": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/node"}]},
                },
            }
        },
    }


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    ("original", "update", "expected"),
    [
        pytest.param(
            _linked_list({"type": "integer"}),
            _linked_list({"type": "integer"}),
            [],
            id="a_recursive_schema_compared_with_itself_terminates",
        ),
        pytest.param(
            _linked_list({"type": "integer"}),
            _linked_list({"type": "number"}),
            [("TYPE_EXTENDED", "#/properties/value", True)],
            id="a_compatible_change_in_a_recursive_schema_is_found",
        ),
        pytest.param(
            _linked_list({"type": "number"}),
            _linked_list({"type": "integer"}),
            [("TYPE_NARROWED", "#/properties/value", False)],
            id="an_incompatible_change_in_a_recursive_schema_is_found",
        ),
        pytest.param(
            {"type": "object", "properties": {"child": {"$ref": "#"}}},
            {"type": "object", "properties": {"child": {"$ref": "#"}, "n": {"type": "string"}}},
            [("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "#/properties/n", False)],
            id="a_reference_to_the_root_terminates",
        ),
        pytest.param(
            with_defs(
                {"$ref": "#/$defs/a"},
                a={"properties": {"b": {"$ref": "#/$defs/b"}}},
                b={"properties": {"a": {"$ref": "#/$defs/a"}}},
            ),
            with_defs(
                {"$ref": "#/$defs/a"},
                a={"properties": {"b": {"$ref": "#/$defs/b"}}},
                b={"properties": {"a": {"$ref": "#/$defs/a"}}, "maxProperties": 1},
            ),
            [("MAX_PROPERTIES_ADDED", "#/properties/b/maxProperties", False)],
            id="mutually_recursive_definitions_terminate",
        ),
    ],
)
def test_recursive_references_terminate(original: Any, update: Any, expected: Found) -> None:
    assert found(original, update) == expected


def _tangle(size: int) -> dict[str, Any]:
    """Definitions that all refer to each other through alternatives: exponential without memo."""
    definitions = {
        f"d{i}": {
            "anyOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "properties": {
                        f"p{j}": {"$ref": f"#/$defs/d{(i + j) % size}"} for j in range(4)
                    },
                },
                {"type": "array", "items": {"$ref": f"#/$defs/d{(i + 3) % size}"}},
            ]
        }
        for i in range(size)
    }
    return {"$ref": "#/$defs/d0", "$defs": definitions}


@pytest.mark.timeout(20)
def test_densely_recursive_definitions_are_compared_quickly() -> None:
    original = _tangle(16)
    update = copy.deepcopy(original)
    update["$defs"]["d5"]["anyOf"][1]["properties"]["p1"] = {"type": "string"}

    started = time.monotonic()
    assert incompatibilities(original, original) == []
    assert [d.type for d in incompatibilities(original, update)] == [
        "COMBINED_TYPE_SUBSCHEMAS_CHANGED"
    ]
    assert time.monotonic() - started < 5


def test_a_subschema_shared_by_both_documents_resolves_its_references_in_each() -> None:
    shared = {"type": "object", "properties": {"a": {"$ref": "#/$defs/x"}}}
    original = {"$defs": {"x": {"type": "integer"}}, "properties": {"s": shared}, "not": shared}
    update = {"$defs": {"x": {"type": "number"}}, "properties": {"s": shared}, "not": shared}

    # Under "not" the comparison runs the other way round, so the same pair of objects
    # gives the opposite verdict there.
    assert found(original, update) == [
        ("NOT_TYPE_EXTENDED", "#/not", False),
        ("TYPE_EXTENDED", "#/properties/s/properties/a", True),
    ]
