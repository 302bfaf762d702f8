"""The built-in transforms, and what the runtime needs to run any transform on a batch.

The transform classes are registered through ``hub.transforms.plugin`` like any plugin's; this
package re-exports the pieces the runtime uses: ``apply_when`` (a transform on the rows that
match a condition) and ``RowsFailed`` (which rows a transform could not handle).
"""

from __future__ import annotations

from hub.transforms.errors import FieldNotFoundError, RowsFailed
from hub.transforms.when import apply_when

__all__ = ["FieldNotFoundError", "RowsFailed", "apply_when"]
