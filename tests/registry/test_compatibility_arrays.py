"""Array rules: item schemas, tuples (draft-07 ``items`` lists and 2020-12 ``prefixItems``)
under open, closed and partially open content models, and item bounds."""

from __future__ import annotations

from typing import Any

import pytest

from hub.registry.compatibility import compare

Found = list[tuple[str, str, bool]]

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}


def found(original: Any, update: Any) -> Found:
    return [(str(d.type), d.path, d.compatible) for d in compare(original, update)]


def arr(**keywords: Any) -> dict[str, Any]:
    return {"type": "array", **keywords}


@pytest.mark.parametrize(
    ("original", "update", "expected"),
    [
        pytest.param(
            arr(),
            arr(items=STRING),
            [("SCHEMA_ADDED", "#/items", False)],
            id="adding_an_item_schema_is_incompatible",
        ),
        pytest.param(
            arr(items=STRING),
            arr(),
            [("SCHEMA_REMOVED", "#/items", True)],
            id="removing_the_item_schema_is_compatible",
        ),
        pytest.param(
            arr(),
            arr(items=True),
            [],
            id="adding_a_true_item_schema_is_no_change",
        ),
        pytest.param(
            arr(items=INTEGER),
            arr(items=NUMBER),
            [("TYPE_EXTENDED", "#/items", True)],
            id="widening_the_item_schema_is_compatible",
        ),
        pytest.param(
            arr(items={"type": "object", "properties": {"a": STRING}}),
            arr(items={"type": "object", "properties": {"a": INTEGER}}),
            [("TYPE_CHANGED", "#/items/properties/a", False)],
            id="nested_item_schemas_are_compared_with_their_pointer",
        ),
    ],
)
def test_item_schemas(original: Any, update: Any, expected: Found) -> None:
    assert found(original, update) == expected


