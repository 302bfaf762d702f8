"""Orders as transforms get them: nested objects, nulls, and an amount that is not a number."""

from __future__ import annotations

import pyarrow as pa
import pytest

from hub.arrow import to_table


@pytest.fixture
def orders() -> pa.Table:
    return to_table(
        [
            {"id": 1, "amount": "10.5", "currency": "EUR", "card": "4111111111111111",
             "customer": {"name": "Ann", "address": {"city": "Oslo"}}},
            {"id": 2, "amount": "250", "currency": "USD", "card": None,
             "customer": {"name": "Bo", "address": None}},
            {"id": 3, "amount": "x", "currency": None, "card": "12",
             "customer": None},
        ]
    )  # fmt: skip
