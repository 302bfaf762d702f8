"""A compatibility level applied to a subject's history: which versions, which direction.

BACKWARD asks whether readers of the new schema can read data written with an older one, so it
compares old -> new; FORWARD compares new -> old; FULL both. Transitive levels check every live
version, the others only the latest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hub.registry.compatibility import Difference, Policy, incompatibilities
from hub.registry.settings import Compatibility

Schema = Mapping[str, Any] | bool


@dataclass(frozen=True, slots=True)
class Incompatibility:
    """One reason a schema breaks the level, against one earlier version."""

    type: str
    path: str
    message: str
    version: int
    direction: str  # "backward": new readers, old data; "forward": old readers, new data

    def describe(self) -> str:
        """Confluent's verbose message form, readable by people and by scripts."""
        return (
            f"{{errorType:'{self.type}', description:'{self.message}', "
            f"additionalInfo:'{self.direction} check against version {self.version} at "
            f"{self.path}'}}"
        )


def check_level(
    schema: Schema,
    history: Sequence[tuple[int, Schema]],
    level: Compatibility,
    policy: Policy = Policy.STRICT,
) -> list[Incompatibility]:
    """Every incompatibility of ``schema`` with ``history``: ``(version, schema)``, oldest first."""
    if level is Compatibility.NONE or not history:
        return []
    targets = history if level.transitive else history[-1:]
    found: list[Incompatibility] = []
    for version, previous in reversed(targets):
        if level.backward:
            found += _tag(incompatibilities(previous, schema, policy=policy), version, "backward")
        if level.forward:
            found += _tag(incompatibilities(schema, previous, policy=policy), version, "forward")
    return found


def _tag(differences: list[Difference], version: int, direction: str) -> list[Incompatibility]:
    return [
        Incompatibility(str(d.type), d.path, d.message, version, direction) for d in differences
    ]
