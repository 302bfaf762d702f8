"""Local ``$ref`` resolution: a subschema travels with its document so references can be followed.

Confluent resolves a reference and compares what it points at, reporting differences where the
reference is used (``#/items``, not ``#/definitions/x``). Only local references are resolved:
``#``, JSON pointers such as ``#/definitions/x`` or ``#/$defs/x`` (optionally prefixed with the
document's own ``$id``) and plain-name fragments (``#name`` via ``$anchor`` or a draft-07
``$id``). Anything else stays unresolved and is compared by its text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

#: Keywords that may sit next to ``$ref`` without making it more than a plain reference.
REF_NEIGHBOURS = frozenset(
    {
        "$ref",
        "$schema",
        "$id",
        "id",
        "$comment",
        "$anchor",
        "definitions",
        "$defs",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)

_MISSING = object()


@dataclass(frozen=True, slots=True)
class Node:
    """A schema (a mapping or a boolean) and the document it belongs to, for its references."""

    value: Any
    root: Any

    def child(self, value: Any) -> Node:
        """A subschema of this node, in the same document."""
        return Node(value, self.root)


def document(schema: Any) -> Node:
    """The node of a whole document."""
    return Node(schema, schema)


def is_plain_ref(value: Any) -> bool:
    """Whether ``value`` is only a reference (plus annotations), so it stands for its target."""
    return (
        isinstance(value, Mapping)
        and isinstance(value.get("$ref"), str)
        and all(key in REF_NEIGHBOURS for key in value)
    )


def follow(node: Node) -> Node | None:
    """The target of ``node``'s ``$ref``, or None when it is not local or points nowhere."""
    ref = node.value.get("$ref") if isinstance(node.value, Mapping) else None
    if not isinstance(ref, str):
        return None
    target = _lookup(node.root, ref)
    return None if target is _MISSING else node.child(target)


def dereference(node: Node) -> tuple[Node, str | None]:
    """Follow plain references to a real schema; the reference text too if the chain breaks.

    A chain that loops (``a -> b -> a``) has no schema at its end and counts as broken.
    """
    seen: set[int] = set()
    while is_plain_ref(node.value):
        if id(node.value) in seen:
            return node, str(node.value["$ref"])
        seen.add(id(node.value))
        target = follow(node)
        if target is None:
            return node, str(node.value["$ref"])
        node = target
    return node, None


def _lookup(root: Any, ref: str) -> Any:
    base, _, fragment = ref.partition("#")
    if base and base != _document_id(root):
        return _MISSING
    fragment = unquote(fragment)
    if not fragment:
        return root
    if fragment.startswith("/"):
        return _pointer(root, fragment)
    return next(_anchors(root, fragment), _MISSING)


def _document_id(root: Any) -> str | None:
    if not isinstance(root, Mapping):
        return None
    value = root.get("$id", root.get("id"))
    return value.partition("#")[0] if isinstance(value, str) else None


def _pointer(root: Any, pointer: str) -> Any:
    current = root
    for token in pointer[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(current, Mapping) and token in current:
            current = current[token]
        elif (
            isinstance(current, Sequence)
            and not isinstance(current, str)
            and token.isdigit()
            and int(token) < len(current)
        ):
            current = current[int(token)]
        else:
            return _MISSING
    return current


def _anchors(value: Any, name: str) -> Iterator[Any]:
    """Subschemas declaring ``name`` as their ``$anchor`` (or draft-07 ``$id: "#name"``)."""
    if isinstance(value, Mapping):
        if value.get("$anchor") == name or value.get("$id") == f"#{name}":
            yield value
        for child in value.values():
            yield from _anchors(child, name)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for child in value:
            yield from _anchors(child, name)
