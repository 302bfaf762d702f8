"""The entry points: every difference between two schemas, or only the breaking ones."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.registry.compatibility.context import Context
from hub.registry.compatibility.differences import Difference
from hub.registry.compatibility.policy import Policy
from hub.registry.compatibility.refs import document
from hub.registry.compatibility.walker import WALKER

Schema = Mapping[str, Any] | bool


def compare(
    original: Schema, update: Schema, *, policy: Policy = Policy.STRICT
) -> list[Difference]:
    """Every difference from ``original`` to ``update``, as Confluent's
    ``SchemaDiff.compare(original, update)``: can a reader using ``update`` read data written
    with ``original``? BACKWARD checks ``compare(old, new)``, FORWARD ``compare(new, old)``.

    Both schemas are parsed JSON already known to be valid (draft-07 or 2020-12).
    """
    ctx = Context(Policy(policy), WALKER)
    ctx.compare(document(original), document(update))
    return ctx.differences


def incompatibilities(
    original: Schema, update: Schema, *, policy: Policy = Policy.STRICT
) -> list[Difference]:
    """Only the differences of ``compare`` that break reading ``original``'s data."""
    return [d for d in compare(original, update, policy=policy) if not d.compatible]
