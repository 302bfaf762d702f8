"""Parsing a registered schema: JSON text in, a checked JSON Schema and its identity out.

Two texts that differ only in key order or whitespace are the same schema and must get the same
global id, so identity is a SHA-256 over a normalized form (keys sorted, no whitespace). The text
kept is the one first registered: property order is what users wrote and what a table's
columns will follow.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from jsonschema import Draft7Validator, SchemaError, validators
from jsonschema.exceptions import best_match

from hub.errors import InvalidSchemaError

SCHEMA_TYPE = "JSON"
SCHEMA_TYPES = (SCHEMA_TYPE,)


@dataclass(frozen=True, slots=True)
class ParsedSchema:
    """A valid JSON Schema, its text as given (compacted) and its fingerprint."""

    schema: Mapping[str, Any] | bool
    text: str
    fingerprint: str


def parse_schema(
    schema: str | Mapping[str, Any] | bool,
    schema_type: str | None = SCHEMA_TYPE,
    references: object = None,
) -> ParsedSchema:
    """Check ``schema`` (text or parsed) is a JSON Schema the registry can hold.

    Raises ``InvalidSchemaError`` naming what is wrong: not JSON, not a JSON Schema (with the
    path of the bad keyword), a ``$ref`` to a local definition that does not exist, another
    schema type, or cross-subject references (not supported yet).
    """
    if schema_type not in (None, SCHEMA_TYPE):
        raise InvalidSchemaError(
            f"schema type {schema_type!r} is not supported: this registry holds JSON Schemas "
            'only; send "schemaType": "JSON" or leave it out'
        )
    if references:
        raise InvalidSchemaError(
            "schema references are not supported yet: inline the referenced definitions under "
            '"$defs" and point to them with "$ref": "#/$defs/..."'
        )
    parsed = _load(schema) if isinstance(schema, str) else schema
    if not isinstance(parsed, Mapping | bool):
        raise InvalidSchemaError(
            f"a JSON Schema is an object or a boolean, not {type(parsed).__name__}"
        )
    _check_meta(parsed)
    _check_local_refs(parsed, parsed, "#")
    normalized = orjson.dumps(parsed, option=orjson.OPT_SORT_KEYS)
    return ParsedSchema(
        schema=parsed,
        text=orjson.dumps(parsed).decode(),
        fingerprint=hashlib.sha256(normalized).hexdigest(),
    )


def _load(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise InvalidSchemaError(f"the schema is not valid JSON: {exc}") from None


def _check_meta(schema: Mapping[str, Any] | bool) -> None:
    validator = validators.validator_for(schema, default=Draft7Validator)
    try:
        validator.check_schema(schema)
    except SchemaError as exc:
        error = best_match([exc]) or exc
        where = "/".join(str(part) for part in error.path) or "(top level)"
        raise InvalidSchemaError(f"not a valid JSON Schema at {where}: {error.message}") from None


def _check_local_refs(root: Any, node: Any, where: str) -> None:
    """Every ``$ref`` to ``#/...`` must point at something: a dangling one is a typo."""
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#") and _resolve(root, ref) is None:
            raise InvalidSchemaError(
                f"{where}/$ref points at {ref!r}, which the schema does not define: add the "
                "definition or fix the reference"
            )
        for key, value in node.items():
            if key not in ("const", "enum", "default", "examples"):
                _check_local_refs(root, value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _check_local_refs(root, value, f"{where}/{index}")


def _resolve(root: Any, ref: str) -> Any:
    node = root
    for raw in ref[1:].lstrip("/").split("/") if ref not in ("#", "#/") else ():
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node
