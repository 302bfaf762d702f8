"""Maximum bipartite matching, to pair the subschemas of two ``anyOf``/``oneOf``/``allOf``.

Subschemas are unordered, so Confluent pairs each original subschema with a distinct update
subschema it is compatible with, as many as possible (``MaximumCardinalityMatch``). Among the
many maximum matchings, this one takes one with the fewest differences in all, so an unchanged
subschema is paired with its twin and a schema compared with itself reports nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def maximum_matching(
    candidates: Mapping[int, Sequence[tuple[int, int]]],
) -> dict[int, int]:
    """Left index -> right index: as many pairs as possible, and among those the cheapest.

    ``candidates[left]`` lists ``(right, cost)`` for every allowed pair. Solved as an assignment
    problem in which a forbidden pair costs more than all allowed ones together, so fewer pairs
    never win over more (a greedy choice of cheap pairs can force a costly one elsewhere).
    """
    lefts = sorted(candidates)
    rights = sorted({right for pairs in candidates.values() for right, _ in pairs})
    if not lefts or not rights:
        return {}
    allowed = {(left, right): cost for left in lefts for right, cost in candidates[left]}
    forbidden = sum(allowed.values()) + 1
    transposed = len(lefts) > len(rights)
    rows, columns = (rights, lefts) if transposed else (lefts, rights)

    def cost(row: int, column: int) -> int:
        pair = (column, row) if transposed else (row, column)
        return allowed.get(pair, forbidden)

    assignment = _assign([[cost(r, c) for c in columns] for r in rows])
    matching: dict[int, int] = {}
    for row_index, column_index in enumerate(assignment):
        row, column = rows[row_index], columns[column_index]
        left, right = (column, row) if transposed else (row, column)
        if (left, right) in allowed:
            matching[left] = right
    return matching


def _assign(costs: list[list[int]]) -> list[int]:
    """The Hungarian algorithm (with potentials) for ``n`` rows and ``m >= n`` columns: the
    column of each row in an assignment of least total cost.

    ``scipy.optimize.linear_sum_assignment`` solves the same problem, but scipy is 113 MB and
    0.4 s of import for matrices of a few subschemas each."""
    n, m = len(costs), len(costs[0])
    infinity = float("inf")
    u, v = [0.0] * (n + 1), [0.0] * (m + 1)
    owner = [0] * (m + 1)  # column -> row (1-based; 0: none)
    way = [0] * (m + 1)
    for row in range(1, n + 1):
        owner[0] = row
        column = 0
        least = [infinity] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[column] = True
            current, delta, next_column = owner[column], infinity, 0
            for j in range(1, m + 1):
                if used[j]:
                    continue
                reduced = costs[current - 1][j - 1] - u[current] - v[j]
                if reduced < least[j]:
                    least[j], way[j] = reduced, column
                if least[j] < delta:
                    delta, next_column = least[j], j
            for j in range(m + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    least[j] -= delta
            column = next_column
            if owner[column] == 0:
                break
        while column:
            previous = way[column]
            owner[column] = owner[previous]
            column = previous
    assignment = [0] * n
    for j in range(1, m + 1):
        if owner[j]:
            assignment[owner[j] - 1] = j - 1
    return assignment
