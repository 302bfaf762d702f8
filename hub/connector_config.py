"""A connector's config checked against its JSON Schema: one function for the runtime, ``hub
validate`` and the contract kit, so that all three reject the same configs the same way.

Messages name each problem's path inside the config (``config.options.delimiter``) and what is
allowed there, but never echo the value itself: a config may hold resolved secrets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from hub.errors import ConfigError, PluginError
from hub.plugins import load_config_schema

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

Path = tuple[str | int, ...]

_JSON_TYPES = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    type(None): "null",
}


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One thing wrong with a config: where (keys and list indexes from its root) and what."""

    path: Path
    message: str

    @property
    def dotted(self) -> str:
        """``config.fields[2].name``: the path as a user would write it."""
        text = "config"
        for part in self.path:
            text += f"[{part}]" if isinstance(part, int) else f".{part}"
        return text

    def __str__(self) -> str:
        return f"{self.dotted}: {self.message}"


_validators: WeakKeyDictionary[type, Draft202012Validator] = WeakKeyDictionary()


def config_validator(cls: type) -> Draft202012Validator:
    """A validator for ``cls.config_schema`` (made once per class); ``PluginError`` if the schema
    is not valid JSON Schema."""
    if (validator := _validators.get(cls)) is not None:
        return validator
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    schema = load_config_schema(cls)
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.path) or "the root"
        raise PluginError(
            f"{cls.__module__}.{cls.__qualname__}.config_schema is not valid JSON Schema "
            f"(Draft 2020-12) at {where}: {exc.message}; fix the connector's schema"
        ) from None
    validator = _validators[cls] = Draft202012Validator(schema)
    return validator


def config_problems(cls: type, config: object) -> list[ConfigProblem]:
    """Every problem of ``config`` against ``cls.config_schema``, in path order (none: valid)."""
    validator = config_validator(cls)
    problems: dict[ConfigProblem, None] = {}  # ordered and free of duplicates
    for error in sorted(validator.iter_errors(config), key=_error_order):
        for problem in _problems(error):
            problems[problem] = None
    return list(problems)


def validate_config(cls: type, config: object, *, where: str | None = None) -> dict[str, Any]:
    """``config`` checked against ``cls.config_schema``, with the schema's top-level defaults
    filled in for absent keys.

    Raises ``ConfigError`` listing every problem, each with its path (``config.path: is
    required``). ``where`` names the connector in the message (``source 'orders-csv'``).
    """
    name = where or f"{getattr(cls, 'type', cls.__qualname__)!r}"
    problems = config_problems(cls, config)
    if problems:
        raise ConfigError(f"invalid config for {name}", [str(p) for p in problems])
    if not isinstance(config, Mapping):  # a schema that accepts anything at its root
        raise ConfigError(f"invalid config for {name}: it must be a mapping of keys to values")
    defaults = {
        key: spec["default"]
        for key, spec in config_validator(cls).schema.get("properties", {}).items()
        if isinstance(spec, Mapping) and "default" in spec and key not in config
    }
    return {**config, **defaults}


def _error_order(error: ValidationError) -> tuple[str, ...]:
    return tuple(str(p) for p in error.absolute_path)


def _problems(error: ValidationError) -> list[ConfigProblem]:
    path: Path = tuple(error.absolute_path)
    kind, expected, instance = error.validator, error.validator_value, error.instance
    if kind == "required" and isinstance(instance, Mapping):
        properties = error.schema.get("properties", {})
        return [
            ConfigProblem((*path, name), "is required" + _hint(properties.get(name)))
            for name in expected
            if name not in instance
        ]
    if kind == "additionalProperties" and isinstance(instance, Mapping):
        allowed = list(error.schema.get("properties", {}))
        patterns = list(error.schema.get("patternProperties", {}))
        unknown = [
            key
            for key in instance
            if key not in allowed and not any(re.search(p, key) for p in patterns)
        ]
        listed = ", ".join(allowed) if allowed else "none"
        return [ConfigProblem((*path, key), f"unknown key; allowed: {listed}") for key in unknown]
    return [ConfigProblem(path, _message(str(kind), expected, instance))]


def _message(kind: str, expected: Any, instance: Any) -> str:
    """What a rule wants, without the offending value (it may be a secret)."""
    got = _JSON_TYPES.get(type(instance), type(instance).__name__)
    if kind == "type":
        wanted = " or ".join(expected) if isinstance(expected, list) else expected
        return f"must be of type {wanted}, not {got}"
    if kind == "enum":
        return "must be one of: " + ", ".join(json.dumps(v) for v in expected)
    if kind == "const":
        return f"must be {json.dumps(expected)}"
    bounds = {
        "minimum": ">=",
        "maximum": "<=",
        "exclusiveMinimum": ">",
        "exclusiveMaximum": "<",
    }
    if kind in bounds:
        return f"must be {bounds[kind]} {expected}"
    sizes = {
        "minLength": "at least {} character(s)",
        "maxLength": "at most {} character(s)",
        "minItems": "at least {} item(s)",
        "maxItems": "at most {} item(s)",
        "minProperties": "at least {} key(s)",
        "maxProperties": "at most {} key(s)",
    }
    if kind in sizes:
        return "must have " + sizes[kind].format(expected)
    if kind == "pattern":
        return f"must match the pattern {expected!r}"
    if kind == "format":
        return f"must be a valid {expected}"
    if kind == "uniqueItems":
        return "must not repeat items"
    if kind == "anyOf":
        return "matches none of the allowed forms"
    if kind == "oneOf":
        return "must match exactly one of the allowed forms"
    return f"fails the schema's {kind!r} rule"


def _hint(spec: object) -> str:
    if isinstance(spec, Mapping) and isinstance(spec.get("description"), str):
        return f" ({spec['description'].rstrip('.')})"
    return ""
