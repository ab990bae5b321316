"""Load YAML safely, reject duplicate keys, and remember the line of every key for error messages.

Bounded on any input: only regular files of at most :data:`MAX_BYTES` are read (a FIFO or ``/dev/zero``
is refused before a byte is read), aliases may not expand the data beyond :data:`MAX_ALIAS_VALUES` values
(a "billion laughs" file of 350 bytes would otherwise grow to gigabytes), nesting is bounded by Python's
recursion limit, and a number too long for Python to read is a message, not a traceback.
"""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Any

import yaml

from sim.errors import Path, ScenarioError, nearest
from sim.files import FileProblem, read_regular

MAX_BYTES = 1_000_000  # a scenario is a short text; anything larger is a mistake
MAX_ALIAS_VALUES = 10_000  # values that aliases (*name) may repeat in all: plenty to reuse a list, no bomb


def nearest_file(file: FilePath) -> str:
    """'; did you mean ...?' with the closest YAML file beside the one named (or in scenarios/ for a bare name)."""
    folders = [file.parent] + ([FilePath("scenarios")] if file.parent == FilePath(".") else [])
    for folder in (f for f in folders if f.is_dir()):
        choices = {candidate.stem: candidate for candidate in sorted(folder.glob("*.y*ml"))}
        stem = nearest(file.stem, choices, cutoff=0.7)  # file names: only a likely slip, not any file
        if stem:
            return f"; did you mean {folder / choices[stem].name}?"
    return ""


def load_yaml(file: FilePath) -> tuple[Any, dict[Path, int]]:
    """Return ``(data, lines)`` where ``lines[key_path]`` is the 1-based line that key is on."""
    name = str(file)
    try:
        raw = read_regular(file, MAX_BYTES)
    except FileNotFoundError:
        raise ScenarioError.at(name, (), None, "file not found" + nearest_file(file)) from None
    except FileProblem as exc:
        raise ScenarioError.at(name, (), None, str(exc)) from None
    except OSError as exc:
        raise ScenarioError.at(name, (), None, f"cannot read the file ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError.at(name, (), None, "not a UTF-8 text file") from None
    lines: dict[Path, int] = {}
    try:
        loader = yaml.SafeLoader(text)  # already reads: control characters fail here
    except yaml.YAMLError as exc:
        raise ScenarioError.at(name, (), None, f"not valid YAML: {str(exc).splitlines()[0]}") from None
    try:
        node = loader.get_single_node()
        data = None if node is None else _convert(loader, node, (), lines, _Reading(name, lines))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError.at(name, (), mark.line + 1 if mark else None, f"not valid YAML: {problem}") from None
    except RecursionError:
        raise ScenarioError.at(name, (), None, "nested too deeply (or an alias inside its own anchor)") from None
    finally:
        loader.dispose()
    return data, lines


PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
MERGE_TAG = "tag:yaml.org,2002:merge"


class _Reading:
    """The file being converted, and the nodes met so far: a node met again is an alias being expanded."""

    def __init__(self, name: str, lines: dict[Path, int]) -> None:
        self.name = name
        self.lines = lines
        self.seen: set[int] = set()
        self.repeated = 0

    def visit(self, node: yaml.Node, path: Path) -> None:
        if id(node) not in self.seen:
            self.seen.add(id(node))
            return
        self.repeated += 1
        if self.repeated > MAX_ALIAS_VALUES:
            raise ScenarioError.at(
                self.name,
                path[:1],
                self.lines.get(path[:1]),
                f"aliases (*name) repeat more than {MAX_ALIAS_VALUES:,} values; write the values out instead",
            )


def _scalar(loader: yaml.SafeLoader, node: yaml.Node, path: Path, name: str) -> Any:
    try:
        return loader.construct_object(node, deep=True)
    except ValueError as exc:  # 5,000 digits (Python's int limit), a date such as 2026-13-45
        text = str(exc)
        problem = "a number too long to read" if "digits" in text else text.split(";")[0]
        raise ScenarioError.at(name, path, node.start_mark.line + 1, f"not valid YAML: {problem}") from None


def _convert(loader: yaml.SafeLoader, node: yaml.Node, path: Path, lines: dict[Path, int], reading: _Reading) -> Any:
    name = reading.name
    reading.visit(node, path)
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in PLAIN_TAGS:
        raise ScenarioError.at(name, path, node.start_mark.line + 1, f"not valid YAML: tag {node.tag} is not allowed")
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == MERGE_TAG:
                raise ScenarioError.at(
                    name, path, line, "merge keys (<<:) are not supported: write the keys out, or build on another "
                    "scenario file with extends:"
                )  # fmt: skip
            if not isinstance(key_node, yaml.ScalarNode):
                raise ScenarioError.at(name, path, line, "keys must be names, not lists or mappings")
            key = _scalar(loader, key_node, path, name)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise ScenarioError.at(name, path, line, f"keys must be names, got {key!r}")
            if key in out:
                raise ScenarioError.at(
                    name, path + (key,), line, f"duplicate key (first on line {lines[path + (key,)]})"
                )
            lines[path + (key,)] = line
            out[key] = _convert(loader, value_node, path + (key,), lines, reading)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            lines[path + (i,)] = item.start_mark.line + 1
            items.append(_convert(loader, item, path + (i,), lines, reading))
        return items
    return _scalar(loader, node, path, name)
