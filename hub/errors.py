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
