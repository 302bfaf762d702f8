"""Values that must never be shown: every value a pipeline took from ``${env:}`` or ``${file:}``.

The loader registers each resolved value here before anything can print it; ``redact`` replaces
them in any text (error messages, status lines, dead-letter headers) and ``SecretFilter`` does the
same for log records on a handler. Redaction is a safety net: code that knows a value is secret
should not put it in a message in the first place.

Values shorter than ``MIN_LENGTH`` characters are not redacted: masking every ``4`` or ``true`` in
every message would make them unreadable while hiding nothing worth hiding.
"""

from __future__ import annotations

import json
import logging
import re
import threading

MIN_LENGTH = 4
MASK = "***"

_lock = threading.Lock()
_values: set[str] = set()
_pattern: re.Pattern[str] | None = None  # replaced whole, so readers never need the lock


def register(value: str) -> None:
    """Treat ``value`` as secret from now on, in this process.

    Its lines, and its escaped forms as they appear inside ``repr`` or JSON, are registered too,
    so that a secret quoted by a message or one line of a multi-line key is caught as well.
    """
    global _pattern
    forms = {value, *value.splitlines(), repr(value)[1:-1], json.dumps(value)[1:-1]}
    forms = {form for form in (f.strip() for f in forms) if len(form) >= MIN_LENGTH}
    with _lock:
        if forms <= _values:
            return
        _values.update(forms)
        ordered = sorted(_values, key=len, reverse=True)  # longest first: no partial masks
        _pattern = re.compile("|".join(map(re.escape, ordered)))


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``***``."""
    pattern = _pattern
    if pattern is None:
        return text
    return pattern.sub(MASK, text)


def clear() -> None:
    """Forget every registered value (for tests)."""
    global _pattern
    with _lock:
        _values.clear()
        _pattern = None


class SecretFilter(logging.Filter):
    """Redacts secrets from log records passing a handler: message, arguments and traceback.

    Attach it to handlers (``handler.addFilter(SecretFilter())``), not loggers: a logger's filters
    do not see records propagated from its children.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if _pattern is None:
            return True
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
