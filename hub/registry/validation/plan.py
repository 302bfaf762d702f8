"""A JSON Schema against one Arrow schema: which columns are checked in bulk, which per value.

Keywords with an exact vectorized form (types, bounds, lengths, RE2-compatible patterns, the
``date``/``date-time`` formats, enums of scalars, ``required``, ``additionalProperties``,
nested structs and lists, local ``$ref``) compile to checks. A column whose subschema uses
anything else (``anyOf``, ``uniqueItems``, another format...) is checked per value by
``jsonschema_rs``; a root the columns cannot be checked apart under (combinators, ``$ref`` to
the root, ``patternProperties``...) makes the whole row go to ``jsonschema_rs``.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from hub.arrow.columns import field_names
from hub.registry.validation.checks import (
    Arrays,
    Both,
    Check,
    Column,
    Objects,
    Pass,
    Reject,
    Scalars,
)
from hub.registry.validation.scalars import JSON_TYPES, kind_of, scalar_check

_KEYWORDS = frozenset(
    [
        "type", "enum", "const",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
        "minLength", "maxLength", "pattern", "format", "contentEncoding", "contentMediaType",
        "properties", "required", "additionalProperties", "minProperties", "maxProperties",
        "items", "minItems", "maxItems", "uniqueItems",
        "$ref", "definitions", "$defs",
    ]
)  # fmt: skip
_ANNOTATIONS = frozenset(
    ["title", "description", "default", "examples", "$comment", "readOnly", "writeOnly",
     "deprecated", "$schema", "$id"]
)  # fmt: skip
_LOCATIONS = ("$id", "id", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef")
_LOCAL_REFS = ("#/definitions/", "#/$defs/")
_MAX_DEPTH = 32
_MISSING = object()


@dataclass(frozen=True, slots=True)
class Context:
    """What compiling a subschema needs to know about the whole schema."""

    root: Mapping[str, Any]
    ref_siblings_apply: bool


@dataclass(frozen=True, slots=True)
class TablePlan:
    """How to check tables of one Arrow schema."""

    whole_rows: bool
    """The schema cannot be checked column by column: every row goes to ``jsonschema_rs``."""
    all_fail: bool
    """Every row fails whatever its values (a required column missing, a forbidden one...)."""
    checks: tuple[tuple[str, Check], ...] = ()
    per_value: tuple[tuple[str, Any], ...] = ()
    """Columns and the subschema ``jsonschema_rs`` checks their values against."""


def plan_table(
    schema: Mapping[str, Any] | bool, arrow_schema: pa.Schema, ctx: Context
) -> TablePlan:
    """The plan for tables of ``arrow_schema`` (reserved columns are no part of a row)."""
    if schema is True:
        return TablePlan(whole_rows=False, all_fail=False)
    if schema is False:
        return TablePlan(whole_rows=False, all_fail=True)
    if not column_wise(schema) or any(key in schema for key in ("$ref", "enum", "const")):
        return TablePlan(whole_rows=True, all_fail=False)
    allowed = _allowed(schema)
    if allowed is not None and "object" not in allowed:
        return TablePlan(whole_rows=False, all_fail=True)
    fields = [arrow_schema.field(name) for name in field_names(arrow_schema)]
    all_fail, parts = _object_parts(schema, fields, ctx, 0)
    checks = tuple((fields[i].name, c) for i, c, _ in parts if c is not None)
    per_value = tuple((fields[i].name, sub) for i, c, sub in parts if c is None)
    return TablePlan(False, all_fail, checks, per_value)


def column_wise(schema: Mapping[str, Any]) -> bool:
    """Whether rows can be checked a column at a time: only known keywords at the root, and
    every ``$ref`` local to ``definitions``/``$defs`` (so a column's subschema keeps its meaning
    when compiled apart, with the definitions next to it)."""
    if _unknown(schema):
        return False
    for node, at_root in _nodes(schema, True):
        for key in _LOCATIONS:
            if isinstance(node.get(key), str) and not (at_root and key in ("$id", "id")):
                return False
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith(_LOCAL_REFS):
            return False
    return True


def compile_check(schema: Any, type_: pa.DataType, ctx: Context, depth: int) -> Check | None:
    """The vectorized check of ``schema`` on values of ``type_``; None: check them per value."""
    if schema is True:
        return Pass()
    if schema is False:
        return Reject()
    if not isinstance(schema, Mapping) or depth > _MAX_DEPTH or _unknown(schema):
        return None
    if "$ref" in schema:
        return _ref_check(schema, type_, ctx, depth)
    kind = kind_of(type_)
    if kind is None:
        return None
    allowed = _allowed(schema)
    json_type = JSON_TYPES[kind]
    if json_type in ("object", "array"):
        wrapped = pa.types.is_dictionary(type_) or isinstance(type_, pa.BaseExtensionType)
        if wrapped or "enum" in schema or "const" in schema:
            return None
        null_fails = allowed is not None and "null" not in allowed
        if allowed is not None and json_type not in allowed:
            return Scalars(_same, null_fails, all_fail=True)  # every value has the wrong type
        if json_type == "array":
            return _array_check(schema, type_, null_fails, ctx, depth)
        return _object_check(schema, type_, kind, null_fails, ctx, depth)
    return scalar_check(schema, type_, kind, allowed)


def _ref_check(
    schema: Mapping[str, Any], type_: pa.DataType, ctx: Context, depth: int
) -> Check | None:
    target = _resolve(ctx.root, schema["$ref"])
    if target is _MISSING:
        return None
    first = compile_check(target, type_, ctx, depth + 1)
    if first is None or not ctx.ref_siblings_apply:
        return first
    rest = {key: value for key, value in schema.items() if key != "$ref"}
    second = compile_check(rest, type_, ctx, depth + 1)
    return None if second is None else Both(first, second)


def _object_check(
    schema: Mapping[str, Any],
    type_: pa.DataType,
    kind: str,
    null_fails: bool,
    ctx: Context,
    depth: int,
) -> Check | None:
    if kind == "map":  # keys vary per row: only a bare object schema is checked in bulk
        object_keywords = ("properties", "required", "additionalProperties")
        if any(key in schema for key in (*object_keywords, "minProperties", "maxProperties")):
            return None
        return Objects(null_fails, all_fail=False, fields=())
    fields = list(type_)
    all_fail, parts = _object_parts(schema, fields, ctx, depth)
    checks = [(index, check) for index, check, _ in parts]
    if any(check is None for _, check in checks):
        return None
    return Objects(null_fails, all_fail, tuple((i, c) for i, c in checks if c is not None))


def _object_parts(
    schema: Mapping[str, Any], fields: Sequence[pa.Field], ctx: Context, depth: int
) -> tuple[bool, list[tuple[int, Check | None, Any]]]:
    """Whether every object fails on its keys alone, and per field its check and subschema.

    The hub writes every column (and every struct field) into every row, nulls included, so
    keys are the same in every object of a column: ``required``, ``additionalProperties:
    false`` and the property counts are decided once.
    """
    names = [f.name for f in fields]
    count = len(set(names))
    all_fail = any(name not in names for name in schema.get("required", ()))
    all_fail |= count < schema.get("minProperties", 0)
    all_fail |= count > schema.get("maxProperties", count)
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    parts: list[tuple[int, Check | None, Any]] = []
    for index, f in enumerate(fields):
        sub = properties.get(f.name, extra)
        check = compile_check(sub, f.type, ctx, depth + 1)
        if not isinstance(check, Pass):
            parts.append((index, check, sub))
    return all_fail, parts


def _array_check(
    schema: Mapping[str, Any], type_: pa.DataType, null_fails: bool, ctx: Context, depth: int
) -> Check | None:
    items = schema.get("items")
    if schema.get("uniqueItems") is True or isinstance(items, list):
        return None
    bounds = [schema.get("minItems"), schema.get("maxItems")]
    if not all(isinstance(b, int) and not isinstance(b, bool) for b in bounds if b is not None):
        return None
    check = None if items is None else compile_check(items, type_.value_type, ctx, depth + 1)
    if items is not None and check is None:
        return None
    return Arrays(
        null_fails,
        all_fail=False,
        min_items=bounds[0],
        max_items=bounds[1],
        items=None if isinstance(check, Pass) else check,
    )


def _same(values: Column) -> Column:
    return values


def _allowed(schema: Mapping[str, Any]) -> set[str] | None:
    types = schema.get("type")
    if types is None:
        return None
    return {types} if isinstance(types, str) else set(types)


def _unknown(schema: Mapping[str, Any]) -> bool:
    return any(
        key not in _KEYWORDS and key not in _ANNOTATIONS and not key.startswith("x-")
        for key in schema
    )


def _nodes(schema: Any, at_root: bool) -> Iterator[tuple[Mapping[str, Any], bool]]:
    """Every object in ``schema`` (keywords or not), with whether it is the root."""
    if isinstance(schema, Mapping):
        yield schema, at_root
        for value in schema.values():
            yield from _nodes(value, False)
    elif isinstance(schema, list):
        for value in schema:
            yield from _nodes(value, False)


def _resolve(root: Mapping[str, Any], ref: Any) -> Any:
    """The subschema a local JSON-pointer ``$ref`` names, or ``_MISSING``."""
    if not isinstance(ref, str) or not ref.startswith(_LOCAL_REFS):
        return _MISSING
    node: Any = root
    for part in urllib.parse.unquote(ref[2:]).split("/"):
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and key in node:
            node = node[key]
        else:
            return _MISSING
    return node
