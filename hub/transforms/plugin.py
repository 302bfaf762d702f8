"""The built-in transforms, registered through the ``hub.plugins`` entry point like any plugin's."""

from __future__ import annotations

from hub.hookspecs import hookimpl
from hub.sdk import Transform
from hub.transforms.cast import Cast
from hub.transforms.fields import Drop, Keep, Rename
from hub.transforms.filter import Filter
from hub.transforms.flatten import Flatten
from hub.transforms.insert import Insert
from hub.transforms.mask import Mask
from hub.transforms.route import Route
from hub.transforms.value_to_key import ValueToKey

BUILTIN: list[type[Transform]] = [
    Cast,
    Drop,
    Filter,
    Flatten,
    Insert,
    Keep,
    Mask,
    Rename,
    Route,
    ValueToKey,
]


@hookimpl
def hub_transforms() -> list[type[Transform]]:
    return list(BUILTIN)
