"""What a schema allows past the parts it declares (items past a tuple, undeclared properties),
compared old to new: whether any is allowed, and the schema it must match."""

from __future__ import annotations

from dataclasses import dataclass

from hub.registry.compatibility.context import Context
from hub.registry.compatibility.differences import DifferenceType
from hub.registry.compatibility.refs import Node

Additional = tuple[bool, Node | None]
"""Whether anything past the declared parts is allowed, and the schema it meets (None: any)."""


@dataclass(frozen=True, slots=True)
class OpenContent:
    """One keyword that opens a content model: its difference types, and what it governs in
    words (``what`` as a sentence's subject, ``older`` as who may hold some already)."""

    added: DifferenceType
    removed: DifferenceType
    narrowed: DifferenceType
    extended: DifferenceType
    what: str
    older: str


def compare(
    ctx: Context, keyword: str, old: Additional, new: Additional, content: OpenContent
) -> None:
    (permitted, before), (permits, after) = old, new
    with ctx.at(keyword):
        if permitted != permits:
            if permits:
                ctx.add(content.added, f"{content.what} are now allowed")
            else:
                message = f"{content.what} are no longer allowed: {content.older} may hold some"
                ctx.add(content.removed, message)
        elif before is None and after is not None:
            message = f"{content.what} must now match a schema: older ones may not"
            ctx.add(content.narrowed, message)
        elif before is not None and after is None:
            ctx.add(content.extended, f"{content.what} may now hold anything")
        elif before is not None and after is not None:
            ctx.compare(before, after)
