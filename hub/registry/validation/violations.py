"""``Violation``: one way one row breaks the schema, in words safe to log and show.

Messages are written here from the validator's error kind rather than taken from it: its own
messages quote whole values (a 10 kB string, a nested object), which do not belong in logs,
dead-letter headers or status lines. Values are quoted short, and registered secrets masked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from hub.secrets import redact

_VALUE_CHARS = 40
_MESSAGE_CHARS = 300

_TEMPLATES = {
    "anyOf": "{value} is not valid under any of the schemas in anyOf",
    "const": "{value} is not the constant {expected_value}",
    "contains": "{value} has no item valid under contains",
    "contentEncoding": "{value} is not valid {content_encoding}",
    "contentMediaType": "{value} is not valid {content_media_type}",
    "enum": "{value} is not one of {options}",
    "exclusiveMaximum": "{value} is not less than {limit}",
    "exclusiveMinimum": "{value} is not greater than {limit}",
    "falseSchema": "{value} is not allowed here (false schema)",
    "format": "{value} is not a valid {format}",
    "maxItems": "{value} has more than {limit} items",
    "maxLength": "{value} is too long (maxLength {limit})",
    "maxProperties": "{value} has more than {limit} properties",
    "maximum": "{value} is greater than the maximum {limit}",
    "minItems": "{value} has fewer than {limit} items",
    "minLength": "{value} is too short (minLength {limit})",
    "minProperties": "{value} has fewer than {limit} properties",
    "minimum": "{value} is less than the minimum {limit}",
    "multipleOf": "{value} is not a multiple of {multiple_of}",
    "not": "{value} must not be valid under {schema}",
    "oneOf": "{value} is not valid under exactly one of the schemas in oneOf",
    "pattern": "{value} does not match {pattern}",
    "required": "{property} is a required property",
    "type": "{value} is not of type {types}",
    "uniqueItems": "{value} has non-unique items",
}


@dataclass(frozen=True, slots=True)
class Violation:
    """Row ``row`` of a batch breaks the schema at ``pointer`` (``""``: the whole row)."""

    row: int
    pointer: str
    message: str


def from_error(row: int, error: Any) -> Violation:
    """The violation a ``jsonschema_rs.ValidationError`` describes."""
    return Violation(row, pointer(error.instance_path), describe(error))


def pointer(path: Iterable[str | int]) -> str:
    """A JSON pointer (RFC 6901) from path parts."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def describe(error: Any) -> str:
    """A short message for a ``jsonschema_rs.ValidationError``: what, with values cut short."""
    kind: Any = getattr(error, "kind", None)
    template = _TEMPLATES.get(getattr(kind, "name", ""))
    if template is None or not hasattr(kind, "as_dict"):  # older jsonschema_rs: its own words
        return _clip(redact(error.message), _MESSAGE_CHARS)
    details = kind.as_dict()
    fields = {key: short(value) for key, value in details.items()}
    if kind.name == "type":
        fields["types"] = " or ".join(map(short, details["types"]))
    try:
        message = template.format(value=short(error.instance), **fields)
    except KeyError:  # details named otherwise by another jsonschema_rs version
        message = redact(error.message)
    return _clip(message, _MESSAGE_CHARS)


def short(value: Any, limit: int = _VALUE_CHARS) -> str:
    """``value`` as JSON, cut to about ``limit`` characters, registered secrets masked."""
    try:
        text = orjson.dumps(value).decode()
    except TypeError:
        text = repr(value)
    return _clip(redact(text), limit)


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    closing = text[-1] if text[-1] in '"]}' else ""
    return text[: limit - 1 - len(closing)] + "…" + closing
