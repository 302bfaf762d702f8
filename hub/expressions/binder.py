"""Binding a parsed condition to a table schema: a ``pyarrow.compute.Expression``.

Types decide how literals are read (``ts > '2024-01-01'`` compares timestamps when ``ts`` is
one); sides of different kinds (a string field against a number) are an error that says how to
``CAST``, never a silent guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson

from hub.errors import ConfigError
from hub.expressions.literals import (
    Typed,
    boolean,
    cast_type,
    is_null,
    kind_of,
    literal,
    literal_time,
    null_boolean,
    text_as_timestamp,
    value_set,
)
from hub.expressions.parse import comparisons, path_of

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.compute as pc
    from sqlglot import exp


class UnknownField(Exception):
    """A field the schema does not have; the condition turns it into ``FieldNotFoundError``."""

    def __init__(self, path: str, hint: str) -> None:
        self.path = path
        self.hint = hint


class Binder:
    """Walks the syntax tree for one schema, producing Arrow expressions."""

    def __init__(self, text: str, schema: pa.Schema, missing: str) -> None:
        self.text = text
        self.schema = schema
        self.missing = missing
        self.columns: set[str] = set()
        self.uses_now = False

    def fail(self, message: str) -> ConfigError:
        return ConfigError(f"condition {self.text!r}: {message}")

    def visit(self, node: exp.Expr) -> Typed:
        if type(node) in comparisons():
            return self.compare(node)  # type: ignore[arg-type]
        method: Callable[[Any], Typed] = getattr(self, f"visit_{type(node).__name__.lower()}")
        return method(node)

    # fields and literals
    def visit_column(self, node: exp.Column) -> Typed:
        return self.field(path_of(node), any(p.args.get("quoted") for p in node.parts))

    def visit_dot(self, node: exp.Dot) -> Typed:
        return self.field(path_of(node), False)

    def field(self, path: str, quoted: bool) -> Typed:
        import pyarrow as pa
        import pyarrow.compute as pc

        from hub.arrow.columns import path_type, resolve_path

        resolved = resolve_path(self.schema, path)
        if resolved is None:
            if self.missing == "null":
                return literal(None)
            hint = ""
            if quoted:
                hint = f"; for the string {path!r}, use single quotes: '{path}'"
            raise UnknownField(path, hint)
        self.columns.add(resolved[0])
        type_ = path_type(self.schema, resolved)
        expr = pc.field(*resolved)
        if pa.types.is_dictionary(type_):
            type_ = type_.value_type
            expr = expr.cast(type_)
        elif isinstance(type_, pa.BaseExtensionType):
            expr = expr.cast(type_.storage_type)
            if type_.extension_name != "arrow.json":
                type_ = type_.storage_type
        return Typed(expr, type_, field=path)

    def visit_literal(self, node: exp.Literal) -> Typed:
        if node.is_string:
            return literal(node.this)
        text = node.this
        try:
            return literal(int(text))
        except ValueError:
            return literal(float(text))

    def visit_boolean(self, node: exp.Boolean) -> Typed:
        return literal(bool(node.this))

    def visit_null(self, node: exp.Null) -> Typed:
        return literal(None)

    def visit_paren(self, node: exp.Paren) -> Typed:
        return self.visit(node.this)

    def visit_interval(self, node: exp.Interval) -> Typed:
        amount = float(node.this.name)
        unit = node.args["unit"].name.lower().rstrip("s") if node.args.get("unit") else "second"
        seconds = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}
        if unit not in seconds:
            raise self.fail(f"INTERVAL unit {unit!r} is not one of {', '.join(seconds)}")
        return literal(dt.timedelta(seconds=amount * seconds[unit]))

    def visit_currenttimestamp(self, node: exp.Expr) -> Typed:
        self.uses_now = True
        return literal(dt.datetime.now(dt.UTC))

    def visit_anonymous(self, node: exp.Anonymous) -> Typed:  # now()
        if node.expressions:
            raise self.fail("now() takes no arguments")
        return self.visit_currenttimestamp(node)

    # logic
    def visit_and(self, node: exp.And) -> Typed:
        return boolean(self.logical(node.this) & self.logical(node.expression))

    def visit_or(self, node: exp.Or) -> Typed:
        return boolean(self.logical(node.this) | self.logical(node.expression))

    def visit_not(self, node: exp.Not) -> Typed:
        return boolean(~self.logical(node.this))

    def logical(self, node: exp.Expr) -> pc.Expression:
        import pyarrow as pa

        typed = self.visit(node)
        if typed.type is not None and not (
            pa.types.is_boolean(typed.type) or pa.types.is_null(typed.type)
        ):
            raise self.fail(f"{node.sql()!r} is a {typed.type} value, not true or false")
        if typed.type is not None and pa.types.is_null(typed.type):
            return typed.expr.cast(pa.bool_())
        return typed.expr

    # comparisons
    def compare(self, node: exp.Binary) -> Typed:
        import pyarrow.compute as pc

        left, right = self.visit(node.this), self.visit(node.expression)
        if is_null(left) or is_null(right):
            return null_boolean()
        left, right = self.coerce(left, right, node)
        operator = comparisons()[type(node)]
        return boolean(getattr(pc, operator)(left.expr, right.expr))

    def visit_is(self, node: exp.Is) -> Typed:
        import pyarrow.compute as pc
        from sqlglot import exp

        value = self.visit(node.this)
        target = node.expression
        if isinstance(target, exp.Null):
            return boolean(pc.is_null(value.expr))
        if isinstance(target, exp.Boolean):
            truth = value.expr if target.this else ~value.expr
            return boolean(pc.coalesce(truth, pc.scalar(False)))
        raise self.fail(f"IS takes NULL, TRUE or FALSE, not {target.sql()!r}")

    def visit_in(self, node: exp.In) -> Typed:
        import pyarrow as pa
        import pyarrow.compute as pc

        value = self.visit(node.this)
        options = [self.visit(item) for item in node.expressions]
        if not options:
            raise self.fail("IN needs at least one value")
        simple = kind_of(value.type) in ("number", "text", "boolean", "json")
        if simple and all(o.is_literal for o in options):
            has_null = any(o.value is None for o in options)
            values = [self.coerce(value, o, node)[1].value for o in options if o.value is not None]
            if not values:
                return null_boolean()
            found = pc.is_in(value.expr, value_set=value_set(values))
            found = pc.if_else(pc.is_null(value.expr), pa.scalar(None, pa.bool_()), found)
            if has_null:
                found = pc.if_else(found, True, pa.scalar(None, pa.bool_()))
            return boolean(found)
        result = None
        for option in options:
            left, right = self.coerce(value, option, node)
            equal = pc.equal(left.expr, right.expr)
            result = equal if result is None else result | equal
        assert result is not None
        return boolean(result)

    def visit_between(self, node: exp.Between) -> Typed:
        import pyarrow.compute as pc

        value = self.visit(node.this)
        low, high = self.visit(node.args["low"]), self.visit(node.args["high"])
        a, low = self.coerce(value, low, node)
        b, high = self.coerce(value, high, node)
        return boolean(pc.greater_equal(a.expr, low.expr) & pc.less_equal(b.expr, high.expr))

    def visit_like(self, node: exp.Like, ignore_case: bool = False) -> Typed:
        import pyarrow.compute as pc

        value = self.text_operand(node.this, "LIKE")
        pattern = self.visit(node.expression)
        if not (pattern.is_literal and isinstance(pattern.value, str)):
            raise self.fail(
                f"LIKE takes a 'pattern' in single quotes, not {node.expression.sql()!r}"
            )
        matched = pc.match_like(value.expr, pattern.value, ignore_case=ignore_case)
        return boolean(~matched if node.args.get("negate") else matched)

    def visit_ilike(self, node: exp.ILike) -> Typed:
        return self.visit_like(node, ignore_case=True)  # type: ignore[arg-type]

    def coerce(self, left: Typed, right: Typed, node: exp.Expr) -> tuple[Typed, Typed]:
        """Make the two sides comparable: literals take the other side's type (a string becomes
        a timestamp beside a timestamp field), ISO 8601 text meets times as a time; other
        mismatches are an error, not a guess."""
        if left.is_literal and not right.is_literal:
            right, left = self.coerce(right, left, node)
            return left, right
        a, b = kind_of(left.type), kind_of(right.type)
        if "null" in (a, b) or "unknown" in (a, b):
            return left, right
        if right.is_literal and not (a == "text" and b == "time"):
            return left, self.literal_as(right, left, node)
        if a == b or a == b == "number":
            return left, right
        if a == "time" and b == "text":
            return left, self.as_time(right, left.type)
        if b == "time" and a == "text":
            left = self.as_time(left, right.type)
            if right.is_literal:
                right = literal_time(right.value, left.type, self.fail)
            return left, right
        raise self.fail(self.mismatch(left, right, node))

    def as_time(self, text: Typed, type_: pa.DataType) -> Typed:
        """ISO 8601 text as a time of ``type_``'s kind (text without an offset is UTC)."""
        import pyarrow as pa

        expr = text_as_timestamp(text.expr)
        if pa.types.is_date(type_):
            return Typed(expr.cast(pa.date32()), pa.date32(), field=text.field)
        if type_.tz is None:
            return Typed(expr.cast(pa.timestamp("us")), pa.timestamp("us"), field=text.field)
        return Typed(expr, pa.timestamp("us", "UTC"), field=text.field)

    def literal_as(self, value: Typed, other: Typed, node: exp.Expr) -> Typed:
        """Literal ``value`` read as the type of ``other``."""
        assert other.type is not None
        target = kind_of(other.type)
        if value.value is None:
            return value
        if target == "time":
            return literal_time(value.value, other.type, self.fail)
        if target == kind_of(value.type):
            return value
        if target == "json":
            return literal(orjson.dumps(value.value, default=str).decode())
        raise self.fail(self.mismatch(other, value, node))

    def mismatch(self, left: Typed, right: Typed, node: exp.Expr) -> str:
        what = f"field {left.field}" if left.field else "a value"
        return (
            f"{node.sql()!r} compares {what} ({left.type}) with "
            f"{f'field {right.field}' if right.field else 'a value'} ({right.type}); compare "
            "numbers with numbers and strings with 'strings', or convert one side with "
            "CAST(x AS DOUBLE | BIGINT | VARCHAR | BOOLEAN | TIMESTAMP | DATE)"
        )

    def text_operand(self, node: exp.Expr, what: str) -> Typed:
        import pyarrow as pa

        typed = self.visit(node)
        if typed.type is None or kind_of(typed.type) == "text":
            return typed
        if kind_of(typed.type) in ("json", "null"):
            return Typed(typed.expr.cast(pa.string()), pa.string(), field=typed.field)
        raise self.fail(f"{what} works on strings; {node.sql()!r} is {typed.type}")

    # functions
    def visit_lower(self, node: exp.Lower) -> Typed:
        import pyarrow as pa
        import pyarrow.compute as pc

        return Typed(pc.utf8_lower(self.text_operand(node.this, "lower()").expr), pa.string())

    def visit_upper(self, node: exp.Upper) -> Typed:
        import pyarrow as pa
        import pyarrow.compute as pc

        return Typed(pc.utf8_upper(self.text_operand(node.this, "upper()").expr), pa.string())

    def visit_length(self, node: exp.Length) -> Typed:
        import pyarrow as pa
        import pyarrow.compute as pc

        value = self.visit(node.this)
        if value.type is not None and kind_of(value.type) == "list":
            return Typed(pc.list_value_length(value.expr), pa.int64())
        return Typed(pc.utf8_length(self.text_operand(node.this, "length()").expr), pa.int64())

    def visit_abs(self, node: exp.Abs) -> Typed:
        import pyarrow.compute as pc

        value = self.visit(node.this)
        return Typed(pc.abs_checked(value.expr), value.type)

    def visit_coalesce(self, node: exp.Coalesce) -> Typed:
        import pyarrow.compute as pc

        values = [self.visit(node.this), *(self.visit(e) for e in node.expressions)]
        typed = next((v for v in values if v.type is not None and not v.is_literal), values[0])
        coerced = [typed if v is typed else self.coerce(typed, v, node)[1] for v in values]
        return Typed(pc.coalesce(*(v.expr for v in coerced)), typed.type)

    def visit_cast(self, node: exp.Cast) -> Typed:
        value = self.visit(node.this)
        target = cast_type(node.args["to"], self.fail)
        if value.is_literal and isinstance(value.value, str) and kind_of(target) == "time":
            return literal_time(value.value, target, self.fail)
        return Typed(value.expr.cast(target, safe=False), target)

    # arithmetic
    def visit_neg(self, node: exp.Neg) -> Typed:
        import pyarrow.compute as pc

        value = self.visit(node.this)
        if value.is_literal and isinstance(value.value, int | float):
            return literal(-value.value)
        return Typed(pc.negate_checked(value.expr), value.type)

    def visit_add(self, node: exp.Add) -> Typed:
        return self.arithmetic(node, "add_checked")

    def visit_sub(self, node: exp.Sub) -> Typed:
        return self.arithmetic(node, "subtract_checked")

    def visit_mul(self, node: exp.Mul) -> Typed:
        return self.arithmetic(node, "multiply_checked")

    def visit_div(self, node: exp.Div) -> Typed:
        return self.arithmetic(node, "divide")

    def visit_mod(self, node: exp.Mod) -> Typed:
        return self.arithmetic(node, "modulo")

    def arithmetic(self, node: exp.Binary, function: str) -> Typed:
        import pyarrow as pa
        import pyarrow.compute as pc

        left, right = self.visit(node.this), self.visit(node.expression)
        if (
            isinstance(left.value, dt.datetime)
            and isinstance(right.value, dt.timedelta)
            and function in ("add_checked", "subtract_checked")
        ):
            sign = 1 if function == "add_checked" else -1
            return literal(left.value + sign * right.value)
        for side in (left, right):
            if side.type is not None and kind_of(side.type) not in (
                "number",
                "time",
                "duration",
                "null",
            ):
                raise self.fail(
                    f"{node.sql()!r}: arithmetic on {side.field or 'a'} {side.type} value"
                )
        result_type = None
        if left.type is not None and right.type is not None:
            if kind_of(left.type) == "time":
                result_type = left.type
            elif (
                function == "divide"
                or pa.types.is_floating(left.type)
                or pa.types.is_floating(right.type)
            ):
                result_type = pa.float64()
            else:
                result_type = pa.int64()
        a, b = left.expr, right.expr
        if function == "divide":
            a, b = a.cast(pa.float64()), b.cast(pa.float64())
        return Typed(getattr(pc, function)(a, b), result_type)
