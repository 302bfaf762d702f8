"""The schema registry: JSON Schema subjects, versions, global ids and compatibility.

``Registry`` holds the rules (Confluent's), ``hub.registry.compatibility`` the JSON Schema
comparison, ``wire`` the Confluent wire format, ``infer`` and ``validation`` what pipelines need.
"""

from __future__ import annotations

from hub.registry.compatibility import Difference, DifferenceType, Policy
from hub.registry.levels import Incompatibility, check_level
from hub.registry.registry import (
    RegisteredSchema,
    Registry,
    SchemaInput,
    SchemaVersion,
    parse_version,
)
from hub.registry.schema_text import SCHEMA_TYPE, SCHEMA_TYPES, ParsedSchema, parse_schema
from hub.registry.settings import Compatibility, Mode

__all__ = [
    "SCHEMA_TYPE",
    "SCHEMA_TYPES",
    "Compatibility",
    "Difference",
    "DifferenceType",
    "Incompatibility",
    "Mode",
    "ParsedSchema",
    "Policy",
    "RegisteredSchema",
    "Registry",
    "SchemaInput",
    "SchemaVersion",
    "check_level",
    "parse_schema",
    "parse_version",
]
