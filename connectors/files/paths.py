"""Root confinement: a glob is expanded inside one directory, and nothing outside it is read.

A pipeline file is often written by someone other than the operator who runs it, so ``path``
cannot be trusted to stay where it points: ``..`` in the pattern and symlinks leading out of
the root are refused, by what each match *resolves* to, not by how its name looks.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator
from pathlib import Path

from hub.errors import ConfigError, HubError


def resolve_root(root: str | None) -> Path:
    """The absolute, symlink-free root directory (the working directory when ``root`` is unset)."""
    base = Path(root) if root else Path.cwd()
    try:
        resolved = base.resolve(strict=True)
    except OSError as exc:
        raise ConfigError(
            f"file source: root {str(base)!r} does not exist ({exc.strerror}); create it or "
            "point `root` at the directory that holds the input files"
        ) from None
    if not resolved.is_dir():
        raise ConfigError(f"file source: root {str(base)!r} is not a directory")
    return resolved


def relative_pattern(pattern: str, root: Path) -> str:
    """``pattern`` relative to ``root``; ``ConfigError`` when it lexically leaves the root."""
    absolute = os.path.normpath(os.path.join(root, pattern))
    relative = os.path.relpath(absolute, root)
    if relative == ".." or relative.startswith(".." + os.sep) or os.path.isabs(relative):
        raise ConfigError(
            f"file source: path {pattern!r} leads outside the root {str(root)!r}; move the "
            "files under the root or set `root` to a directory that contains them"
        )
    return relative


def matches(pattern: str, root: Path, error: type[HubError]) -> Iterator[tuple[str, Path]]:
    """``(name relative to root, path)`` of each regular file matching, in sorted order.

    A match that resolves outside ``root`` (through a symlink) raises ``error``: silently
    skipping it would hide a misconfiguration, reading it would leak a file.
    """
    for name in sorted(glob.glob(pattern, root_dir=root, recursive=True)):
        path = root / name
        try:
            resolved = path.resolve(strict=True)
        except OSError:  # vanished between the glob and now, or a dangling link
            continue
        if not resolved.is_relative_to(root):
            raise error(
                f"file source: {name!r} resolves to {str(resolved)!r}, outside the root "
                f"{str(root)!r}; symlinks may not lead out of the root: remove the link or "
                "widen `root`"
            )
        if resolved.is_file():
            yield Path(name).as_posix(), path
