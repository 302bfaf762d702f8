"""Small schemas the registry, API and client tests evolve from one to another.

PERSON -> PERSON_WITH_AGE adds a property to an open model (incompatible under STRICT);
CLOSED -> CLOSED_WITH_NAME adds one to a closed model (BACKWARD-compatible, not FORWARD).
"""

from __future__ import annotations

PERSON = {"type": "object", "properties": {"name": {"type": "string"}}}
PERSON_WITH_AGE = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
}
CLOSED = {
    "type": "object",
    "properties": {"id": {"type": "integer"}},
    "additionalProperties": False,
}
CLOSED_WITH_NAME = {
    "type": "object",
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    "additionalProperties": False,
}
