"""What a schema is made of: the facets Confluent's loader (everit) would build from it.

One schema object can say several things at once: ``{"type": "string", "enum": [...]}`` is a
string *and* an enumeration. Confluent models that as a synthetic ``allOf`` of a StringSchema
and an EnumSchema; a list of types (``["string", "null"]``) becomes an ``anyOf``. Comparing
schemas class by class is what decides TYPE_CHANGED versus a detailed difference, so the
decomposition has to follow everit's. Unlike everit, facets keep the real location of their
keywords, so reported pointers (``#/enum``) exist in the user's schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum, unique

from hub.registry.compatibility.refs import Node, dereference, is_plain_ref
from hub.registry.compatibility.values import canonical


@unique
class Kind(StrEnum):
    """What one facet of a schema constrains."""

    EMPTY = "empty"  # true, {} or annotations only: accepts everything
    FALSE = "false"  # accepts nothing
    OBJECT = "object"
    ARRAY = "array"
    STRING = "string"
    NUMBER = "number"  # "number" and "integer" alike, as in Confluent
    BOOLEAN = "boolean"
    NULL = "null"
    TYPES = "type"  # a list of several types: a sum
    ENUM = "enum"
    CONST = "const"
    NOT = "not"
    ALL_OF = "allOf"
    ANY_OF = "anyOf"
    ONE_OF = "oneOf"
    REF = "$ref"  # a reference next to other keywords, or one that cannot be resolved


TYPED = frozenset({Kind.OBJECT, Kind.ARRAY, Kind.STRING, Kind.NUMBER, Kind.BOOLEAN, Kind.NULL})
COMBINATORS = frozenset({Kind.ALL_OF, Kind.ANY_OF, Kind.ONE_OF})
SUMS = frozenset({Kind.ANY_OF, Kind.ONE_OF, Kind.TYPES})

TYPE_KINDS: dict[str, Kind] = {
    "object": Kind.OBJECT,
    "array": Kind.ARRAY,
    "string": Kind.STRING,
    "number": Kind.NUMBER,
    "integer": Kind.NUMBER,
    "boolean": Kind.BOOLEAN,
    "null": Kind.NULL,
}

# Keywords that make an untyped schema an object/array/number/string schema, as in everit.
_ARRAY_KEYWORDS = "items prefixItems additionalItems minItems maxItems uniqueItems contains"
_OBJECT_KEYWORDS = (
    "properties patternProperties additionalProperties required minProperties maxProperties "
    "propertyNames dependencies dependentRequired dependentSchemas"
)
_NUMBER_KEYWORDS = "minimum maximum exclusiveMinimum exclusiveMaximum multipleOf"
_STRING_KEYWORDS = "minLength maxLength pattern"
_GROUPS: tuple[tuple[Kind, frozenset[str]], ...] = tuple(
    (kind, frozenset(words.split()))
    for kind, words in (
        (Kind.ARRAY, _ARRAY_KEYWORDS),
        (Kind.OBJECT, _OBJECT_KEYWORDS),
        (Kind.NUMBER, _NUMBER_KEYWORDS),
        (Kind.STRING, _STRING_KEYWORDS),
    )
)


@dataclass(frozen=True, slots=True)
class Facet:
    """One constraint group of a schema object."""

    kind: Kind
    type_name: str | None = None  # the JSON type of a typed facet; "integer" marks integers
    ref: str | None = None  # the text of a reference (REF facets)


@dataclass(frozen=True, slots=True)
class Branch:
    """One alternative (or conjunct) of a combined shape, and where it sits in its schema."""

    shape: Shape
    node: Node | None  # set when the branch is a subschema of its own (allOf/anyOf/oneOf items)
    segments: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Shape:
    """A schema node seen as one facet (a plain schema) or several (a synthetic product)."""

    node: Node
    facets: tuple[Facet, ...]
    part: str = "*"  # which facets of the node this shape covers, for the recursion guard

    @property
    def kind(self) -> Kind | None:
        """The kind of a single-facet shape; None for a product."""
        return self.facets[0].kind if len(self.facets) == 1 else None

    @property
    def is_product(self) -> bool:
        return len(self.facets) > 1

    @property
    def is_explicit(self) -> bool:
        """An ``allOf``/``anyOf``/``oneOf`` written as such."""
        return self.kind in COMBINATORS

    @property
    def is_sum(self) -> bool:
        """Alternatives: ``anyOf``, ``oneOf`` or a list of types (with at least two choices)."""
        return self.kind in SUMS and len(self.branches()) > 1

    @property
    def is_combined(self) -> bool:
        """What Confluent calls a CombinedSchema: explicit, a type list, or a product."""
        return self.is_product or self.kind in COMBINATORS or self.kind is Kind.TYPES

    @property
    def criterion(self) -> str:
        if self.kind in COMBINATORS:
            return str(self.kind)
        return "anyOf" if self.kind is Kind.TYPES else "allOf"

    @property
    def family(self) -> str:
        """The class Confluent compares: schemas of different classes are a TYPE_CHANGED."""
        kind = self.kind
        if kind is None or kind in COMBINATORS or kind is Kind.TYPES:
            return "combined"
        return "enum" if kind is Kind.CONST else str(kind)

    @property
    def is_integer(self) -> bool:
        return self.kind is Kind.NUMBER and self.facets[0].type_name == "integer"

    def alone(self, facet: Facet) -> Shape:
        """This node restricted to one of its facets."""
        return Shape(self.node, (facet,), f"{facet.kind}:{facet.type_name}")

    def branches(self) -> list[Branch]:
        """The parts a combined shape combines, duplicates dropped as Confluent does."""
        kind = self.kind
        if kind in COMBINATORS:
            seen: set[object] = set()
            found = []
            for index, value in enumerate(self.node.value[str(kind)]):
                key = canonical(value)
                if key not in seen:
                    seen.add(key)
                    child = self.node.child(value)
                    found.append(Branch(shape_of(child), child, (str(kind), str(index))))
            return found
        if kind is Kind.TYPES:
            return [
                Branch(self.alone(Facet(TYPE_KINDS[name], name)), None, ())
                for name in type_names(self.node)
            ]
        return [Branch(self.alone(facet), None, ()) for facet in self.facets]


def type_names(node: Node) -> list[str]:
    """The distinct known JSON types a node's ``type`` lists, in order."""
    declared = node.value.get("type") if isinstance(node.value, Mapping) else None
    names = [declared] if isinstance(declared, str) else list(declared or ())
    return [name for i, name in enumerate(names) if name in TYPE_KINDS and name not in names[:i]]


