"""Parsing a condition with sqlglot, and checking it uses only what the binder supports."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from hub.errors import ConfigError

if TYPE_CHECKING:
    from sqlglot import exp

ALLOWED = (
    "comparisons (= <> != < <= > >=), AND, OR, NOT, IN (...), BETWEEN ... AND ..., "
    "LIKE / ILIKE 'pattern' (% and _), IS [NOT] NULL, arithmetic (+ - * / %), fields (name, "
    "a.b for a nested field, \"odd name\" in double quotes), 'strings' in single quotes, "
    "numbers, TRUE, FALSE, NULL, CAST(x AS type), INTERVAL '1' DAY, and the functions "
    "lower, upper, length, coalesce, abs, now()"
)


def parse(text: str) -> exp.Expr:
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError, TokenError

    if not text.strip():
        raise ConfigError(f"the condition is empty; allowed: {ALLOWED}")
    try:
        tree: exp.Expr = sqlglot.parse_one(text, into=exp.Condition)
        return tree
    except TokenError as exc:
        raise ConfigError(
            f"condition {text!r} cannot be read ({exc}): is a 'string' left open? Strings take "
            "single quotes; a quote inside one is written twice ('it''s')"
        ) from None
    except ParseError as exc:
        where = ""
        if exc.errors:
            error = exc.errors[0]
            highlight = error.get("highlight") or ""
            column = max(1, error["col"] - len(highlight) + 1)
            where = (
                f" at line {error['line']}, column {column} ({highlight!r}): {error['description']}"
            )
        raise ConfigError(f"condition {text!r} is not valid{where}; allowed: {ALLOWED}") from None


def unsupported(tree: exp.Expr) -> list[tuple[exp.Expr, str]]:
    """Every node the binder cannot handle, with why: reported all at once at compile time."""
    from sqlglot import exp

    known = supported()
    problems: list[tuple[exp.Expr, str]] = []
    for node in tree.walk():
        kind = type(node)
        if isinstance(node, exp.Anonymous) and node.name.lower() not in _FUNCTIONS:
            problems.append((node, f"unknown function {node.name}()"))
        elif kind not in known:
            problems.append((node, f"{kind.__name__} is not supported"))
        else:
            extra = [k for k, v in node.args.items() if v and k not in known[kind]]
            if extra:
                problems.append((node, f"{kind.__name__} takes no {', '.join(extra)}"))
    return problems


_FUNCTIONS = {"now"}
"""Functions sqlglot does not know by name (it parses them as ``Anonymous``) that we accept."""


@cache
def supported() -> dict[type, set[str]]:
    """Each supported node type and the arguments it may have."""
    from sqlglot import exp

    binary = {"this", "expression"}
    return {
        exp.And: binary, exp.Or: binary, exp.Not: {"this"}, exp.Paren: {"this"},
        exp.EQ: binary, exp.NEQ: binary, exp.GT: binary, exp.GTE: binary,
        exp.LT: binary, exp.LTE: binary, exp.Is: binary,
        exp.In: {"this", "expressions"}, exp.Between: {"this", "low", "high"},
        exp.Like: binary | {"negate"}, exp.ILike: binary | {"negate"},
        exp.Add: binary, exp.Sub: binary, exp.Mul: binary, exp.Div: binary | {"typed", "safe"},
        exp.Mod: binary, exp.Neg: {"this"},
        exp.Column: {"this", "table", "db", "catalog"}, exp.Dot: binary,
        exp.Identifier: {"this", "quoted"}, exp.Literal: {"this", "is_string"},
        exp.Boolean: {"this"}, exp.Null: set(),
        exp.Lower: {"this"}, exp.Upper: {"this"}, exp.Length: {"this"},
        exp.Coalesce: {"this", "expressions"}, exp.Abs: {"this"},
        exp.Anonymous: {"this"}, exp.CurrentTimestamp: set(),
        exp.Cast: {"this", "to"}, exp.DataType: {"this", "nested", "expressions"},
        exp.Interval: {"this", "unit"}, exp.Var: {"this"},
    }  # fmt: skip


@cache
def comparisons() -> dict[type, str]:
    from sqlglot import exp

    return {
        exp.EQ: "equal", exp.NEQ: "not_equal", exp.GT: "greater", exp.GTE: "greater_equal",
        exp.LT: "less", exp.LTE: "less_equal",
    }  # fmt: skip


def field_nodes(tree: exp.Expr) -> list[exp.Expr]:
    from sqlglot import exp

    found: list[exp.Expr] = []
    for node in tree.walk():
        if isinstance(node, exp.Dot | exp.Column) and not isinstance(node.parent, exp.Dot):
            found.append(node)
    return found


def path_of(node: exp.Expr) -> str:
    from sqlglot import exp

    if isinstance(node, exp.Dot):
        return f"{path_of(node.this)}.{node.expression.name}"
    assert isinstance(node, exp.Column)
    return ".".join(part.name for part in node.parts)
