"""ECMA-262 patterns (JSON Schema's ``pattern``) as RE2 patterns (Arrow's regex kernels).

The two dialects differ in places: ``.`` (ECMA excludes ``\\r``, U+2028 and U+2029 too), ``\\s``
(Unicode spaces in ECMA), lookaround and back-references (absent from RE2), ``[^]``, POSIX
classes, lone braces. Only patterns built from the constructs on which both engines agree on
every string are translated; anything else gets ``None`` and its column is checked per value by
``jsonschema_rs``. ``\\d`` and ``\\w`` are ASCII in both (as ``jsonschema_rs`` implements ECMA).
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyarrow as pa
import pyarrow.compute as pc

_DOT = r"[^\n\r\x{2028}\x{2029}]"
_ESCAPES = frozenset("dDwWtnrf")
_QUANTIFIER = re.compile(r"\{\d+(,\d*)?\}")


@lru_cache(maxsize=256)
def to_re2(pattern: str) -> str | None:
    """The RE2 form of ``pattern`` if both engines match exactly the same strings, else None."""
    translated = _translate(pattern)
    if translated is None:
        return None
    try:
        pc.match_substring_regex(pa.array([""]), pattern=translated)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return translated


def _translate(pattern: str) -> str | None:
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escaped = pattern[i + 1 : i + 2]
            if not escaped or not (escaped in _ESCAPES or _is_punctuation(escaped)):
                return None
            out.append(char + escaped)
            i += 2
            continue
        if in_class:
            if char == "[":
                return None  # POSIX classes and nested sets mean different things
            in_class = char != "]"
        elif char == "[":
            if pattern[i + 1 : i + 2] == "]" or pattern[i + 1 : i + 3] in ("^]",):
                return None  # "[]" and "[^]" are ECMA's empty and full sets
            in_class = True
        elif char == ".":
            char = _DOT
        elif char == "(" and pattern[i + 1 : i + 2] == "?" and pattern[i + 2 : i + 3] != ":":
            return None  # lookaround, named groups, inline flags
        elif char == "{":
            match = _QUANTIFIER.match(pattern, i)
            if match is None or not out:
                return None
            char = match.group()
            i = match.end() - 1
        elif char == "}":
            return None
        out.append(char)
        i += 1
    return None if in_class else "".join(out)


def _is_punctuation(char: str) -> bool:
    return char.isascii() and not char.isalnum() and not char.isspace()
