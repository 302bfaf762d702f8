"""Deleting versions and subjects, in Confluent's order: soft first, permanent after.

A soft delete hides a version but keeps its row (and its schema id readable); only a version or
subject already soft-deleted may be deleted permanently. Each function runs inside the
registry's write transaction and raises Confluent's error code for a delete out of order.
"""

from __future__ import annotations

from sqlalchemy import Connection

from hub.errors import RegistryRequestError, SchemaDeleteError, SchemaNotFoundError
from hub.registry import repository as rows

MAX_VERSION = (1 << 31) - 1
VersionSpec = int | str  # a number, "latest" or -1


def delete_version(
    connection: Connection, subject: str, number: int | None, *, permanent: bool
) -> int:
    """Delete version ``number`` (None: the latest) of ``subject``; return its number."""
    history = require_subject(rows.subject_versions(connection, subject), subject, True)
    if number is None:
        candidates = history if permanent else [r for r in history if not r.deleted]
        row = candidates[-1] if candidates else None
    else:
        row = next((r for r in history if r.version == number), None)
    if row is None:
        shown = "latest" if number is None else number
        raise SchemaNotFoundError(
            f"version {shown} of subject {subject!r} not found", error_code=40402
        )
    if permanent and not row.deleted:
        raise SchemaDeleteError(
            f"version {row.version} of subject {subject!r} was not soft-deleted first: delete "
            "it without permanent=true, then permanently",
            error_code=40407,
        )
    if not permanent and row.deleted:
        raise SchemaDeleteError(
            f"version {row.version} of subject {subject!r} was soft-deleted already; set "
            "permanent=true to delete it permanently",
            error_code=40406,
        )
    (rows.hard_delete if permanent else rows.soft_delete)(connection, subject, [row.version])
    return row.version


def delete_subject(connection: Connection, subject: str, *, permanent: bool) -> list[int]:
    """Delete every version of ``subject`` (permanently: its settings too); their numbers."""
    history = require_subject(rows.subject_versions(connection, subject), subject, True)
    live = [r.version for r in history if not r.deleted]
    if permanent:
        if live:
            raise SchemaDeleteError(
                f"subject {subject!r} was not soft-deleted first: delete it without "
                "permanent=true, then permanently",
                error_code=40405,
            )
        numbers = [r.version for r in history]
        rows.hard_delete(connection, subject, numbers)
        rows.write_settings(connection, subject, None, None, None)
        return numbers
    if not live:
        raise SchemaDeleteError(
            f"subject {subject!r} was soft-deleted already; set permanent=true to delete it "
            "permanently",
            error_code=40404,
        )
    rows.soft_delete(connection, subject, live)
    return live


def parse_version(version: VersionSpec) -> int | None:
    """A version number, or None for the latest. Raises 42202 for anything else."""
    text = str(version).strip()
    if text.lower() == "latest" or text == "-1":
        return None
    if text.isdigit() and 1 <= int(text) <= MAX_VERSION:
        return int(text)
    raise RegistryRequestError(
        f"the specified version {str(version)!r} is not a valid version id: use a number from 1 "
        f'to {MAX_VERSION}, or "latest" (or -1)',
        error_code=42202,
    )


def require_subject(
    history: list[rows.VersionRow], subject: str, deleted: bool
) -> list[rows.VersionRow]:
    """The subject's versions (live ones unless ``deleted``); 40401 when there are none."""
    found = history if deleted else [r for r in history if not r.deleted]
    if not found:
        raise SchemaNotFoundError(f"subject {subject!r} not found", error_code=40401)
    return found
