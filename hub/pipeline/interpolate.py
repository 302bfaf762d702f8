"""``${env:NAME}``, ``${env:NAME:-default}`` and ``${file:path}`` references in pipeline values.

The rules, chosen so that a pipeline file cannot be broken or extended by what it reads:

- Only values are interpolated, never keys, and a resolved value is never parsed as YAML: a
  secret containing ``: `` or a newline stays one string. (In a YAML file, a plain scalar that is
  exactly one reference takes the type its text reads as, see ``hub.pipeline.document``.)
- ``${env:NAME:-default}`` uses ``default`` when ``NAME`` is unset *or empty*, as the shell does.
  A default cannot contain ``}``. References do not nest.
- ``${file:path}`` is the file's UTF-8 text without one trailing newline (secrets mounted by
  Docker or Kubernetes end with one). A relative path is relative to the pipeline file's directory.
- ``$${`` is a literal ``${``: ``$${env:HOME}`` reads as the text ``${env:HOME}``.
- Other ``${...}`` text (``${name}`` in a transform's template) is left as it is.
- Every value read from the environment or a file is registered with ``hub.secrets`` before this
  module returns it; a default is not (it is in the file for all to see). Messages about a
  reference name the variable or file, never the value.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub import secrets
from hub.errors import ConfigError

MAX_FILE_BYTES = 1 << 20

# `$${` (escape), or `${env:...}` / `${file:...}` with or without its closing brace.
_REFERENCE = re.compile(r"\$\$\{|\$\{(env|file):([^}]*)(\})?")
_ENV = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$", re.DOTALL)
_SYNTAX = "use ${env:NAME}, ${env:NAME:-default} or ${file:path}; write $${ for a literal ${"


@dataclass(frozen=True, slots=True)
class Resolved:
    """A string with its references replaced.

    ``secret`` tells whether any part came from the environment or a file; ``whole`` whether the
    string was exactly one reference; ``references`` are the references as written (safe to show
    in place of the value).
    """

    text: str
    secret: bool = False
    whole: bool = False
    references: tuple[str, ...] = ()


def resolve(text: str, *, base_dir: Path, environ: Mapping[str, str] | None = None) -> Resolved:
    """Replace the references in ``text``; one ``ConfigError`` lists every one that fails."""
    if "${" not in text:
        return Resolved(text)
    env = os.environ if environ is None else environ
    problems: list[str] = []
    references: list[str] = []
    secret = False

    def replace(match: re.Match[str]) -> str:
        nonlocal secret
        if match.group(0) == "$${":
            return "${"
        written = match.group(0)
        references.append(written)
        provider, body, closed = match.groups()
        if not closed:
            problems.append(f"{written!s} is not closed with '}}'; {_SYNTAX}")
            return written
        value, from_outside, problem = (
            _env(body, env) if provider == "env" else _file(body, base_dir)
        )
        if problem:
            problems.append(problem)
            return written
        if from_outside:
            secret = True
            secrets.register(value)
        return value

    result = _REFERENCE.sub(replace, text)
    if problems:
        raise ConfigError("cannot resolve references", problems)
    whole = len(references) == 1 and _REFERENCE.fullmatch(text) is not None
    return Resolved(result, secret, whole, tuple(references))


def interpolate(value: Any, *, base_dir: Path, environ: Mapping[str, str] | None = None) -> Any:
    """``value`` with every string inside it (in nested lists and mappings) resolved.

    For data that did not come from YAML (e.g. JSON): strings stay strings. One ``ConfigError``
    lists every failing reference with its path (``config.password: ...``).
    """
    problems: list[str] = []

    def walk(item: Any, path: str) -> Any:
        if isinstance(item, str):
            try:
                return resolve(item, base_dir=base_dir, environ=environ).text
            except ConfigError as exc:
                problems.extend(f"{path}: {p}" if path else p for p in exc.problems)
                return item
        if isinstance(item, Mapping):
            return {k: walk(v, f"{path}.{k}" if path else str(k)) for k, v in item.items()}
        if isinstance(item, list | tuple):
            return [walk(v, f"{path}[{i}]") for i, v in enumerate(item)]
        return item

    result = walk(value, "")
    if problems:
        raise ConfigError("cannot resolve references", problems)
    return result


def _env(body: str, environ: Mapping[str, str]) -> tuple[str, bool, str | None]:
    match = _ENV.match(body)
    if not match:
        return "", False, f"${{env:{body}}} is not a valid reference; {_SYNTAX}"
    name, default = match.groups()
    value = environ.get(name)
    if value:
        return value, True, None
    if default is not None:
        return default, False, None
    if value is None:
        return (
            "",
            False,
            (
                f"environment variable {name} is not set; set it, or give a default: "
                f"${{env:{name}:-value}}"
            ),
        )
    return "", False, None


def _file(body: str, base_dir: Path) -> tuple[str, bool, str | None]:
    if not body.strip():
        return "", False, f"${{file:}} names no file; {_SYNTAX}"
    path = Path(body).expanduser()
    if not path.is_absolute():
        path = base_dir / path
    shown = f"secret file {body}" + ("" if str(path) == body else f" ({path})")
    try:
        if path.is_dir():
            return "", False, f"{shown} is a directory; name a file"
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return "", False, f"{shown} is larger than {MAX_FILE_BYTES // 1024} KiB"
        data = path.read_bytes()
    except FileNotFoundError:
        return "", False, f"{shown} does not exist; relative paths start at the pipeline file"
    except PermissionError:
        return "", False, f"{shown} cannot be read: permission denied"
    except OSError as exc:
        return "", False, f"{shown} cannot be read: {exc.strerror or type(exc).__name__}"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "", False, f"{shown} is not UTF-8 text"
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith("\n"):
        text = text[:-1]
    return text, True, None
