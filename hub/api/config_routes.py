"""``/config`` and ``/mode``: compatibility levels and modes, global or per subject.

Confluent's shapes: GET answers ``{"compatibilityLevel": L}`` (and, our extension,
``"compatibilityPolicy"``: STRICT or LENIENT); PUT takes ``{"compatibility": L}`` and echoes it;
DELETE answers what was in force. ``GET /config/{subject}`` answers 40408 when the subject has
no level of its own unless ``?defaultToGlobal=true`` (confluent-kafka's ``get_compatibility``
sends no such flag); DELETE of a subject's own setting that does not exist answers 40401.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends
from starlette.responses import Response

from hub.api.media import RegistryJSONResponse, respond
from hub.api.requests import current_registry, flag, json_object
from hub.errors import RegistryRequestError, SchemaNotFoundError
from hub.registry import Compatibility, Mode, Policy, Registry

T = TypeVar("T")

RegistryDep = Annotated[Registry, Depends(current_registry)]
JsonObject = Annotated[dict[str, Any], Depends(json_object)]
DefaultToGlobal = Annotated[bool, Depends(flag("defaultToGlobal"))]
Force = Annotated[bool, Depends(flag("force"))]

router = APIRouter(default_response_class=RegistryJSONResponse)


# -- compatibility levels --------------------------------------------------------------------
@router.get("/config")
def get_global_config(registry: RegistryDep) -> Response:
    return respond(_config(registry.compatibility(), registry.policy()))


@router.get("/config/{subject}")
def get_subject_config(
    registry: RegistryDep, subject: str, default_to_global: DefaultToGlobal
) -> Response:
    level = registry.compatibility(subject, default_to_global=default_to_global)
    return respond(_config(level, registry.policy(subject)))


@router.put("/config")
def set_global_config(registry: RegistryDep, body: JsonObject) -> Response:
    return respond(_set_config(registry, None, body))


@router.put("/config/{subject}")
def set_subject_config(registry: RegistryDep, subject: str, body: JsonObject) -> Response:
    return respond(_set_config(registry, subject, body))


@router.delete("/config")
def delete_global_config(registry: RegistryDep) -> Response:
    """Back to the defaults (BACKWARD, STRICT); answers the level that was in force."""
    return respond({"compatibilityLevel": registry.delete_config(None)})


@router.delete("/config/{subject}")
def delete_subject_config(registry: RegistryDep, subject: str) -> Response:
    previous = _own_setting(subject, "compatibility level", registry.delete_config)
    return respond({"compatibilityLevel": previous})


# -- modes -----------------------------------------------------------------------------------
@router.get("/mode")
def get_global_mode(registry: RegistryDep) -> Response:
    return respond({"mode": registry.mode()})


@router.get("/mode/{subject}")
def get_subject_mode(
    registry: RegistryDep, subject: str, default_to_global: DefaultToGlobal
) -> Response:
    return respond({"mode": registry.mode(subject, default_to_global=default_to_global)})


@router.put("/mode")
def set_global_mode(registry: RegistryDep, body: JsonObject, force: Force) -> Response:
    return respond({"mode": registry.set_mode(None, _mode(body), force=force)})


@router.put("/mode/{subject}")
def set_subject_mode(
    registry: RegistryDep, subject: str, body: JsonObject, force: Force
) -> Response:
    return respond({"mode": registry.set_mode(subject, _mode(body), force=force)})


@router.delete("/mode/{subject}")
def delete_subject_mode(registry: RegistryDep, subject: str) -> Response:
    return respond({"mode": _own_setting(subject, "mode", registry.delete_mode)})


# -- helpers ---------------------------------------------------------------------------------
def _config(level: Compatibility, policy: Policy) -> dict[str, str]:
    return {"compatibilityLevel": str(level), "compatibilityPolicy": str(policy)}


def _set_config(registry: Registry, subject: str | None, body: dict[str, Any]) -> dict[str, str]:
    """Set what the body names: the level, the policy, or both; echo them in canonical form."""
    level = body.get("compatibility")
    policy = body.get("compatibilityPolicy")
    if level is None and policy is None:
        raise RegistryRequestError(
            'no compatibility level given: send {"compatibility": "BACKWARD"} (or another level: '
            f'{", ".join(Compatibility)}), and/or "compatibilityPolicy": STRICT or LENIENT',
            error_code=42203,
        )
    registry.set_config(subject, compatibility=level, policy=policy)
    echoed: dict[str, str] = {}
    if level is not None:
        echoed["compatibility"] = str(Compatibility.parse(level))
    if policy is not None:
        echoed["compatibilityPolicy"] = str(policy).upper()
    return echoed


def _mode(body: dict[str, Any]) -> Mode:
    return Mode.parse(body.get("mode"))


def _own_setting(subject: str, what: str, delete: Callable[[str], T]) -> T:
    """Delete the subject's own setting; Confluent answers 40401 when it has none."""
    try:
        return delete(subject)
    except SchemaNotFoundError as exc:
        if exc.error_code not in (40408, 40409):
            raise
        raise SchemaNotFoundError(
            f"subject {subject!r} has no {what} of its own to delete", error_code=40401
        ) from None
