"""Row-level failures of a batch operation: which rows, so that only they leave the batch."""

from __future__ import annotations

from collections.abc import Iterable

from hub.errors import RecordError


class RowsFailed(RecordError):
    """Some rows of a batch could not be handled; ``rows`` are their indices in the input table.

    The runtime takes those rows out of the batch (to the dead-letter topic, or it stops, as the
    errors policy says) and carries on with the others. The message says what was wrong with
    them; it is shared by all of them.
    """

    def __init__(self, rows: Iterable[int], message: str) -> None:
        self.rows = sorted(set(rows))
        super().__init__(message)


class FieldNotFoundError(RowsFailed):
    """A condition or template names a field that the batch does not have: every row fails."""
