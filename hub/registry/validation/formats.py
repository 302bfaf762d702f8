"""RFC 3339 ``date`` and ``date-time`` as RE2 patterns, calendar included, for one regex pass.

Each pattern accepts only strings ``jsonschema_rs`` accepts (month lengths and leap years are
spelled out). It rejects leap seconds (``23:59:60``), which ``jsonschema_rs`` accepts only at
the right instant in UTC: such rows are handed to it, which settles them exactly.
"""

from __future__ import annotations

_YEAR = "[0-9]{4}"
_MONTH_DAY = (
    "(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"  # any month has 28 days
    "|(?:0[13-9]|1[0-2])-(?:29|30)"  # all but February have 30
    "|(?:0[13578]|1[02])-31)"
)
_LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)"
_DATE = f"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)"
_OFFSET = "(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
_TIME = f"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]+)?{_OFFSET}"

PATTERNS = {
    "date": f"^{_DATE}$",
    "date-time": f"^{_DATE}[Tt]{_TIME}$",
}
"""The formats checked in bulk; a column with any other format is checked per value."""