@pytest.mark.parametrize(
    ("original", "update", "expected"),
    [
        pytest.param(
            arr(items=[STRING]),
            arr(items=[STRING, INTEGER]),
            [("ITEM_ADDED_TO_OPEN_CONTENT_MODEL", "#/items/1", False)],
            id="adding_a_position_to_an_open_tuple_is_incompatible",
        ),
        pytest.param(
            arr(items=[STRING]),
            arr(items=[STRING, {}]),
            [("ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", "#/items/1", True)],
            id="adding_an_empty_position_to_an_open_tuple_is_compatible",
        ),
        pytest.param(
            arr(items=[STRING], additionalItems=False),
            arr(items=[STRING, INTEGER], additionalItems=False),
            [("ITEM_ADDED_TO_CLOSED_CONTENT_MODEL", "#/items/1", True)],
            id="adding_a_position_to_a_closed_tuple_is_compatible",
        ),
        pytest.param(
            arr(items=[STRING], additionalItems=INTEGER),
            arr(items=[STRING, NUMBER], additionalItems=INTEGER),
            [
                ("TYPE_EXTENDED", "#/items/1", True),
                ("ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "#/items/1", True),
            ],
            id="adding_a_position_covered_by_additional_items_is_compatible",
        ),
        pytest.param(
            arr(items=[STRING], additionalItems=NUMBER),
            arr(items=[STRING, INTEGER], additionalItems=NUMBER),
            [
                ("TYPE_NARROWED", "#/items/1", False),
                ("ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "#/items/1", False),
            ],
            id="adding_a_position_narrower_than_additional_items_is_incompatible",
        ),
        pytest.param(
            arr(items=[STRING, INTEGER]),
            arr(items=[STRING]),
            [("ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL", "#/items/1", True)],
            id="removing_a_position_from_an_open_tuple_is_compatible",
        ),
        pytest.param(
            arr(items=[STRING, INTEGER], additionalItems=False),
            arr(items=[STRING], additionalItems=False),
            [("ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL", "#/items/1", False)],
            id="removing_a_position_from_a_closed_tuple_is_incompatible",
        ),
        pytest.param(
            arr(items=[STRING, False], additionalItems=False),
            arr(items=[STRING], additionalItems=False),
            [("ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL", "#/items/1", True)],
            id="removing_a_false_position_from_a_closed_tuple_is_compatible",
        ),
        pytest.param(
            arr(items=[STRING, INTEGER], additionalItems=INTEGER),
            arr(items=[STRING], additionalItems=INTEGER),
            [("ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "#/items/1", True)],
            id="removing_a_position_covered_by_additional_items_is_compatible",
        ),
        pytest.param(
            arr(items=[STRING, STRING], additionalItems=INTEGER),
            arr(items=[STRING], additionalItems=INTEGER),
            [
                ("TYPE_CHANGED", "#/items/1", False),
                ("ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "#/items/1", False),
            ],
            id="removing_a_position_additional_items_rejects_is_incompatible",
        ),
        pytest.param(
            arr(items=[STRING, INTEGER]),
            arr(items=STRING),
            [
                ("SCHEMA_ADDED", "#/items", False),
                ("ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "#/items/0", True),
                ("TYPE_CHANGED", "#/items/1", False),
                ("ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "#/items/1", False),
            ],
            id="a_single_item_schema_constrains_every_removed_position",
        ),
        pytest.param(
            arr(prefixItems=[STRING], items=False),
            arr(prefixItems=[STRING, INTEGER], items=False),
            [("ITEM_ADDED_TO_CLOSED_CONTENT_MODEL", "#/prefixItems/1", True)],
            id="prefix_items_closed_by_items_false_accept_a_new_position",
        ),
        pytest.param(
            arr(prefixItems=[STRING]),
            arr(prefixItems=[STRING, INTEGER]),
            [("ITEM_ADDED_TO_OPEN_CONTENT_MODEL", "#/prefixItems/1", False)],
            id="open_prefix_items_refuse_a_new_position",
        ),
        pytest.param(
            arr(items=[STRING], additionalItems=INTEGER),
            arr(prefixItems=[STRING], items=INTEGER),
            [],
            id="a_draft_07_tuple_rewritten_for_2020_12_is_no_change",
        ),
    ],
)
def test_tuples_under_each_content_model(original: Any, update: Any, expected: Found) -> None:
    assert found(original, update) == expected


@pytest.mark.parametrize(
    ("original", "update", "expected"),
    [
        pytest.param(
            arr(items=[STRING], additionalItems=True),
            arr(items=[STRING], additionalItems=False),
            [("ADDITIONAL_ITEMS_REMOVED", "#/additionalItems", False)],
            id="closing_a_tuple_is_incompatible",
        ),
        pytest.param(
            arr(items=[STRING], additionalItems=False),
            arr(items=[STRING]),
            [("ADDITIONAL_ITEMS_ADDED", "#/additionalItems", True)],
            id="opening_a_tuple_is_compatible",
        ),
        pytest.param(
            arr(items=[STRING]),
            arr(items=[STRING], additionalItems=STRING),
            [("ADDITIONAL_ITEMS_NARROWED", "#/additionalItems", False)],
            id="constraining_additional_items_is_incompatible",
        ),
        pytest.param(
            arr(items=[STRING], additionalItems=STRING),
            arr(items=[STRING]),
            [("ADDITIONAL_ITEMS_EXTENDED", "#/additionalItems", True)],
            id="freeing_additional_items_is_compatible",
        ),
        pytest.param(
            arr(prefixItems=[STRING], items=INTEGER),
            arr(prefixItems=[STRING], items=STRING),
            [("TYPE_CHANGED", "#/items", False)],
            id="items_after_prefix_items_are_the_additional_items",
        ),
        pytest.param(
            arr(maxItems=3),
            arr(maxItems=2),
            [("MAX_ITEMS_DECREASED", "#/maxItems", False)],
            id="lowering_max_items_is_incompatible",
        ),
        pytest.param(
            arr(maxItems=3),
            arr(),
            [("MAX_ITEMS_REMOVED", "#/maxItems", True)],
            id="removing_max_items_is_compatible",
        ),
        pytest.param(
            arr(minItems=1),
            arr(minItems=2),
            [("MIN_ITEMS_INCREASED", "#/minItems", False)],
            id="raising_min_items_is_incompatible",
        ),
        pytest.param(
            arr(),
            arr(minItems=1),
            [("MIN_ITEMS_ADDED", "#/minItems", False)],
            id="adding_min_items_is_incompatible",
        ),
        pytest.param(
            arr(),
            arr(uniqueItems=True),
            [("UNIQUE_ITEMS_ADDED", "#/uniqueItems", False)],
            id="requiring_unique_items_is_incompatible",
        ),
        pytest.param(
            arr(uniqueItems=True),
            arr(uniqueItems=False),
            [("UNIQUE_ITEMS_REMOVED", "#/uniqueItems", True)],
            id="no_longer_requiring_unique_items_is_compatible",
        ),
        pytest.param(
            arr(),
            arr(contains=STRING),
            [("SCHEMA_ADDED", "#/contains", False)],
            id="adding_contains_is_incompatible",
        ),
    ],
)
def test_additional_items_and_bounds(original: Any, update: Any, expected: Found) -> None:
    assert found(original, update) == expected
