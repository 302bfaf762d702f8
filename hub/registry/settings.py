"""The registry's settings: compatibility levels, policies and modes, as Confluent names them."""

from __future__ import annotations

from enum import StrEnum

from hub.errors import RegistryRequestError


class Compatibility(StrEnum):
    """Which earlier versions a new version must stay compatible with, and in which direction."""

    NONE = "NONE"
    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"

    @property
    def transitive(self) -> bool:
        """Checked against every version, not only the latest."""
        return self.name.endswith("_TRANSITIVE")

    @property
    def backward(self) -> bool:
        """New readers must read old data."""
        return self.name.startswith(("BACKWARD", "FULL"))

    @property
    def forward(self) -> bool:
        """Old readers must read new data."""
        return self.name.startswith(("FORWARD", "FULL"))

    @classmethod
    def parse(cls, value: object) -> Compatibility:
        try:
            return cls(str(value).upper())
        except ValueError:
            raise RegistryRequestError(
                f"invalid compatibility level {value!r}: use one of {', '.join(cls)}",
                error_code=42203,
            ) from None


class Mode(StrEnum):
    """READWRITE: normal. READONLY: no registration or delete. IMPORT: ids and versions given."""

    READWRITE = "READWRITE"
    READONLY = "READONLY"
    IMPORT = "IMPORT"

    @classmethod
    def parse(cls, value: object) -> Mode:
        try:
            return cls(str(value).upper())
        except ValueError:
            raise RegistryRequestError(
                f"invalid mode {value!r}: use one of {', '.join(cls)}", error_code=42204
            ) from None


DEFAULT_COMPATIBILITY = Compatibility.BACKWARD
DEFAULT_MODE = Mode.READWRITE
