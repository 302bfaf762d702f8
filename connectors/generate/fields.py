"""Field generators of the ``generate`` source: each makes a whole Arrow column at once.

A field template maps names to generators (see ``schemas/generate-source.schema.json``)::

    fields:
      id: sequence                      # 0, 1, 2, ... ({sequence: 1000} starts at 1000)
      customer: name                    # a first name ("word": an English word)
      amount: {float: [1, 500], decimals: 2}
      quantity: {int: [1, 10]}          # both ends included
      currency: {choice: [EUR, USD, GBP], weights: [5, 3, 2]}
      paid: boolean                     # ({boolean: 0.9}: true 90% of the time)
      ref: uuid                         # random version-4 UUIDs
      code: {string: 8}                 # random lowercase letters
      created: now                      # the time the batch was made (UTC, ms)
      source: {constant: demo}

Values are drawn with numpy in bulk: no Python object per row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pyarrow as pa

from hub.errors import ConfigError

Generator = Callable[[np.random.Generator, int, int, int], pa.Array]
"""``(rng, first row index, row count, now in ms) -> column``."""

WORDS = (
    "apple", "river", "stone", "cloud", "maple", "ember", "harbor", "meadow", "falcon", "cedar",
    "copper", "willow", "summit", "lantern", "orbit", "prairie", "quartz", "canyon", "breeze",
    "glacier", "thistle", "velvet", "marble", "juniper", "saffron", "tundra", "aurora", "basalt",
    "cobalt", "dune", "fjord", "grove",
)  # fmt: skip
NAMES = (
    "ada", "alan", "grace", "edsger", "barbara", "donald", "margaret", "linus", "frances",
    "dennis", "radia", "ken", "hedy", "john", "katherine", "niklaus", "anita", "tim", "sophie",
    "guido", "yukihiro", "jean", "lynn", "brian",
)  # fmt: skip
_HEX = np.frombuffer(b"0123456789abcdef", np.uint8)
_UUID_HEX_COLUMNS = [i for i in range(36) if i not in (8, 13, 18, 23)]


def build(name: str, spec: Any) -> Generator:
    """The generator ``spec`` describes (shape already checked by the JSON Schema)."""
    if isinstance(spec, str):
        spec = {spec: None}
    kind, argument = next(iter(spec.items()))
    options = {k: v for k, v in spec.items() if k != kind}
    if kind == "sequence":
        start, step = (
            (argument.get("start", 0), argument.get("step", 1))
            if isinstance(argument, Mapping)
            else (argument or 0, 1)
        )
        return lambda rng, first, n, now: pa.array(
            np.arange(first, first + n, dtype=np.int64) * step + start
        )
    if kind in ("int", "float"):
        low, high = argument
        if low > high:
            raise ConfigError(f"generate: fields.{name}: {kind} range [{low}, {high}] is empty")
        if kind == "int":
            return lambda rng, first, n, now: pa.array(rng.integers(low, high, n, endpoint=True))
        decimals = options.get("decimals")
        return lambda rng, first, n, now: pa.array(
            rng.uniform(low, high, n)
            if decimals is None
            else rng.uniform(low, high, n).round(decimals)
        )
    if kind == "boolean":
        share = 0.5 if argument is None else float(argument)
        return lambda rng, first, n, now: pa.array(rng.random(n) < share)
    if kind in ("choice", "word", "name"):
        values = argument if kind == "choice" else (WORDS if kind == "word" else NAMES)
        return _choice(name, pa.array(values), options.get("weights"))
    if kind == "uuid":
        return lambda rng, first, n, now: _uuids(rng, n)
    if kind == "string":
        length = 8 if argument is None else int(argument)
        return lambda rng, first, n, now: _fixed_width(
            rng.integers(ord("a"), ord("z"), (n, length), dtype=np.uint8, endpoint=True)
        )
    if kind == "now":
        kind_type = pa.timestamp("ms", tz="UTC")
        return lambda rng, first, n, now: pa.array(np.full(n, now, np.int64), kind_type)
    if kind == "constant":
        return lambda rng, first, n, now: pa.repeat(argument, n)
    raise ConfigError(f"generate: fields.{name}: unknown generator {kind!r}")


def _choice(name: str, values: pa.Array, weights: list[float] | None) -> Generator:
    count = len(values)
    if weights is None:
        return lambda rng, first, n, now: values.take(rng.integers(0, count, n))
    if len(weights) != count or sum(weights) <= 0:
        raise ConfigError(
            f"generate: fields.{name}: weights need one non-negative number per choice "
            f"({count}), not all zero"
        )
    p = np.asarray(weights, np.float64) / sum(weights)
    return lambda rng, first, n, now: values.take(rng.choice(count, n, p=p))


def _uuids(rng: np.random.Generator, n: int) -> pa.Array:
    raw = rng.integers(0, 256, (n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    digits = _HEX[np.stack([raw >> 4, raw & 0x0F], axis=2).reshape(n, 32)]
    text = np.full((n, 36), ord("-"), np.uint8)
    text[:, _UUID_HEX_COLUMNS] = digits
    return _fixed_width(text)


def _fixed_width(chars: np.ndarray) -> pa.Array:
    """A string column from an ``(n, width)`` array of ASCII bytes, without a copy per row."""
    n, width = chars.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(chars)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
