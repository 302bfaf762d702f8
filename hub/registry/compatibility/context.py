"""The state of one comparison: where we are, what was found, and what is being compared.

Mirrors Confluent's ``diff.Context``: a path of JSON pointer tokens, the differences found so far,
and sub-contexts to try a comparison without committing to it (for subschema matching). The
pairs being compared are what makes recursive ``$ref`` terminate: a pair met again while it is
still being compared is assumed to match, as Confluent does (see ``memo`` for what that implies).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

from hub.registry.compatibility.differences import Difference, DifferenceType
from hub.registry.compatibility.memo import Entry, Memo
from hub.registry.compatibility.policy import Policy, judge

if TYPE_CHECKING:
    from hub.registry.compatibility.refs import Node
    from hub.registry.compatibility.shapes import Shape


class Engine(Protocol):
    """The recursive comparison, given to the context so rule modules need not import it."""

    def compare(self, ctx: Context, original: Node | None, update: Node | None) -> None: ...

    def compare_shapes(self, ctx: Context, original: Shape, update: Shape) -> None: ...


def escape(token: str) -> str:
    """A JSON pointer token (RFC 6901): ``~`` and ``/`` escaped."""
    return token.replace("~", "~0").replace("/", "~1")


class Context:
    """Where a comparison is and what it has found."""

    __slots__ = (
        "_assumed",
        "_depth",
        "_path",
        "active",
        "differences",
        "engine",
        "memo",
        "parent",
        "policy",
    )

    def __init__(self, policy: Policy, engine: Engine, parent: Context | None = None) -> None:
        self.policy = policy
        self.engine = engine
        self.parent = parent
        self.memo: Memo = parent.memo if parent else Memo()
        self._path: list[str] = list(parent._path) if parent else []
        self.active: set[Hashable] = set(parent.active) if parent else set()
        self.differences: list[Difference] = []
        self._assumed: set[Hashable] = set()  # pairs the pair being compared relied on
        self._depth = 0  # pairs being compared in this context

    def sub(self) -> Context:
        """A context at the same place with nothing found yet, to try a comparison."""
        return Context(self.policy, self.engine, self)

    @contextmanager
    def at(self, *tokens: str) -> Iterator[None]:
        """Descend into ``tokens`` (e.g. ``"properties", "zip"``) for the duration."""
        self._path.extend(tokens)
        try:
            yield
        finally:
            del self._path[len(self._path) - len(tokens) :]

    def pointer(self, *tokens: str) -> str:
        """Confluent-style location: ``#/`` at the root, ``#/properties/zip`` below."""
        return "#/" + "/".join(escape(token) for token in (*self._path, *tokens))

    def add(
        self, kind: DifferenceType, message: str, *tokens: str, relaxable: bool = False
    ) -> None:
        """Record a difference here (or at ``tokens`` below here)."""
        compatible = judge(kind, self.policy, relaxable=relaxable)
        self.differences.append(Difference(kind, self.pointer(*tokens), message, compatible))

    def adopt(self, other: Context) -> None:
        """Take over what a sub-context found."""
        self.differences.extend(other.differences)

    @property
    def compatible(self) -> bool:
        return all(difference.compatible for difference in self.differences)

    def compare(self, original: Node | None, update: Node | None) -> None:
        """Compare two subschemas here."""
        self.engine.compare(self, original, update)

    def compare_shapes(self, original: Shape, update: Shape) -> None:
        """Compare two shapes here."""
        self.engine.compare_shapes(self, original, update)

    def attempt(self, original: Shape, update: Shape) -> Context:
        """A sub-context holding the comparison of two shapes, not yet adopted."""
        trial = self.sub()
        trial.compare_shapes(original, update)
        return trial

    def once(self, key: Hashable, compute: Callable[[], None]) -> None:
        """Run ``compute`` for the pair ``key``, unless it is already being compared (then it is
        assumed to match) or was compared before (then its differences are replayed here)."""
        if key in self.active:
            self._rely_on({key})
            return
        entry = self.memo.lookup(key, self.active)
        if entry is not None:
            self.differences.extend(entry.moved_to(self.pointer()))
            self._rely_on(entry.assumes)
            return
        outer, self._assumed = self._assumed, set()
        start, here = len(self.differences), self.pointer()
        self.active.add(key)
        self._depth += 1
        try:
            compute()
        finally:
            self.active.discard(key)
            self._depth -= 1
            assumed, self._assumed = self._assumed, outer
        found = tuple(self.differences[start:])
        if key in assumed:
            assumed.discard(key)
            self.memo.settle(key, all(difference.compatible for difference in found))
        self.memo.store(key, Entry(here, found, frozenset(assumed)))
        self._rely_on(assumed)

    def _rely_on(self, pairs: set[Hashable] | frozenset[Hashable]) -> None:
        if not pairs:
            return
        if self._depth == 0 and self.parent is not None:
            self.parent._rely_on(pairs)  # a trial's assumptions are its parent's too
        else:
            self._assumed |= pairs
