"""Validating batches against a registered JSON Schema: in bulk for tables, per record otherwise.

``BatchValidator`` is built once per schema version; ``validate_table`` checks Arrow tables a
column at a time with Arrow kernels and asks ``jsonschema_rs`` only about suspect rows and
what the kernels cannot check; ``validate_values`` checks JSON values and dicts one by one.
"""

from __future__ import annotations

from hub.registry.validation.batch import BatchValidator
from hub.registry.validation.violations import Violation

__all__ = ["BatchValidator", "Violation"]
