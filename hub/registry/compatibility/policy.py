"""How strictly a comparison judges its differences: Confluent's rules, or those plus one relief.

LENIENT exists because an open content model (no ``additionalProperties: false``) makes every
new property a potential break: data written before may already hold any value under that name.
Many teams accept that risk for optional properties; LENIENT lets them, and nothing else.
"""

from __future__ import annotations

from enum import StrEnum, unique

from hub.registry.compatibility.differences import COMPATIBLE_CHANGES, DifferenceType


@unique
class Policy(StrEnum):
    """Which differences count as compatible."""

    STRICT = "STRICT"  # Confluent's rules
    LENIENT = "LENIENT"  # STRICT, plus: an optional property may join an open content model


def judge(kind: DifferenceType, policy: Policy, *, relaxable: bool = False) -> bool:
    """Whether a difference of ``kind`` is compatible under ``policy``.

    ``relaxable`` marks the one case LENIENT forgives: a property added to an open content model
    that the update does not list in ``required``.
    """
    if kind in COMPATIBLE_CHANGES:
        return True
    return (
        policy is Policy.LENIENT
        and relaxable
        and kind is DifferenceType.PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
    )
