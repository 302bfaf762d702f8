"""JSON values as JSON Schema sees them: equality for enums and defaults, and short display.

Python's ``==`` is wrong for JSON here: ``True == 1`` and ``[1] != (1,)``, while JSON Schema says
``true`` differs from ``1`` and that ``1`` equals ``1.0``.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

_SHOW_LIMIT = 60


def canonical(value: Any) -> Hashable:
    """A hashable key equal for exactly the JSON values JSON Schema considers equal."""
    if isinstance(value, bool) or value is None:
        return ("literal", value)
    if isinstance(value, int | float):
        return ("number", number(value))
    if isinstance(value, str):
        return ("string", value)
    if isinstance(value, Mapping):
        return ("object", frozenset((str(k), canonical(v)) for k, v in value.items()))
    if isinstance(value, Sequence):
        return ("array", tuple(canonical(v) for v in value))
    return ("other", repr(value))


def number(value: Any) -> Fraction | float:
    """An exact rational for a JSON number (``0.1`` is one tenth); inf and nan stay floats."""
    try:
        return Fraction(Decimal(str(value)))
    except (InvalidOperation, ValueError, OverflowError):
        return float(value)


def is_number(value: Any) -> bool:
    """A JSON number (booleans are not numbers in JSON)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def show(value: Any) -> str:
    """A short JSON rendering for messages."""
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= _SHOW_LIMIT else text[: _SHOW_LIMIT - 1] + "…"
