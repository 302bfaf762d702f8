"""What the built-in transforms share: a validated config, and fields named by dotted paths."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hub.errors import ConfigError
from hub.sdk import Transform

if TYPE_CHECKING:
    import pyarrow as pa


class BuiltinTransform(Transform):
    """A transform whose config is checked against its JSON Schema when it is built.

    A bad config fails at pipeline start with a ``ConfigError`` listing every problem, each with
    its path in the config, whoever builds the transform (the runtime, a test, a script).
    Subclasses read the valid config in ``configure`` and work on whole tables in ``apply``;
    they leave reserved columns (``__key``, ``__topic``, ``__hub_*``) alone unless writing them
    is their job, and keep row order.
    """

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        validate_config(type(self), config)
        self.configure(config)

    def configure(self, config: Mapping[str, Any]) -> None:
        """Read the (valid) config into attributes; raise ``ConfigError`` for what the schema
        cannot say."""

    def apply(self, table: pa.Table) -> pa.Table:
        raise NotImplementedError


def validate_config(cls: type[Transform], config: Mapping[str, Any]) -> None:
    """Raise ``ConfigError`` with every way ``config`` breaks ``cls``'s config schema."""
    from jsonschema import Draft202012Validator

    from hub.plugins import load_config_schema

    validator = Draft202012Validator(load_config_schema(cls))
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if errors:
        problems = [
            f"{'.'.join(str(p) for p in error.absolute_path) or '(config)'}: {error.message}"
            for error in errors
        ]
        raise ConfigError(f"transform {cls.type!r}: invalid config", problems)


def check_field_name(transform: str, name: str) -> None:
    """Reserved columns are not fields: a config naming one is a mistake."""
    from hub.arrow.columns import is_reserved

    if is_reserved(name):
        raise ConfigError(
            f"transform {transform!r}: {name!r} is a reserved column, not a field; keys are set "
            "with value_to_key and topics with route"
        )
