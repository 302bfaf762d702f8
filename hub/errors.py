"""The one exception hierarchy of streamhub.

Every error the hub raises on purpose is a ``HubError``; families are grouped by what the caller
should do about them, and every message says what went wrong, where, and what to do next::

    HubError
    ├── ConfigError                  bad configuration: fix the file or the option named
    ├── LogError                     the message log
    │   ├── TopicNotFoundError
    │   ├── TopicExistsError
    │   ├── OffsetOutOfRangeError
    │   ├── CorruptLogError          bytes on disk fail their CRC or framing
    │   └── LogLockedError           another process writes this data directory
    ├── StoreError                   the metadata store (SQLAlchemy)
    ├── SchemaError                  the schema registry; ``error_code`` is Confluent's
    │   ├── InvalidSchemaError       not a valid JSON Schema (42201)
    │   ├── IncompatibleSchemaError  breaks the subject's compatibility level (409)
    │   ├── SchemaNotFoundError      unknown subject, version or id (40401/40402/40403)
    │   ├── SchemaDeleteError        deletes in the wrong order (40404-40407)
    │   └── RegistryRequestError     a bad version, level or mode, or a forbidden write (422xx)
    ├── PluginError                  a plugin is broken or clashes with another
    └── ConnectorError               raised by connectors
        ├── RetriableError           the runtime retries with back-off
        ├── FatalError               the task stops
        └── RecordError              one record is bad: skippable to a dead-letter topic
"""

from __future__ import annotations

from collections.abc import Sequence


class HubError(Exception):
    """Root of every error streamhub raises on purpose."""


class ConfigError(HubError):
    """A configuration is invalid; ``problems`` lists every problem found, not only the first."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        self.problems = list(problems)
        if self.problems:
            message = message + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(message)


class LogError(HubError):
    """Something went wrong in the message log."""


class TopicNotFoundError(LogError):
    """The topic does not exist."""


class TopicExistsError(LogError):
    """The topic already exists."""


class OffsetOutOfRangeError(LogError):
    """A read asked for an offset the partition does not hold."""


class CorruptLogError(LogError):
    """Bytes on disk fail their CRC or framing somewhere other than a torn tail."""


class LogLockedError(LogError):
    """Another process holds the write lock of the data directory."""


class StoreError(HubError):
    """The metadata store failed (unreachable, schema mismatch...)."""


class PluginError(HubError):
    """A plugin is broken (bad hook result) or clashes with another (same type name)."""


class ConnectorError(HubError):
    """Raised by connectors; the subclass tells the runtime what to do."""


class RetriableError(ConnectorError):
    """A transient failure: the runtime retries with back-off."""


class FatalError(ConnectorError):
    """A failure that retrying cannot fix: the task stops."""


class RecordError(ConnectorError):
    """One record cannot be processed; the errors policy may route it to a dead-letter topic."""


class SchemaError(HubError):
    """The schema registry refused a request.

    ``error_code`` is the Confluent Schema Registry's code for the same failure, so that the
    REST API answers exactly what Confluent's clients expect; ``status`` is its HTTP status.
    """

    error_code = 50001
    status = 500

    def __init__(self, message: str, error_code: int | None = None) -> None:
        super().__init__(message)
        if error_code is not None:
            self.error_code = error_code
            self.status = int(str(error_code)[:3])


class InvalidSchemaError(SchemaError):
    """The text is not JSON, or not a valid JSON Schema."""

    error_code = 42201
    status = 422


class IncompatibleSchemaError(SchemaError):
    """The schema breaks the subject's compatibility level; ``incompatibilities`` says how."""

    error_code = 409
    status = 409

    def __init__(self, message: str, incompatibilities: Sequence[object] = ()) -> None:
        self.incompatibilities = list(incompatibilities)
        super().__init__(message)


class SchemaNotFoundError(SchemaError):
    """No such subject (40401), version (40402) or schema (40403)."""

    error_code = 40403
    status = 404


class SchemaDeleteError(SchemaError):
    """A delete out of order: permanent before soft (40405/40407), or soft twice (40404/40406)."""

    error_code = 40405
    status = 404


class RegistryRequestError(SchemaError):
    """A malformed version (42202), level (42203) or mode (42204), or a write the mode forbids."""

    error_code = 42205
    status = 422
