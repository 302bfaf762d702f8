"""A YAML pipeline file as plain data, with the line of every value and its references resolved.

PyYAML's composed nodes know their lines; the plain data jsonschema validates does not. Building
the data from the nodes ourselves keeps both, and lets us refuse what PyYAML accepts silently:
duplicate keys, and keys YAML 1.1 reads as something other than text (``on:`` is ``true``).
The data is JSON-like: timestamps stay text.

References (``hub.pipeline.interpolate``) are resolved value by value, after parsing, so a secret
can never change the file's structure. A plain (unquoted) scalar that is exactly one reference
reads as a number or boolean when its resolved text does (``partitions: ${env:PARTITIONS}``), as
if the text had been written there; quote it to keep text (``"${env:PIN}"``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jsonschema import ValidationError

from hub.errors import ConfigError
from hub.pipeline.interpolate import resolve
from hub.pipeline.problems import Location, Problem, explain, show_value

# References as the scanner would misread them, and the placeholders standing in for them:
# characters of Unicode's private use area, which YAML accepts in plain scalars.
_REFERENCE = re.compile(r"\$\{(?:env|file):[^}\n]*\}")
_OPEN, _PAD, _CLOSE = "\ue000", "\ue002", "\ue001"
_PLACEHOLDER = re.compile(f"{_OPEN}(\\d+){_PAD}*{_CLOSE}")
QUOTE_HINT = "; an unquoted reference reads as a number or boolean: quote it to keep text"
_MERGE = "tag:yaml.org,2002:merge"
_STR = "tag:yaml.org,2002:str"
_RETYPED = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool"}


class _Loader(yaml.SafeLoader):
    """SafeLoader, but timestamps stay the text they were written as (JSON has no dates)."""


_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


@dataclass(slots=True)
class Document:
    """The data of one file, and where each value came from.

    ``lines`` maps each location to its 1-based line (for a mapping member, the line of its key,
    where a reader looks). ``secrets`` maps locations whose value came from the environment or a
    file to the references to show instead; ``retyped`` holds plain scalars that took a number or
    boolean type from a reference; ``unresolved`` holds locations whose references failed.
    """

    file: str
    data: Any = None
    lines: dict[Location, int] = field(default_factory=dict)
    secrets: dict[Location, str] = field(default_factory=dict)
    retyped: set[Location] = field(default_factory=set)
    unresolved: set[Location] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)

    def line(self, path: Location) -> int:
        """The line of ``path``, or of its closest ancestor present in the file."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return 1

    def problem(self, path: Location, message: str, *, line: int | None = None) -> None:
        problem = Problem(self.file, line or self.line(path), path, message)
        if problem not in self.problems:
            self.problems.append(problem)

    def report(self, error: ValidationError, path: Location) -> None:
        """A JSON Schema error about the value at ``path``, in words (``problems.explain``)."""
        if self.is_unresolved(path):
            return  # its reference failed: that is the problem to fix first
        for at, message in explain(error, path, self.show):
            if error.validator == "type" and at in self.retyped:
                message += QUOTE_HINT
            self.problem(at, message)

    def show(self, path: Location, value: Any) -> str:
        """``value`` for a message: the reference instead of anything from outside the file."""
        reference = self.secrets.get(path)
        return f"the value of {reference}" if reference is not None else show_value(value)

    def is_unresolved(self, path: Location) -> bool:
        return any(_under(path, p) for p in self.unresolved)


def parse(
    text: str, *, file: str, base_dir: Path, environ: Mapping[str, str] | None = None
) -> Document:
    """Parse ``text``; problems (YAML syntax, duplicate keys, references) land in ``problems``."""
    document = Document(file)
    hidden, references = _hide_references(text)
    loader = None
    try:
        loader = _Loader(hidden)  # checks for unprintable characters right away
        node = loader.get_single_node()
        if node is None:
            document.problem((), "the file is empty; a pipeline needs at least `pipeline: NAME`")
            return document
        builder = _Builder(loader, document, base_dir, environ, references)
        document.data = builder.build(node, (), frozenset())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at column {mark.column + 1}" if mark else ""
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        message = f"invalid YAML{where}: {exc.problem or exc.context}{context}"
        document.problem((), message, line=mark.line + 1 if mark else 1)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        document.problem(
            (), f"invalid YAML: {exc.reason} character #x{exc.character:04x}", line=line
        )
    except yaml.YAMLError as exc:
        document.problem((), f"invalid YAML: {exc}")
    finally:
        if loader is not None:
            loader.dispose()
    return document


