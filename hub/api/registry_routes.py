"""The Confluent Schema Registry REST API: subjects, versions, schemas by id, compatibility.

Paths, bodies, answers and error codes are Confluent's, so its clients and serializers work
unchanged; ``config_routes`` holds ``/config`` and ``/mode``. Routes are plain ``def``: the
registry is synchronous (SQLAlchemy), so FastAPI runs them in its thread pool.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from hub.api.config_routes import router as config_router
from hub.api.media import RegistryJSONResponse, respond, respond_raw
from hub.api.requests import MAX_INT, SchemaRequest, current_registry, flag, schema_request
from hub.errors import SchemaNotFoundError
from hub.registry import SCHEMA_TYPES, Registry, SchemaVersion, parse_version

T = TypeVar("T")

RegistryDep = Annotated[Registry, Depends(current_registry)]
SchemaBody = Annotated[SchemaRequest, Depends(schema_request)]
Deleted = Annotated[bool, Depends(flag("deleted"))]
DeletedOnly = Annotated[bool, Depends(flag("deleted_only"))]
Permanent = Annotated[bool, Depends(flag("permanent"))]
Verbose = Annotated[bool, Depends(flag("verbose"))]
Offset = Annotated[int, Query(ge=0)]

ALL_SUBJECTS = ":*:"  # Confluent's prefix for "every subject of the default context"

router = APIRouter(default_response_class=RegistryJSONResponse)
router.include_router(config_router)


@router.get("/")
def root() -> Response:
    return respond({})


# -- subjects and versions -----------------------------------------------------------------------
@router.get("/subjects")
def list_subjects(
    registry: RegistryDep,
    deleted: Deleted,
    deleted_only: DeletedOnly,
    subject_prefix: Annotated[str | None, Query(alias="subjectPrefix")] = None,
    offset: Offset = 0,
    limit: int = -1,
) -> Response:
    prefix = None if subject_prefix in (None, "", ALL_SUBJECTS) else subject_prefix
    found = registry.subjects(deleted=deleted or deleted_only, prefix=prefix)
    if deleted_only:
        live = set(registry.subjects(prefix=prefix))
        found = [s for s in found if s not in live]
    return respond(_page(found, offset, limit))


@router.get("/subjects/{subject}/versions")
def list_versions(
    registry: RegistryDep,
    subject: str,
    deleted: Deleted,
    deleted_only: DeletedOnly,
    offset: Offset = 0,
    limit: int = -1,
) -> Response:
    found = registry.versions(subject, deleted=deleted or deleted_only)
    if deleted_only:
        live = set(_live_versions(registry, subject))
        found = [v for v in found if v not in live]
    return respond(_page(found, offset, limit))


@router.post("/subjects/{subject}/versions")
def register(registry: RegistryDep, subject: str, body: SchemaBody) -> Response:
    """Register a schema (``?normalize`` is accepted: identity is always key-order blind)."""
    schema_id = registry.register(
        subject,
        body.schema,
        schema_type=body.schema_type,
        references=body.references,
        schema_id=body.id,
        version=body.version,
    )
    return respond({"id": schema_id})


@router.post("/subjects/{subject}")
def lookup(registry: RegistryDep, subject: str, body: SchemaBody, deleted: Deleted) -> Response:
    """The version of the subject holding this schema: what serializers ask before producing."""
    found = registry.lookup(subject, body.schema, deleted=deleted, schema_type=body.schema_type)
    return respond(_version(found))


@router.delete("/subjects/{subject}")
def delete_subject(registry: RegistryDep, subject: str, permanent: Permanent) -> Response:
    return respond(registry.delete_subject(subject, permanent=permanent))


@router.get("/subjects/{subject}/versions/{version}")
def get_version(registry: RegistryDep, subject: str, version: str, deleted: Deleted) -> Response:
    return respond(_version(registry.version(subject, version, deleted=deleted)))


@router.get("/subjects/{subject}/versions/{version}/schema")
def get_version_schema(
    registry: RegistryDep, subject: str, version: str, deleted: Deleted
) -> Response:
    return respond_raw(registry.version(subject, version, deleted=deleted).schema)


@router.get("/subjects/{subject}/versions/{version}/referencedby")
def get_referenced_by(
    registry: RegistryDep, subject: str, version: str, deleted: Deleted
) -> Response:
    """Always empty: schemas cannot reference other subjects yet (they inline ``$defs``)."""
    registry.version(subject, version, deleted=deleted)
    return respond([])


@router.delete("/subjects/{subject}/versions/{version}")
def delete_version(
    registry: RegistryDep, subject: str, version: str, permanent: Permanent
) -> Response:
    return respond(registry.delete_version(subject, version, permanent=permanent))


# -- schemas by id ---------------------------------------------------------------------------
@router.get("/schemas/types")
def schema_types() -> Response:
    return respond(list(SCHEMA_TYPES))


@router.get("/schemas/ids/{schema_id}")
def get_schema(registry: RegistryDep, schema_id: int) -> Response:
    """The schema with this id (``?subject`` is accepted; ids are global here)."""
    found = registry.schema(_known_id(schema_id))
    return respond({"schema": found.schema, "schemaType": found.schema_type})


@router.get("/schemas/ids/{schema_id}/schema")
def get_schema_text(registry: RegistryDep, schema_id: int) -> Response:
    return respond_raw(registry.schema(_known_id(schema_id)).schema)


@router.get("/schemas/ids/{schema_id}/subjects")
def get_schema_subjects(registry: RegistryDep, schema_id: int, deleted: Deleted) -> Response:
    usages = registry.usages(_known_id(schema_id), deleted=deleted)
    return respond(sorted({subject for subject, _ in usages}))


@router.get("/schemas/ids/{schema_id}/versions")
def get_schema_versions(registry: RegistryDep, schema_id: int, deleted: Deleted) -> Response:
    usages = registry.usages(_known_id(schema_id), deleted=deleted)
    return respond([{"subject": subject, "version": version} for subject, version in usages])


# -- compatibility ---------------------------------------------------------------------------
@router.post("/compatibility/subjects/{subject}/versions/{version}")
def check_against_version(
    registry: RegistryDep, subject: str, version: str, body: SchemaBody, verbose: Verbose
) -> Response:
    """Against one version, at the subject's level without ``_TRANSITIVE``. ``latest`` of a
    subject with no version is compatible, as in Confluent."""
    if parse_version(version) is None and registry.latest(subject) is None:
        return respond(_compatibility([], verbose))
    found = registry.check(subject, body.schema, version, schema_type=body.schema_type)
    return respond(_compatibility(found, verbose))


@router.post("/compatibility/subjects/{subject}/versions")
def check_against_level(
    registry: RegistryDep, subject: str, body: SchemaBody, verbose: Verbose
) -> Response:
    """Against the versions the subject's level names (all of them when transitive)."""
    found = registry.check(subject, body.schema, schema_type=body.schema_type)
    return respond(_compatibility(found, verbose))


