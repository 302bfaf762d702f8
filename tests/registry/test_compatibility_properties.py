"""Properties of the comparison that hold for every schema, checked on generated schemas."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.registry.compatibility import Policy, compare, incompatibilities

_NAMES = st.sampled_from(["a", "b", "zip", "x_1", "a/b", "t~"])
_TYPES = st.sampled_from(["string", "number", "integer", "boolean", "null", "object", "array"])
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.5, 1.0, 2.5]),
    st.text("ab", max_size=2),
)
_SIZES = st.integers(0, 4)
_REFS = st.sampled_from(
    [{"$ref": "#"}, {"$ref": "#/$defs/a"}, {"$ref": "#/definitions/b"}, {"$ref": "#/$defs/missing"}]
)


def _typed(kind: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"type": kind},
        optional={
            "minLength": _SIZES,
            "maxLength": _SIZES,
            "pattern": st.sampled_from(["^a", "b$", "[0-9]+"]),
            "minimum": st.integers(-5, 5),
            "maximum": st.integers(-5, 5),
            "exclusiveMinimum": st.integers(-5, 5),
            "exclusiveMaximum": st.integers(-5, 5),
            "multipleOf": st.sampled_from([1, 2, 0.5, 0.1]),
            "enum": st.lists(_SCALARS, min_size=1, max_size=3),
            "const": _SCALARS,
            "title": st.sampled_from(["T", "U"]),
            "description": st.just("d"),
            "default": _SCALARS,
        },
    )


_LEAVES = st.one_of(
    st.booleans(),
    st.just({}),
    _typed(_TYPES),
    _typed(st.lists(_TYPES, min_size=1, max_size=3, unique=True)),
    _REFS,
)


def _extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    small = st.lists(children, min_size=1, max_size=3)
    objects = st.fixed_dictionaries(
        {"type": st.just("object")},
        optional={
            "properties": st.dictionaries(_NAMES, children, max_size=3),
            "required": st.lists(_NAMES, max_size=3, unique=True),
            "additionalProperties": st.one_of(st.booleans(), children),
            "patternProperties": st.dictionaries(
                st.sampled_from(["^a", "^x_", "("]), children, max_size=2
            ),
            "minProperties": _SIZES,
            "maxProperties": _SIZES,
            "dependencies": st.dictionaries(
                _NAMES, st.one_of(st.lists(_NAMES, max_size=2, unique=True), children), max_size=2
            ),
            "dependentRequired": st.dictionaries(_NAMES, st.lists(_NAMES, max_size=2), max_size=2),
            "dependentSchemas": st.dictionaries(_NAMES, children, max_size=2),
            "propertyNames": children,
        },
    )
    arrays = st.fixed_dictionaries(
        {"type": st.just("array")},
        optional={
            "items": st.one_of(children, st.lists(children, max_size=3)),
            "prefixItems": st.lists(children, max_size=3),
            "additionalItems": st.one_of(st.booleans(), children),
            "contains": children,
            "minItems": _SIZES,
            "maxItems": _SIZES,
            "uniqueItems": st.booleans(),
        },
    )
    logic = st.fixed_dictionaries(
        {},
        optional={
            "allOf": small,
            "anyOf": small,
            "oneOf": small,
            "not": children,
            "type": _TYPES,
            "enum": st.lists(_SCALARS, min_size=1, max_size=2),
            "$ref": st.sampled_from(["#", "#/$defs/a"]),
        },
    )
    return st.one_of(objects, arrays, logic)


_SCHEMAS = st.recursive(_LEAVES, _extend, max_leaves=10)


@st.composite
def documents(draw: st.DrawFn) -> Any:
    """A schema whose ``$ref``s (to ``#``, ``#/$defs/a``, ``#/definitions/b``) may recurse."""
    root = draw(_SCHEMAS)
    if isinstance(root, dict):
        root = {**root, "$defs": {"a": draw(_SCHEMAS)}, "definitions": {"b": draw(_SCHEMAS)}}
    return root


@settings(max_examples=300, deadline=None)
@given(documents(), st.sampled_from(list(Policy)))
def test_a_schema_is_compatible_with_itself(schema: Any, policy: Policy) -> None:
    assert incompatibilities(schema, schema, policy=policy) == []
    assert incompatibilities(schema, copy.deepcopy(schema), policy=policy) == []


@settings(max_examples=200, deadline=None)
@given(documents())
def test_comparing_a_schema_with_a_copy_of_itself_reports_nothing(schema: Any) -> None:
    assert compare(schema, copy.deepcopy(schema)) == []


@settings(max_examples=200, deadline=None)
@given(documents())
def test_anything_can_become_the_true_schema_and_false_can_become_anything(schema: Any) -> None:
    assert incompatibilities(schema, True) == []
    assert incompatibilities(False, schema) == []


@settings(max_examples=200, deadline=None)
@given(documents(), documents(), st.sampled_from(list(Policy)))
def test_any_two_schemas_compare_without_error_and_consistently(
    original: Any, update: Any, policy: Policy
) -> None:
    found = compare(original, update, policy=policy)

    assert found == compare(original, update, policy=policy)
    assert incompatibilities(original, update, policy=policy) == [
        d for d in found if not d.compatible
    ]
    assert all(d.path.startswith("#/") and d.message for d in found)