class _Builder:
    def __init__(
        self,
        loader: _Loader,
        document: Document,
        base_dir: Path,
        environ: Mapping[str, str] | None,
        references: list[str],
    ) -> None:
        self.loader = loader
        self.document = document
        self.base_dir = base_dir
        self.environ = environ
        self.references = references

    def construct(self, node: yaml.Node) -> Any:
        """The node's value, with the references hidden from the scanner put back."""
        value = self.loader.construct_object(node)
        if isinstance(value, str) and _OPEN in value and self.references:
            value = _PLACEHOLDER.sub(lambda m: self.references[int(m.group(1))], value)
        return value

    def build(self, node: yaml.Node, path: Location, parents: frozenset[int]) -> Any:
        if id(node) in parents:
            self.document.problem(path, "an alias refers to a node containing itself; remove it")
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, parents | {id(node)})
        if isinstance(node, yaml.SequenceNode):
            result = []
            for index, item in enumerate(node.value):
                self.document.lines[(*path, index)] = item.start_mark.line + 1
                result.append(self.build(item, (*path, index), parents | {id(node)}))
            return result
        value = self.construct(node)
        if isinstance(value, str) and node.tag == _STR and "${" in value:
            return self._interpolate(node, value, path)
        return value

    def _mapping(self, node: yaml.MappingNode, path: Location, parents: frozenset[int]) -> Any:
        explicit = sum(1 for key, _ in node.value if key.tag != _MERGE)
        self.loader.flatten_mapping(node)  # merge keys (<<) first, then the mapping's own
        merged = len(node.value) - explicit
        result: dict[str, Any] = {}
        own: set[str] = set()
        for index, (key_node, value_node) in enumerate(node.value):
            line = key_node.start_mark.line + 1
            key = self._key(key_node, path, line)
            if key is None:
                continue
            if index >= merged:
                if key in own:
                    first = self.document.lines[(*path, key)]
                    self.document.problem(
                        (*path, key), f"duplicate key; it is already set on line {first}", line=line
                    )
                    continue
                own.add(key)
            self.document.lines[(*path, key)] = line
            result[key] = self.build(value_node, (*path, key), parents)
        return result

    def _key(self, node: yaml.Node, path: Location, line: int) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.document.problem(path, "a key must be text, not a list or mapping", line=line)
            return None
        key = self.construct(node)
        if isinstance(key, str):
            return key
        self.document.problem(
            (*path, node.value),
            f"YAML reads this key as {show_value(key)}, not text; quote it: '{node.value}'",
            line=line,
        )
        return None

    def _interpolate(self, node: yaml.ScalarNode, text: str, path: Location) -> Any:
        line = node.start_mark.line + 1
        try:
            resolved = resolve(text, base_dir=self.base_dir, environ=self.environ)
        except ConfigError as exc:
            for problem in exc.problems:
                self.document.problem(path, problem, line=line)
            self.document.unresolved.add(path)
            return text
        if resolved.secret:
            self.document.secrets[path] = ", ".join(resolved.references)
        if resolved.whole and node.style is None:
            tag = self.loader.resolve(yaml.ScalarNode, resolved.text, (True, False))
            if tag in _RETYPED:
                self.document.retyped.add(path)
                return self.loader.construct_object(yaml.ScalarNode(tag, resolved.text))
        return resolved.text


def _under(path: Location, ancestor: Location) -> bool:
    return path[: len(ancestor)] == ancestor


def _hide_references(text: str) -> tuple[str, list[str]]:
    """``text`` with each reference replaced by a placeholder of the same length.

    Inside ``{...}`` and ``[...]`` YAML ends a plain scalar at ``{`` and ``}``, so an unquoted
    ``${env:X}`` there would be a syntax error; the placeholder has no such characters, and its
    length keeps every column the same.
    """
    if _OPEN in text:
        return text, []
    originals: list[str] = []

    def hide(match: re.Match[str]) -> str:
        originals.append(match.group(0))
        token = f"{_OPEN}{len(originals) - 1}"
        return token + _PAD * (len(match.group(0)) - len(token) - 1) + _CLOSE

    return _REFERENCE.sub(hide, text), originals
