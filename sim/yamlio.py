"""Load YAML safely, reject duplicate keys, and remember the line of every key for error messages."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Any

import yaml

from sim.errors import Path, ScenarioError, nearest

MAX_BYTES = 1_000_000  # a scenario is a short text; anything larger is a mistake


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
        raw = file.read_bytes()
    except FileNotFoundError:
        raise ScenarioError.at(name, (), None, "file not found" + nearest_file(file)) from None
    except OSError as exc:
        raise ScenarioError.at(name, (), None, f"cannot read the file ({exc.strerror})") from None
    if len(raw) > MAX_BYTES:
        raise ScenarioError.at(name, (), None, f"file is {len(raw):,} bytes; a scenario must be under {MAX_BYTES:,}")
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
        data = None if node is None else _convert(loader, node, (), lines, name)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError.at(name, (), mark.line + 1 if mark else None, f"not valid YAML: {problem}") from None
    except RecursionError:
        raise ScenarioError.at(name, (), None, "nested too deeply") from None
    finally:
        loader.dispose()
    return data, lines


PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


def _convert(loader: yaml.SafeLoader, node: yaml.Node, path: Path, lines: dict[Path, int], name: str) -> Any:
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in PLAIN_TAGS:
        raise ScenarioError.at(name, path, node.start_mark.line + 1, f"not valid YAML: tag {node.tag} is not allowed")
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise ScenarioError.at(name, path, line, f"keys must be names, got {key!r}")
            if key in out:
                raise ScenarioError.at(
                    name, path + (key,), line, f"duplicate key (first on line {lines[path + (key,)]})"
                )
            lines[path + (key,)] = line
            out[key] = _convert(loader, value_node, path + (key,), lines, name)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            lines[path + (i,)] = item.start_mark.line + 1
            items.append(_convert(loader, item, path + (i,), lines, name))
        return items
    return loader.construct_object(node, deep=True)
