"""``BatchValidator``: a schema version compiled once, then every batch checked in bulk.

A table is checked a column at a time by Arrow kernels (``plan``): each column's type against
the property's type once, then its values. That flags suspect rows, never fewer than break the
schema; ``jsonschema_rs`` then checks each suspect row's JSON, as the log will hold it, which
both confirms it and words the violations. Columns the kernels cannot check are checked value by
value, and schemas that cannot be checked column-wise row by row, all by ``jsonschema_rs``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.arrow.encode import encode_column, table_to_json_values
from hub.registry.validation.checks import any_of
from hub.registry.validation.plan import Context, TablePlan, plan_table
from hub.registry.validation.records import (
    Validator,
    compile_validator,
    errors,
    loads,
    ref_siblings_apply,
    validate_values,
)
from hub.registry.validation.violations import Violation

_PLANS_KEPT = 16
_SHARED_KEYWORDS = ("$schema", "$id", "definitions", "$defs")


class BatchValidator:
    """Validates batches against one JSON Schema; build once per schema version, reuse for every
    batch. Raises ``InvalidSchemaError`` for a schema that is not valid JSON Schema."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self._schema = schema
        self._validator = compile_validator(schema)
        self._context = Context(
            root=schema if isinstance(schema, Mapping) else {},
            ref_siblings_apply=ref_siblings_apply(schema),
        )
        self._plans: dict[pa.Schema, TablePlan] = {}
        self._column_validators: dict[str, Validator] = {}

    def validate_table(self, table: pa.Table | pa.RecordBatch) -> list[Violation]:
        """Every violating row of ``table`` (at least one ``Violation`` each), sorted by row."""
        if isinstance(table, pa.RecordBatch):
            table = pa.Table.from_batches([table])
        if table.num_rows == 0:
            return []
        plan = self._plan(table.schema)
        if plan.whole_rows:
            return validate_values(self._validator, table_to_json_values(table))
        return self._confirm(table, self.suspects(table, plan))

    def validate_values(self, values: Sequence[bytes | Mapping[str, Any]]) -> list[Violation]:
        """Every violation of JSON values (bytes) or dicts, one at a time, sorted by row."""
        return validate_values(self._validator, values)

    def suspects(self, table: pa.Table, plan: TablePlan | None = None) -> np.ndarray:
        """Rows that may break the schema (sorted): all that do, perhaps a few more."""
        plan = plan or self._plan(table.schema)
        if plan.whole_rows or plan.all_fail:
            return np.arange(table.num_rows)
        masks = [check.failures(table.column(name)) for name, check in plan.checks]
        mask = any_of(masks)
        found = [np.empty(0, dtype=np.int64)]
        if mask is not None:
            found.append(pc.indices_nonzero(mask).to_numpy().astype(np.int64))
        for name, schema in plan.per_value:
            found.append(self._per_value(name, schema, table.column(name)))
        return np.unique(np.concatenate(found))

    def _plan(self, schema: pa.Schema) -> TablePlan:
        plan = self._plans.get(schema)
        if plan is None:
            if len(self._plans) >= _PLANS_KEPT:
                self._plans.clear()
            plan = self._plans[schema] = plan_table(self._schema, schema, self._context)
        return plan

    def _per_value(self, name: str, schema: Any, column: pa.ChunkedArray) -> np.ndarray:
        """Rows whose value of column ``name`` breaks ``schema``, by ``jsonschema_rs``."""
        validator = self._column_validators.get(name)
        if validator is None:
            validator = self._column_validators[name] = compile_validator(
                self._column_schema(name, schema)
            )
        is_valid = validator.is_valid
        texts = encode_column(column).to_pylist()
        bad = [row for row, text in enumerate(texts) if not is_valid({name: loads(text)})]
        return np.array(bad, dtype=np.int64)

    def _column_schema(self, name: str, schema: Any) -> dict[str, Any]:
        """A schema for rows of the one column ``name``: its subschema, with the definitions its
        ``$ref``s point into, at the same place (``plan.column_wise`` ensures no other refs)."""
        root = self._context.root
        shared = {key: root[key] for key in _SHARED_KEYWORDS if key in root}
        return {**shared, "properties": {name: schema}}

    def _confirm(self, table: pa.Table, rows: np.ndarray) -> list[Violation]:
        """The violations of suspect ``rows``, worded by ``jsonschema_rs`` from the rows' JSON."""
        if len(rows) == 0:
            return []
        values = table_to_json_values(_take(table, rows))
        found: list[Violation] = []
        for row, value in zip(rows.tolist(), values, strict=True):
            found += errors(self._validator, row, loads(value))
        return found


def _take(table: pa.Table, rows: np.ndarray) -> pa.Table:
    """The ``rows`` of ``table``; view types (which Arrow cannot ``take`` yet) become plain."""
    indices = pa.array(rows)
    try:
        return table.take(indices)
    except pa.ArrowNotImplementedError:
        return pa.concat_tables([table.slice(row, 1) for row in rows.tolist()])
