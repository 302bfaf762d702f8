"""Remembered comparisons, so schemas that share or recurse through definitions stay fast.

Without it, comparing subschemas pairwise (for ``anyOf`` matching) through definitions that refer
to each other takes exponential time. A pair compared once is replayed wherever it meets again,
its differences moved to the new location.

Recursion makes this delicate. A pair met again while it is still being compared is *assumed*
compatible (that is how recursion ends, as in Confluent); whatever was computed under that
assumption holds only if the assumption does. So an entry records the pairs it assumed, is
reused only while those pairs are still assumed, and is dropped if one of them turns out
incompatible (or freed from the assumption if it turns out compatible).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable
from dataclasses import dataclass, replace

from hub.registry.compatibility.differences import Difference


@dataclass(frozen=True, slots=True)
class Entry:
    """What comparing one pair found, where, and which assumptions it rests on."""

    at: str  # the JSON pointer the pair was compared at
    found: tuple[Difference, ...]
    assumes: frozenset[Hashable]

    def moved_to(self, pointer: str) -> list[Difference]:
        """The differences as if the pair had been compared at ``pointer``."""
        moved = []
        for difference in self.found:
            below = difference.path[len(self.at) :].lstrip("/")
            path = f"{pointer.rstrip('/')}/{below}" if below else pointer
            moved.append(replace(difference, path=path))
        return moved


class Memo:
    """Entries by pair, shared by a comparison and all its trial sub-comparisons."""

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: dict[Hashable, Entry] = {}

    def lookup(self, key: Hashable, assumed: Collection[Hashable]) -> Entry | None:
        """The entry for ``key`` if every assumption it rests on still holds."""
        entry = self._entries.get(key)
        if entry is None or not all(pair in assumed for pair in entry.assumes):
            return None
        return entry

    def store(self, key: Hashable, entry: Entry) -> None:
        self._entries[key] = entry

    def settle(self, key: Hashable, compatible: bool) -> None:
        """``key`` was assumed compatible while compared; now its verdict is known."""
        for other, entry in list(self._entries.items()):
            if key in entry.assumes:
                if compatible:
                    self._entries[other] = replace(entry, assumes=entry.assumes - {key})
                else:
                    del self._entries[other]
