"""``RemoteRegistry``: the registry of a running ``hub serve`` (or any Confluent-compatible
schema registry), with the methods of ``Registry`` that the CLI needs.

Errors come back as the same ``SchemaError`` classes a local registry raises, chosen by
Confluent's error code, so callers do not care which one they hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx
import orjson

from hub.errors import (
    IncompatibleSchemaError,
    InvalidSchemaError,
    RegistryRequestError,
    SchemaDeleteError,
    SchemaError,
    SchemaNotFoundError,
)
from hub.registry.compatibility import Policy
from hub.registry.levels import Incompatibility
from hub.registry.registry import SchemaInput, SchemaVersion, VersionSpec
from hub.registry.settings import Compatibility

MEDIA_TYPE = "application/vnd.schemaregistry.v1+json"
_ERRORS: dict[int, type[SchemaError]] = {
    409: IncompatibleSchemaError,
    40401: SchemaNotFoundError,
    40402: SchemaNotFoundError,
    40403: SchemaNotFoundError,
    40404: SchemaDeleteError,
    40405: SchemaDeleteError,
    40406: SchemaDeleteError,
    40407: SchemaDeleteError,
    40408: SchemaNotFoundError,
    40409: SchemaNotFoundError,
    42201: InvalidSchemaError,
}


class RemoteRegistry:
    """A registry over HTTP. ``token`` is sent as a bearer token and never shown."""

    def __init__(self, url: str, *, token: str | None = None, timeout: float = 10.0) -> None:
        headers = {"Accept": MEDIA_TYPE, "Content-Type": MEDIA_TYPE}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def subjects(self, *, deleted: bool = False, prefix: str | None = None) -> list[str]:
        params: dict[str, Any] = {"deleted": _flag(deleted)}
        if prefix:
            params["subjectPrefix"] = prefix
        return list(self._call("GET", "/subjects", params=params))

    def versions(self, subject: str, *, deleted: bool = False) -> list[int]:
        return list(
            self._call(
                "GET", f"/subjects/{_q(subject)}/versions", params={"deleted": _flag(deleted)}
            )
        )

    def version(
        self, subject: str, version: VersionSpec = "latest", *, deleted: bool = False
    ) -> SchemaVersion:
        found = self._call(
            "GET",
            f"/subjects/{_q(subject)}/versions/{_q(str(version))}",
            params={"deleted": _flag(deleted)},
        )
        return SchemaVersion(found["subject"], found["version"], found["id"], found["schema"])

    def lookup(self, subject: str, schema: SchemaInput) -> SchemaVersion:
        found = self._call("POST", f"/subjects/{_q(subject)}", json=_body(schema))
        return SchemaVersion(found["subject"], found["version"], found["id"], found["schema"])

    def register(self, subject: str, schema: SchemaInput) -> int:
        return int(
            self._call("POST", f"/subjects/{_q(subject)}/versions", json=_body(schema))["id"]
        )

    def check(
        self, subject: str, schema: SchemaInput, version: VersionSpec | None = None
    ) -> list[Incompatibility]:
        path = f"/compatibility/subjects/{_q(subject)}/versions"
        if version is not None:
            path += f"/{_q(str(version))}"
        found = self._call("POST", path, json=_body(schema), params={"verbose": "true"})
        if found.get("is_compatible", True):
            return []
        detailed = found.get("incompatibilities")
        if detailed:
            return [Incompatibility(**item) for item in detailed]
        return [Incompatibility("", "", message, 0, "") for message in found.get("messages", [])]

    def compatibility(self, subject: str | None = None) -> Compatibility:
        path = "/config" if subject is None else f"/config/{_q(subject)}"
        params = {} if subject is None else {"defaultToGlobal": "true"}
        return Compatibility(self._call("GET", path, params=params)["compatibilityLevel"])

    def policy(self, subject: str | None = None) -> Policy:
        path = "/config" if subject is None else f"/config/{_q(subject)}"
        params = {} if subject is None else {"defaultToGlobal": "true"}
        return Policy(self._call("GET", path, params=params).get("compatibilityPolicy", "STRICT"))

    def set_config(
        self,
        subject: str | None = None,
        *,
        compatibility: Compatibility | str | None = None,
        policy: Policy | str | None = None,
    ) -> None:
        body: dict[str, str] = {}
        if compatibility is not None:
            body["compatibility"] = str(compatibility).upper()
        if policy is not None:
            body["compatibilityPolicy"] = str(policy).upper()
        self._call("PUT", "/config" if subject is None else f"/config/{_q(subject)}", json=body)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise SchemaError(
                f"cannot reach the schema registry at {self.url}: {exc}; check --url and that "
                "the server runs (hub serve)"
            ) from None
        try:
            document = orjson.loads(response.content) if response.content else None
        except orjson.JSONDecodeError:
            document = None
        if response.is_success:
            return document
        code = document.get("error_code") if isinstance(document, Mapping) else None
        message = document.get("message") if isinstance(document, Mapping) else None
        text = (
            f"{message or response.reason_phrase} ({self.url}{path}, HTTP {response.status_code})"
        )
        if response.status_code == 401:
            raise SchemaError(text + ": give the server's token with --token or HUB_API_TOKEN")
        fallback = RegistryRequestError if response.status_code == 422 else SchemaError
        kind = _ERRORS.get(code, fallback) if isinstance(code, int) else fallback
        if kind is IncompatibleSchemaError:
            raise kind(text)
        raise kind(text, error_code=code if isinstance(code, int) else None)


def _body(schema: SchemaInput) -> dict[str, Any]:
    text = schema if isinstance(schema, str) else orjson.dumps(schema).decode()
    return {"schema": text, "schemaType": "JSON"}


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _q(part: str) -> str:
    return quote(part, safe="")