# -- helpers ---------------------------------------------------------------------------------
def _version(found: SchemaVersion) -> dict[str, Any]:
    return {
        "subject": found.subject,
        "id": found.id,
        "version": found.version,
        "schema": found.schema,
        "schemaType": found.schema_type,
    }


def _compatibility(found: Sequence[Any], verbose: bool) -> dict[str, Any]:
    """Confluent's answer; with ``verbose``, its ``messages`` and, as our extension, the same
    incompatibilities as objects (what ``RemoteRegistry.check`` reads back)."""
    answer: dict[str, Any] = {"is_compatible": not found}
    if verbose:
        answer["messages"] = [item.describe() for item in found]
        answer["incompatibilities"] = [asdict(item) for item in found]
    return answer


def _known_id(schema_id: int) -> int:
    """An id the store can hold; any other is simply not found (as Confluent's Java int)."""
    if not 0 <= schema_id <= MAX_INT:
        raise SchemaNotFoundError(f"schema {schema_id} not found", error_code=40403)
    return schema_id


def _live_versions(registry: Registry, subject: str) -> list[int]:
    try:
        return registry.versions(subject)
    except SchemaNotFoundError:
        return []


def _page(items: list[T], offset: int, limit: int) -> list[T]:
    """Confluent's pagination: skip ``offset``, then at most ``limit`` (negative: all)."""
    items = items[offset:]
    return items if limit < 0 else items[:limit]
