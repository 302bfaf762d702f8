"""Problems found in pipeline files, and JSON Schema errors turned into sentences about YAML.

A problem reads ``FILE:LINE: YAML.path: what is wrong; what is allowed``. jsonschema's own
messages print whole Python objects (a connector's config with its password) and name no
alternatives, so every common validator gets its own wording here; values from ``${env:}`` or
``${file:}`` are shown as the reference, never as the value.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match

Location = tuple[str | int, ...]
Show = Callable[[Location, Any], str]
"""How to show the value at a location in a message: ``show(path, value)``."""

_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}

# Validators whose own words say too little: the schema's description says what is expected.
_DESCRIBED = {"pattern", "format", "not", "minLength", "maxLength"}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one file; ``line`` is 1-based, ``None`` when there is none."""

    file: str
    line: int | None
    path: Location
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return (
            f"{where}: {format_path(self.path)}: {self.message}"
            if self.path
            else (f"{where}: {self.message}")
        )


def format_path(path: Iterable[str | int]) -> str:
    """``("sources", 0, "config", "path")`` → ``sources[0].config.path``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def show_value(value: Any) -> str:
    """A value as it would be written in YAML; containers by their kind only."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def suggest(word: object, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when ``word`` looks like a typo of one of ``choices``."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def explain(error: ValidationError, path: Location, show: Show) -> list[tuple[Location, str]]:
    """What a jsonschema ``error`` at ``path`` means, as ``(path, message)`` pairs."""
    validator, expected, schema = error.validator, error.validator_value, error.schema
    value = error.instance
    shown = show(path, value)
    described = _description(schema)
    if validator in ("additionalProperties", "unevaluatedProperties") and isinstance(value, dict):
        known = sorted(schema.get("properties", {}))
        patterns = list(schema.get("patternProperties", {}))
        return [
            (
                (*path, key),
                f"unknown key {key!r}{suggest(key, known)}; allowed keys: {', '.join(known)}",
            )
            for key in value
            if key not in known and not any(re.search(p, str(key)) for p in patterns)
        ]
    if validator == "required" and isinstance(value, dict):
        properties = schema.get("properties", {})
        return [
            (path, f"missing key {key!r}" + _about(properties.get(key)))
            for key in expected
            if key not in value
        ]
    if "propertyNames" in error.relative_schema_path:  # the instance is the key itself
        expected_name = f"; expected {described}" if described else ""
        return [((*path, value), f"{show_value(value)} is not a valid name{expected_name}")]
    if validator in ("anyOf", "oneOf"):
        alternatives = _required_alternatives(expected)
        if alternatives:
            word = "exactly" if validator == "oneOf" else "at least"
            return [(path, f"give {word} one of: {', '.join(alternatives)}")]
        if described:
            return [(path, f"{shown} is not valid; expected {described}")]
        if validator == "oneOf" and not error.context:
            return [(path, f"{shown} matches more than one of the allowed forms; keep one")]
        best = best_match(error.context)
        best_path = (*path, *list(best.absolute_path)[len(error.absolute_path) :])
        return explain(best, best_path, show)
    message = _simple(validator, expected, value, shown, schema)
    if message is None:
        scalar = not isinstance(value, dict | list)
        safe = scalar and shown == show_value(value)
        message = error.message if safe else f"{shown} does not satisfy {validator!r}"
    if described and validator in _DESCRIBED:
        message += f"; expected {described}"
    return [(path, message)]


def _simple(validator: Any, expected: Any, value: Any, shown: str, schema: Any) -> str | None:
    """Messages for validators that need only their own keyword to explain."""
    if validator == "type":
        kinds = [expected] if isinstance(expected, str) else list(expected)
        return f"expected {' or '.join(_TYPE_WORDS.get(k, k) for k in kinds)}, got {shown}"
    if validator == "enum":
        allowed = ", ".join(show_value(v) for v in expected)
        return f"{shown} is not allowed{suggest(value, map(str, expected))}; allowed: {allowed}"
    if validator == "const":
        return f"{shown} is not allowed; the only allowed value is {show_value(expected)}"
    if validator == "pattern":
        return f"{shown} does not match the pattern {expected}"
    if validator == "format":
        return f"{shown} is not a valid {expected}"
    if validator in ("minimum", "exclusiveMinimum"):
        word = "at least" if validator == "minimum" else "more than"
        return f"{shown} is too small; it must be {word} {expected}"
    if validator in ("maximum", "exclusiveMaximum"):
        word = "at most" if validator == "maximum" else "less than"
        return f"{shown} is too large; it must be {word} {expected}"
    if validator == "multipleOf":
        return f"{shown} must be a multiple of {expected}"
    if validator in ("minLength", "maxLength"):
        word = "at least" if validator == "minLength" else "at most"
        return f"{shown} must be {word} {expected} character(s) long"
    if validator in ("minItems", "maxItems"):
        word = "at least" if validator == "minItems" else "at most"
        return f"needs {word} {expected} item(s)"
    if validator == "uniqueItems" and isinstance(value, list):
        seen: list[Any] = []
        for item in value:
            if item in seen:
                return f"{show_value(item)} is listed more than once; list each item once"
            seen.append(item)
        return "items must be unique"
    if validator in ("minProperties", "maxProperties"):
        word = "at least" if validator == "minProperties" else "at most"
        return f"needs {word} {expected} key(s)"
    if validator == "dependentRequired" and isinstance(value, dict):
        for key, needed in expected.items():
            missing = [n for n in needed if key in value and n not in value]
            if missing:
                return f"{key!r} needs {', '.join(map(repr, missing))} as well"
    if validator == "not":
        return f"{shown} is not allowed here"
    return None


def _required_alternatives(alternatives: Any) -> list[str]:
    """The keys of ``oneOf: [{required: [a]}, {required: [b]}]``: one of them must be given."""
    keys: list[str] = []
    for alternative in alternatives if isinstance(alternatives, list) else []:
        if not (isinstance(alternative, dict) and set(alternative) == {"required"}):
            return []
        keys.extend(alternative["required"])
    return sorted(keys)


def _description(schema: Any) -> str | None:
    if isinstance(schema, dict) and isinstance(schema.get("description"), str):
        return str(schema["description"]).rstrip(".")
    return None


def _about(schema: Any) -> str:
    described = _description(schema)
    return f" ({described})" if described else ""
