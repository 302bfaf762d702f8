"""Maximum bipartite matching, to pair the subschemas of two ``anyOf``/``oneOf``/``allOf``.

Subschemas are unordered, so Confluent pairs each original subschema with a distinct update
subschema it is compatible with, as many as possible (``MaximumCardinalityMatch``). Among the
many maximum matchings, this one prefers the pairs with fewer differences, so an unchanged
subschema is paired with its twin and the report stays small.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def maximum_matching(
    candidates: Mapping[int, Sequence[tuple[int, int]]],
) -> dict[int, int]:
    """Left index -> right index, as many pairs as possible.

    ``candidates[left]`` lists ``(right, cost)`` for every allowed pair; lower cost is preferred.
    """
    ordered = {
        left: [right for right, _ in sorted(pairs, key=lambda pair: pair[1])]
        for left, pairs in candidates.items()
    }
    owner: dict[int, int] = {}  # right -> left

    def augment(left: int, seen: set[int]) -> bool:
        for right in ordered[left]:
            if right in seen:
                continue
            seen.add(right)
            if right not in owner or augment(owner[right], seen):
                owner[right] = left
                return True
        return False

    # Cheapest first, so the early (preferred) pairs are the ones later paths must route around.
    for left in sorted(ordered, key=lambda key: min((c for _, c in candidates[key]), default=0)):
        augment(left, set())
    return {left: right for right, left in owner.items()}
