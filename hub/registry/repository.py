"""The registry's queries, on a SQLAlchemy connection: no rules here, only rows.

``Registry`` decides what may happen (compatibility, modes, delete order); these functions read
and write ``hub_registry_*`` tables and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from hub.store.tables import registry_schemas as schemas
from hub.store.tables import registry_settings as settings
from hub.store.tables import registry_versions as versions
from hub.store.upsert import upsert

GLOBAL = ""  # the settings row of the whole registry


@dataclass(frozen=True, slots=True)
class VersionRow:
    subject: str
    version: int
    schema_id: int
    deleted: bool


@dataclass(frozen=True, slots=True)
class SchemaRow:
    id: int
    schema_type: str
    text: str


_VERSION_COLUMNS = (
    versions.c.subject,
    versions.c.version,
    versions.c.schema_id,
    versions.c.deleted,
)


def _version_rows(connection: Connection, query: object) -> list[VersionRow]:
    return [VersionRow(r[0], r[1], r[2], bool(r[3])) for r in connection.execute(query)]  # type: ignore[call-overload]


def subjects(connection: Connection, *, deleted: bool, prefix: str | None) -> list[str]:
    query = select(versions.c.subject).distinct().order_by(versions.c.subject)
    if not deleted:
        query = query.where(versions.c.deleted.is_(False))
    if prefix:
        query = query.where(versions.c.subject.startswith(prefix, autoescape=True))
    return list(connection.execute(query).scalars())


def subject_versions(connection: Connection, subject: str) -> list[VersionRow]:
    """Every version of the subject, soft-deleted ones included, oldest first."""
    query = (
        select(*_VERSION_COLUMNS).where(versions.c.subject == subject).order_by(versions.c.version)
    )
    return _version_rows(connection, query)


def versions_of_schema(connection: Connection, schema_id: int) -> list[VersionRow]:
    query = (
        select(*_VERSION_COLUMNS)
        .where(versions.c.schema_id == schema_id)
        .order_by(versions.c.subject, versions.c.version)
    )
    return _version_rows(connection, query)


def schema_by_id(connection: Connection, schema_id: int) -> SchemaRow | None:
    query = select(schemas.c.id, schemas.c.schema_type, schemas.c.schema_text).where(
        schemas.c.id == schema_id
    )
    row = connection.execute(query).one_or_none()
    return None if row is None else SchemaRow(row[0], row[1], row[2])


def schema_id_by_fingerprint(connection: Connection, fingerprint: str) -> int | None:
    query = select(schemas.c.id).where(schemas.c.fingerprint == fingerprint)
    return connection.execute(query).scalar_one_or_none()


def max_schema_id(connection: Connection) -> int:
    return connection.execute(select(func.max(schemas.c.id))).scalar_one_or_none() or 0


def insert_schema(
    connection: Connection,
    fingerprint: str,
    schema_type: str,
    text: str,
    schema_id: int | None = None,
) -> int:
    """Add a schema and return its id; an existing fingerprint returns the existing id."""
    found = schema_id_by_fingerprint(connection, fingerprint)
    if found is not None:
        return found
    row = {"fingerprint": fingerprint, "schema_type": schema_type, "schema_text": text}
    if schema_id is not None:
        row["id"] = schema_id  # type: ignore[assignment]
    try:
        with connection.begin_nested():
            result = connection.execute(insert(schemas).values(**row))
    except IntegrityError:
        # Another writer stored the same schema a moment ago.
        found = schema_id_by_fingerprint(connection, fingerprint)
        if found is None:
            raise
        return found
    if schema_id is not None:
        return schema_id
    inserted = result.inserted_primary_key
    assert inserted is not None
    return int(inserted[0])


def insert_version(
    connection: Connection, subject: str, version: int, schema_id: int, now_ms: int
) -> None:
    connection.execute(
        insert(versions).values(
            subject=subject,
            version=version,
            schema_id=schema_id,
            deleted=False,
            registered_ms=now_ms,
        )
    )


def soft_delete(connection: Connection, subject: str, numbers: list[int]) -> None:
    connection.execute(
        update(versions)
        .where(and_(versions.c.subject == subject, versions.c.version.in_(numbers)))
        .values(deleted=True)
    )


def hard_delete(connection: Connection, subject: str, numbers: list[int]) -> None:
    connection.execute(
        delete(versions).where(and_(versions.c.subject == subject, versions.c.version.in_(numbers)))
    )


def read_settings(
    connection: Connection, subject: str
) -> tuple[str | None, str | None, str | None]:
    """(compatibility, policy, mode) of the subject (or GLOBAL); Nones where unset."""
    query = select(settings.c.compatibility, settings.c.policy, settings.c.mode).where(
        settings.c.subject == subject
    )
    row = connection.execute(query).one_or_none()
    return (None, None, None) if row is None else (row[0], row[1], row[2])


def write_settings(
    connection: Connection,
    subject: str,
    compatibility: str | None,
    policy: str | None,
    mode: str | None,
) -> None:
    if compatibility is None and policy is None and mode is None:
        connection.execute(delete(settings).where(settings.c.subject == subject))
        return
    row = {"subject": subject, "compatibility": compatibility, "policy": policy, "mode": mode}
    upsert(connection, settings, [row], ("subject",))