def shape_of(node: Node) -> Shape:
    """The shape of a schema, plain references followed to their target."""
    target, broken = dereference(node)
    if broken is not None:
        return Shape(target, (Facet(Kind.REF, ref=broken),))
    return Shape(target, _facets(target.value))


def _facets(value: object) -> tuple[Facet, ...]:
    if value is False:
        return (Facet(Kind.FALSE),)
    if not isinstance(value, Mapping):
        return (Facet(Kind.EMPTY),)
    found: list[Facet] = []
    if "$ref" in value and not is_plain_ref(value):
        found.append(Facet(Kind.REF, ref=str(value["$ref"])))
    found += [Facet(Kind(key)) for key in ("enum", "const") if key in value]
    found += [Facet(Kind(key)) for key in ("allOf", "anyOf", "oneOf", "not") if key in value]
    found += _type_facets(value)
    return tuple(found) or (Facet(Kind.EMPTY),)


def _type_facets(value: Mapping[str, object]) -> list[Facet]:
    declared = value.get("type")
    if declared is not None:
        names = type_names(Node(value, None))
        if len(names) == 1:
            return [Facet(TYPE_KINDS[names[0]], names[0])]
        return [Facet(Kind.TYPES)] if names else []
    return [Facet(kind) for kind, keywords in _GROUPS if not keywords.isdisjoint(value)]
