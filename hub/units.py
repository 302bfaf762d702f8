"""Human-friendly durations (``30s``, ``7d``) and sizes (``4MiB``), as accepted in configs."""

from __future__ import annotations

import re
from fractions import Fraction

from hub.errors import ConfigError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$")
_DURATION_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]i?[bB]?|[bB])?\s*$")
_SIZE_POWERS = {"k": 1, "m": 2, "g": 3, "t": 4}


def parse_duration_ms(value: str | int | float, *, where: str = "duration") -> int:
    """Milliseconds from ``250ms``, ``30s``, ``5m``, ``2h``, ``7d``, ``1w``; a bare number is ms."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected a duration such as 30s or 7d, got {value!r}")
    match = _DURATION.match(value)
    if not match:
        raise ConfigError(
            f"{where}: {value!r} is not a duration; use a number with a unit: ms, s, m, h, d or w"
        )
    number, unit = match.groups()
    return int(Fraction(number) * _DURATION_MS[unit or "ms"])


def parse_size(value: str | int | float, *, where: str = "size") -> int:
    """Bytes from ``512``, ``64KiB``, ``4MiB``, ``1GB``: binary (KiB) and decimal (KB) units."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected a size such as 4MiB, got {value!r}")
    match = _SIZE.match(value)
    if not match:
        raise ConfigError(
            f"{where}: {value!r} is not a size; use a number with a unit: "
            "B, KB, KiB, MB, MiB, GB, GiB"
        )
    number, unit = match.groups()
    multiplier = 1
    if unit and unit.lower() not in ("b",):
        power = _SIZE_POWERS[unit[0].lower()]
        multiplier = (1024 if "i" in unit.lower() else 1000) ** power
    return int(Fraction(number) * multiplier)
