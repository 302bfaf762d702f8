"""The per-record path: one compiled ``jsonschema_rs`` validator, one JSON value at a time.

It is the reference the columnar path must agree with, and the path for what that one cannot do
(record batches, raw JSON values, keywords it has no vectorized form for). Formats are asserted
in every draft (``date-time`` must be RFC 3339 even under 2020-12, where the standard makes them
annotations by default), like Confluent's serializers do; a schema without ``$schema`` is
draft-07, as in the registry.
"""

from __future__ import annotations

import binascii
import decimal
import json
from collections.abc import Mapping, Sequence
from typing import Any

import jsonschema_rs
import orjson

from hub.errors import InvalidSchemaError
from hub.registry.validation.violations import Violation, from_error

Validator = Any
"""A compiled ``jsonschema_rs`` validator (the library ships no type stubs)."""

_OLD_DRAFTS = ("draft-03", "draft-04", "draft-06", "draft-07")


def compile_validator(schema: Mapping[str, Any] | bool) -> Validator:
    """A validator for ``schema``; ``InvalidSchemaError`` if it is no valid JSON Schema."""
    document = schema if isinstance(schema, bool) else _plain(schema)
    try:
        if isinstance(document, dict) and "$schema" in document:
            return jsonschema_rs.validator_for(document, validate_formats=True)
        return jsonschema_rs.Draft7Validator(document, validate_formats=True)
    except (jsonschema_rs.ValidationError, ValueError) as exc:
        message = getattr(exc, "message", str(exc))
        raise InvalidSchemaError(f"the schema cannot be used for validation: {message}") from None


def _plain(schema: Any) -> Any:
    """``schema`` with every mapping a ``dict`` (the validator takes nothing else)."""
    if isinstance(schema, Mapping):
        return {key: _plain(value) for key, value in schema.items()}
    if isinstance(schema, list | tuple):
        return [_plain(value) for value in schema]
    return schema


def ref_siblings_apply(schema: Mapping[str, Any] | bool) -> bool:
    """Whether keywords next to ``$ref`` count (2019-09 on) or are ignored (draft-07 and older)."""
    if not isinstance(schema, Mapping):
        return True
    dialect = str(schema.get("$schema", "draft-07"))
    return not any(draft in dialect for draft in _OLD_DRAFTS)


def validate_values(
    validator: Validator, values: Sequence[bytes | Mapping[str, Any] | None]
) -> list[Violation]:
    """Every violation of ``values`` (JSON texts or dicts), by row. ``None`` (a tombstone) is
    no value and passes; a text that is not JSON is a violation of its own."""
    is_valid = validator.is_valid
    found: list[Violation] = []
    for row, value in enumerate(values):
        if value is None:
            continue
        if isinstance(value, bytes | bytearray | memoryview):
            try:
                instance = loads(bytes(value))
            except ValueError as exc:
                found.append(Violation(row, "", f"the value is not valid JSON ({exc})"))
                continue
        else:
            instance = value
        try:
            if is_valid(instance):
                continue
        except ValueError:  # a type JSON does not have (datetime, bytes...): as the log has it
            instance = orjson.loads(orjson.dumps(instance, default=_as_json))
            if is_valid(instance):
                continue
        found += errors(validator, row, instance)
    return found


def errors(validator: Validator, row: int, instance: Any) -> list[Violation]:
    return [from_error(row, error) for error in validator.iter_errors(instance)]


def loads(text: bytes | str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)  # integers beyond 64 bits, which orjson refuses


def _as_json(value: Any) -> Any:
    """How ``hub.arrow`` writes what orjson cannot: bytes as base64, decimals as numbers."""
    if isinstance(value, bytes | bytearray | memoryview):
        return binascii.b2a_base64(bytes(value), newline=False).decode()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    return str(value)
