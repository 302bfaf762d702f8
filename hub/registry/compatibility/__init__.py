"""JSON Schema compatibility, by Confluent Schema Registry's rules.

``compare(original, update)`` lists every ``Difference`` (a Confluent ``DifferenceType``, the JSON
pointer where it happened, a sentence, and whether it is compatible); ``incompatibilities`` keeps
the breaking ones. ``Policy.STRICT`` is Confluent's; ``Policy.LENIENT`` also accepts an optional
property added to an open content model.
"""

from __future__ import annotations

from hub.registry.compatibility.api import compare, incompatibilities
from hub.registry.compatibility.differences import COMPATIBLE_CHANGES, Difference, DifferenceType
from hub.registry.compatibility.policy import Policy

__all__ = [
    "COMPATIBLE_CHANGES",
    "Difference",
    "DifferenceType",
    "Policy",
    "compare",
    "incompatibilities",
]
