"""``Registry``: subjects, versions and global schema ids, with Confluent's rules.

The rules are those of the Confluent Schema Registry, so that its clients and its users' habits
carry over: the same schema has the same id in every subject; registering a schema a subject
already holds returns its id and adds no version; a new version must pass the subject's
compatibility level; deletes are soft first, permanent only after; READONLY forbids writes and
IMPORT lets a migration choose ids and versions. State lives in the metadata store, so every
process sharing the store (``hub run``, ``hub serve``, ``hub schemas``) sees one registry.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from hub.errors import (
    IncompatibleSchemaError,
    RegistryRequestError,
    SchemaNotFoundError,
)
from hub.registry import deletes
from hub.registry import repository as rows
from hub.registry.compatibility import Policy
from hub.registry.deletes import MAX_VERSION, VersionSpec, parse_version, require_subject
from hub.registry.levels import Incompatibility, check_level
from hub.registry.schema_text import SCHEMA_TYPE, ParsedSchema, parse_schema
from hub.registry.settings import DEFAULT_COMPATIBILITY, DEFAULT_MODE, Compatibility, Mode
from hub.store import Store
from hub.store.engine import begin_write, translate_errors

T = TypeVar("T")
SchemaInput = str | Mapping[str, Any] | bool

_WRITE_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class SchemaVersion:
    """One version of a subject."""

    subject: str
    version: int
    id: int
    schema: str
    schema_type: str = SCHEMA_TYPE
    deleted: bool = False

    def parsed(self) -> Any:
        return orjson.loads(self.schema)


@dataclass(frozen=True, slots=True)
class RegisteredSchema:
    """A schema by its global id."""

    id: int
    schema: str
    schema_type: str = SCHEMA_TYPE

    def parsed(self) -> Any:
        return orjson.loads(self.schema)


class Registry:
    """The schema registry over a ``Store``. Thread-safe; share one per process."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._engine = store.engine
        self._by_id: dict[int, RegisteredSchema] = {}
        self._lock = threading.Lock()

    # -- reading ---------------------------------------------------------------------------------
    def subjects(self, *, deleted: bool = False, prefix: str | None = None) -> list[str]:
        """Subjects with a live version (or any version, with ``deleted``), sorted."""
        return self._read(
            "list subjects", lambda c: rows.subjects(c, deleted=deleted, prefix=prefix)
        )

    def versions(self, subject: str, *, deleted: bool = False) -> list[int]:
        """The subject's version numbers, oldest first. Raises 40401 for an unknown subject."""
        found = self._versions(subject, deleted=deleted)
        return [row.version for row in found]

    def version(
        self, subject: str, version: VersionSpec = "latest", *, deleted: bool = False
    ) -> SchemaVersion:
        """One version: a number, ``"latest"`` or ``-1``. Raises 40401, 40402 or 42202."""
        number = parse_version(version)
        found = self._versions(subject, deleted=deleted)
        row = found[-1] if number is None else next((r for r in found if r.version == number), None)
        if row is None:
            raise SchemaNotFoundError(
                f"version {number} of subject {subject!r} not found", error_code=40402
            )
        return self._subject_version(row)

    def latest(self, subject: str) -> SchemaVersion | None:
        """The subject's latest live version, or None: the pipeline's question, without raising."""
        live = [
            r
            for r in self._read("read subject", lambda c: rows.subject_versions(c, subject))
            if not r.deleted
        ]
        return self._subject_version(live[-1]) if live else None

    def schema(self, schema_id: int) -> RegisteredSchema:
        """The schema with this global id. Raises 40403."""
        cached = self._by_id.get(schema_id)
        if cached is not None:
            return cached
        if not 1 <= schema_id <= MAX_VERSION:  # ids are positive database integers
            raise SchemaNotFoundError(f"schema {schema_id} not found", error_code=40403)
        row = self._read("read schema", lambda c: rows.schema_by_id(c, schema_id))
        if row is None:
            raise SchemaNotFoundError(f"schema {schema_id} not found", error_code=40403)
        found = RegisteredSchema(row.id, row.text, row.schema_type)
        self._by_id[schema_id] = found
        return found

    def usages(self, schema_id: int, *, deleted: bool = False) -> list[tuple[str, int]]:
        """Every ``(subject, version)`` holding the schema. Raises 40403 for an unknown id."""
        self.schema(schema_id)
        found = self._read("read schema usages", lambda c: rows.versions_of_schema(c, schema_id))
        return [(r.subject, r.version) for r in found if deleted or not r.deleted]

    def lookup(
        self,
        subject: str,
        schema: SchemaInput,
        *,
        deleted: bool = False,
        schema_type: str | None = None,
    ) -> SchemaVersion:
        """The subject's version holding ``schema`` (in any key order). Raises 40401 or 40403."""
        parsed = parse_schema(schema, schema_type)
        found = self._versions(subject, deleted=deleted)
        schema_id = self._read(
            "look up schema", lambda c: rows.schema_id_by_fingerprint(c, parsed.fingerprint)
        )
        matches = [r for r in found if r.schema_id == schema_id]
        if not matches:
            raise SchemaNotFoundError(
                f"schema not found under subject {subject!r}", error_code=40403
            )
        return self._subject_version(matches[-1])

    # -- compatibility ---------------------------------------------------------------------------
    def check(
        self,
        subject: str,
        schema: SchemaInput,
        version: VersionSpec | None = None,
        *,
        schema_type: str | None = None,
    ) -> list[Incompatibility]:
        """How ``schema`` would break the subject's level: against ``version`` only if given,
        else against the versions the level names. Empty: compatible. A subject with no
        version accepts anything when no version is named; naming one raises 40401/40402."""
        parsed = parse_schema(schema, schema_type)
        level = self.compatibility(subject)
        policy = self.policy(subject)
        if version is not None:
            target = self.version(subject, version)
            history = [(target.version, target.parsed())]
            level = Compatibility(level.removesuffix("_TRANSITIVE"))
        else:
            history = self._history(subject)
        return check_level(parsed.schema, history, level, policy)

    # -- writing ---------------------------------------------------------------------------------
    def register(
        self,
        subject: str,
        schema: SchemaInput,
        *,
        schema_type: str | None = None,
        references: object = None,
        schema_id: int | None = None,
        version: int | None = None,
    ) -> int:
        """Register ``schema`` under ``subject`` and return its global id.

        An identical live version returns its id and adds nothing. Otherwise the schema must
        pass the subject's compatibility level (``IncompatibleSchemaError``, 409, lists every
        incompatibility), and the subject must be writable (42205 in READONLY). In IMPORT mode
        the caller may give the id and version to keep, and no compatibility is checked.
        """
        parsed = parse_schema(schema, schema_type, references)
        mode = self.mode(subject)
        if mode is Mode.READONLY:
            raise RegistryRequestError(f"subject {subject!r} is in read-only mode", 42205)
        if (schema_id is not None or version is not None) and mode is not Mode.IMPORT:
            raise RegistryRequestError(
                f"subject {subject!r} is not in import mode: an id or version can be given only "
                'in IMPORT mode (PUT /mode/SUBJECT {"mode": "IMPORT"})',
                42205,
            )
        if schema_id is not None and not 1 <= schema_id <= MAX_VERSION:
            raise RegistryRequestError(
                f"id {schema_id} is not a valid schema id: use 1 to {MAX_VERSION}", 42205
            )
        if version is not None and not 1 <= version <= MAX_VERSION:
            raise RegistryRequestError(f"version {version} is not a valid version", 42202)
        return self._write(
            f"register a schema under {subject!r}",
            lambda c: self._register(c, subject, parsed, mode, schema_id, version),
        )

    def _register(
        self,
        connection: Connection,
        subject: str,
        parsed: ParsedSchema,
        mode: Mode,
        schema_id: int | None,
        version: int | None,
    ) -> int:
        history = rows.subject_versions(connection, subject)
        existing = rows.schema_id_by_fingerprint(connection, parsed.fingerprint)
        if schema_id is not None and existing not in (None, schema_id):
            raise RegistryRequestError(
                f"this schema already has id {existing}; it cannot be imported as {schema_id}",
                42205,
            )
        if schema_id is not None and existing is None:
            taken = rows.schema_by_id(connection, schema_id)
            if taken is not None:
                raise RegistryRequestError(
                    f"id {schema_id} is taken by another schema; overwriting it is not permitted",
                    42205,
                )
        live = [r for r in history if not r.deleted]
        if existing is not None and version is None:
            for row in live:
                if row.schema_id == existing:
                    return existing
        if mode is not Mode.IMPORT:
            level, policy = self._settings(connection, subject)
            previous = [(r.version, self._parsed_by_id(connection, r.schema_id)) for r in live]
            found = check_level(parsed.schema, previous, level, policy)
            if found:
                raise IncompatibleSchemaError(
                    f"the schema is incompatible with subject {subject!r} at level {level} "
                    f"({len(found)} incompatibilit{'y' if len(found) == 1 else 'ies'}):\n"
                    + "\n".join(f"  - {i.path}: {i.message} ({i.type})" for i in found),
                    found,
                )
        new_id = rows.insert_schema(
            connection, parsed.fingerprint, SCHEMA_TYPE, parsed.text, existing or schema_id
        )
        number = version or max((r.version for r in history), default=0) + 1
        if any(r.version == number for r in history):
            raise RegistryRequestError(
                f"version {number} of subject {subject!r} exists already", 42205
            )
        rows.insert_version(connection, subject, number, new_id, time.time_ns() // 1_000_000)
        return new_id

    def delete_version(self, subject: str, version: VersionSpec, *, permanent: bool = False) -> int:
        """Soft-delete a version, or permanently delete a soft-deleted one; return its number."""
        self._check_writable(subject)
        number = parse_version(version)
        return self._write(
            f"delete a version of {subject!r}",
            lambda c: deletes.delete_version(c, subject, number, permanent=permanent),
        )

    def delete_subject(self, subject: str, *, permanent: bool = False) -> list[int]:
        """Soft-delete every version of the subject, or permanently delete a soft-deleted
        subject (and its settings); return the version numbers deleted."""
        self._check_writable(subject)
        return self._write(
            f"delete subject {subject!r}",
            lambda c: deletes.delete_subject(c, subject, permanent=permanent),
        )

    # -- settings --------------------------------------------------------------------------------
    def compatibility(
        self, subject: str | None = None, *, default_to_global: bool = True
    ) -> Compatibility:
        """The level in force for ``subject`` (or the global one). Without ``default_to_global``
        a subject with no level of its own raises 40408."""
        return self._setting(
            subject,
            0,
            default_to_global,
            Compatibility,
            DEFAULT_COMPATIBILITY,
            40408,
            "compatibility level",
        )

    def policy(self, subject: str | None = None) -> Policy:
        """STRICT (Confluent's rules) or LENIENT (optional properties may join an open model)."""
        return self._setting(subject, 1, True, Policy, Policy.STRICT, 40408, "compatibility policy")

    def mode(self, subject: str | None = None, *, default_to_global: bool = True) -> Mode:
        """The mode in force for ``subject`` (or the global one); 40409 as for ``compatibility``."""
        return self._setting(subject, 2, default_to_global, Mode, DEFAULT_MODE, 40409, "mode")

    def set_config(
        self,
        subject: str | None = None,
        *,
        compatibility: Compatibility | str | None = None,
        policy: Policy | str | None = None,
    ) -> None:
        """Set the level and/or policy of ``subject`` (or globally); None keeps what is set."""
        level = None if compatibility is None else Compatibility.parse(compatibility)
        rules = None if policy is None else _parse_policy(policy)

        def write(connection: Connection) -> None:
            old = rows.read_settings(connection, subject or rows.GLOBAL)
            rows.write_settings(
                connection, subject or rows.GLOBAL, level or old[0], rules or old[1], old[2]
            )

        self._write("set the compatibility level", write)

    def delete_config(self, subject: str | None = None) -> Compatibility:
        """Forget the subject's own level and policy (the global ones apply again; for the
        global config, the defaults); return the level that was in force."""
        previous = self.compatibility(subject)

        def write(connection: Connection) -> None:
            old = rows.read_settings(connection, subject or rows.GLOBAL)
            if subject is not None and old[0] is None and old[1] is None:
                raise SchemaNotFoundError(
                    f"subject {subject!r} has no compatibility level of its own", error_code=40408
                )
            rows.write_settings(connection, subject or rows.GLOBAL, None, None, old[2])

        self._write("delete the compatibility level", write)
        return previous

    def set_mode(self, subject: str | None, mode: Mode | str, *, force: bool = False) -> Mode:
        """Set the mode. IMPORT needs an empty subject (or registry) unless ``force``."""
        chosen = Mode.parse(mode)
        if chosen is Mode.IMPORT and not force:
            holding = (
                self.subjects(deleted=True)
                if subject is None
                else [s for s in self.subjects(deleted=True, prefix=subject) if s == subject]
            )
            if holding:
                raise RegistryRequestError(
                    f"cannot switch {'the registry' if subject is None else repr(subject)} to "
                    "IMPORT mode: it holds schemas; pass force=true to do it anyway",
                    42205,
                )

        def write(connection: Connection) -> None:
            old = rows.read_settings(connection, subject or rows.GLOBAL)
            rows.write_settings(connection, subject or rows.GLOBAL, old[0], old[1], chosen)

        self._write("set the mode", write)
        return chosen

    def delete_mode(self, subject: str) -> Mode:
        """Forget the subject's own mode; return the mode that was in force."""
        previous = self.mode(subject, default_to_global=False)

        def write(connection: Connection) -> None:
            old = rows.read_settings(connection, subject)
            rows.write_settings(connection, subject, old[0], old[1], None)

        self._write("delete the mode", write)
        return previous

    # -- internals -------------------------------------------------------------------------------
    def _versions(self, subject: str, *, deleted: bool) -> list[rows.VersionRow]:
        history = self._read("read subject", lambda c: rows.subject_versions(c, subject))
        return require_subject(history, subject, deleted)

    def _history(self, subject: str) -> list[tuple[int, Any]]:
        def read(connection: Connection) -> list[tuple[int, Any]]:
            live = [r for r in rows.subject_versions(connection, subject) if not r.deleted]
            return [(r.version, self._parsed_by_id(connection, r.schema_id)) for r in live]

        return self._read("read subject", read)

    def _parsed_by_id(self, connection: Connection, schema_id: int) -> Any:
        cached = self._by_id.get(schema_id)
        if cached is None:
            row = rows.schema_by_id(connection, schema_id)
            if row is None:
                raise SchemaNotFoundError(f"schema {schema_id} not found", error_code=40403)
            cached = self._by_id[schema_id] = RegisteredSchema(row.id, row.text, row.schema_type)
        return cached.parsed()

    def _subject_version(self, row: rows.VersionRow) -> SchemaVersion:
        schema = self.schema(row.schema_id)
        return SchemaVersion(
            row.subject, row.version, row.schema_id, schema.schema, schema.schema_type, row.deleted
        )

    def _settings(self, connection: Connection, subject: str) -> tuple[Compatibility, Policy]:
        own = rows.read_settings(connection, subject)
        default = rows.read_settings(connection, rows.GLOBAL)
        level = own[0] or default[0] or DEFAULT_COMPATIBILITY
        policy = own[1] or default[1] or Policy.STRICT
        return Compatibility(level), Policy(policy)

    def _setting(
        self,
        subject: str | None,
        index: int,
        default_to_global: bool,
        kind: Callable[[str], T],
        default: T,
        code: int,
        what: str,
    ) -> T:
        def read(connection: Connection) -> str | None:
            own = rows.read_settings(connection, subject or rows.GLOBAL)[index]
            if own is not None or subject is None or not default_to_global:
                return own
            return rows.read_settings(connection, rows.GLOBAL)[index]

        value = self._read(f"read the {what}", read)
        if value is None and subject is not None and not default_to_global:
            raise SchemaNotFoundError(
                f"subject {subject!r} has no {what} of its own (the global one applies)",
                error_code=code,
            )
        return default if value is None else kind(value)

    def _check_writable(self, subject: str) -> None:
        if self.mode(subject) is Mode.READONLY:
            raise RegistryRequestError(f"subject {subject!r} is in read-only mode", 42205)

    def _read(self, action: str, query: Callable[[Connection], T]) -> T:
        with translate_errors(self._engine.url, action), self._engine.connect() as connection:
            return query(connection)

    def _write(self, action: str, change: Callable[[Connection], T]) -> T:
        """Run ``change`` in a write transaction, again if a concurrent writer took the same
        version number or schema id first."""
        with translate_errors(self._engine.url, action):
            for attempt in range(1, _WRITE_ATTEMPTS + 1):
                try:
                    with self._writing() as connection:
                        return change(connection)
                except IntegrityError:
                    if attempt == _WRITE_ATTEMPTS:
                        raise
        raise AssertionError("unreachable")

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self._lock, begin_write(self._engine) as connection:
            yield connection


def _parse_policy(value: object) -> Policy:
    try:
        return Policy(str(value).upper())
    except ValueError:
        raise RegistryRequestError(
            f"invalid compatibility policy {value!r}: use STRICT or LENIENT", error_code=42203
        ) from None
