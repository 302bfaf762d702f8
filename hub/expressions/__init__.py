"""Conditions: the boolean expressions of ``filter`` and of any transform's ``when:``.

The language is a SQL ``WHERE`` clause, parsed by sqlglot (a maintained SQL parser) and never
run through ``eval``: comparisons, ``AND``/``OR``/``NOT``, ``IN``, ``BETWEEN``, ``LIKE``,
``IS NULL``, arithmetic, nested fields ``a.b``, literals and a few functions. The syntax tree is
parsed once; for each table schema it is bound once into a ``pyarrow.compute.Expression`` (types
decide how literals are read: ``ts > '2024-01-01'`` compares timestamps when ``ts`` is one) and
evaluated on whole batches by Arrow. SQL's three-valued logic holds: a row whose condition is
null (``price > 10`` where ``price`` is null) does not match.
"""

from __future__ import annotations

from hub.expressions.condition import ALLOWED, Condition, Missing, compile_condition

__all__ = ["ALLOWED", "Condition", "Missing", "compile_condition"]
