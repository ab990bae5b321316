"""Scenario files: YAML validated into a frozen :class:`Scenario`, overlaid on parents with ``extends:``.

A scenario names which levers (policies) and conditions (uncertainties) act, by label (the label is
the type unless ``lever:`` or ``condition:`` says otherwise), when, where and how much; it may override
model parameters. Errors name the file, the
line, the key path, what is allowed and the nearest valid key, and never mutate the parent.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.calendar import format_month
from sim.conditions import CONDITIONS, ConditionConfig
from sim.errors import Path, Problem, ScenarioError, nearest, nearest_key
from sim.levers import LEVERS, LeverConfig
from sim.parameters import default_parameters, section_schemas
from sim.rules import RULES
from sim.schedule import Month
from sim.schema import allowed_text
from sim.yamlio import load_yaml, nearest_file

MAX_EXTENDS_DEPTH = 20


class ScenarioFile(BaseModel):
    """The top level of a scenario file."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    name: str = Field(min_length=1, max_length=200, description="short name shown in tables")
    description: str = Field("", max_length=5000, description="what the scenario represents")
    extends: str | list[str] | None = Field(None, description="parent scenario file(s), relative to this one")
    start: Month = Field(
        "2002-01", description="first simulated month, YYYY-MM (2002-01 replays history from the 2002 census)"
    )
    end: Month = Field("2035-12", description="last simulated month (the horizon), YYYY-MM")
    conditions: dict[str, dict[str, Any] | None] = Field(default_factory=dict, description="conditions by label")
    levers: dict[str, dict[str, Any] | None] = Field(default_factory=dict, description="policy levers by label")
    rules: dict[str, dict[str, Any] | None] = Field(
        default_factory=dict, description="decision rules to weight (built-in) or add (third-party), by label"
    )
    parameters: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="model parameter overrides by section"
    )


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: what a run needs, and where it came from."""

    name: str
    start: int
    end: int
    levers: tuple[tuple[str, LeverConfig], ...] = ()
    conditions: tuple[tuple[str, ConditionConfig], ...] = ()
    rules: tuple[tuple[str, RuleChoice], ...] = ()
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    description: str = ""
    source: str = "<dict>"

    def resolved(self) -> dict[str, Any]:
        """The scenario as plain data (what its digest is computed from)."""
        return {
            "name": self.name,
            "description": self.description,
            "start": format_month(self.start),
            "end": format_month(self.end),
            "conditions": {label: c.model_dump(mode="json", exclude_none=True) for label, c in self.conditions},
            "levers": {label: c.model_dump(mode="json", exclude_none=True) for label, c in self.levers},
            "rules": {label: c.model_dump(mode="json", exclude_none=True) for label, c in self.rules},
            "parameters": self.parameters,
        }

    @property
    def digest(self) -> str:
        text = json.dumps(self.resolved(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def lever_labels(self) -> list[str]:
        return [label for label, _ in self.levers]


SHIPPED = FilePath(__file__).resolve().parent.parent / "scenarios"  # the repository's scenarios (editable install)


def shipped_scenario(name: str) -> Scenario:
    """One of the scenarios migsim ships (``scenarios/NAME.yaml``), e.g. the baseline."""
    return load_scenario(SHIPPED / f"{name}.yaml")


def load_scenario(file: str | FilePath) -> Scenario:
    """Read, overlay and validate a scenario file; raise :class:`ScenarioError` on any problem."""
    data, lines, origin = _resolve(FilePath(file), ())
    return validate_scenario(data, origin, lines)


class RuleChoice(BaseModel):
    """How a scenario uses a decision rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str | None = Field(
        None, description="the rule: built-in or installed name, or package.module:Class (default: the label)"
    )
    weight: float = Field(1.0, ge=0, le=10, description="factor on the rule's term (0 switches it off)")
    params: dict[str, Any] = Field(
        default_factory=dict, description="a third-party rule's parameters (built-in ones: under parameters:)"
    )


def _rules(bodies: dict, problems: list) -> list:
    """Validate the rule choices: the class exists, built-ins take only a weight, others valid parameters."""
    out = []
    for label, body in bodies.items():
        if body is None:
            continue
        try:
            choice = RuleChoice.model_validate(body)
        except ValidationError as exc:
            problems += explain_validation(exc, RuleChoice, ("rules", label))
            continue
        name = choice.rule or label
        try:
            cls = RULES.lookup(name)
        except KeyError as exc:
            problems.append(((("rules", label, "rule") if choice.rule else ("rules", label)), exc.args[0]))
            continue
        if name in RULES:
            if choice.params:
                problems.append(
                    (("rules", label, "params"), f"set a built-in rule's parameters under parameters.{name}")
                )
            else:
                out.append((label, choice.model_copy(update={"rule": name})))
            continue
        if not (cls.has_vectorised() or cls.has_one()):
            problems.append((("rules", label), f"{name} has neither a vectorised() nor a one() form"))
            continue
        try:
            params = cls.Params.model_validate(choice.params).model_dump(mode="json")
        except ValidationError as exc:
            problems += explain_validation(exc, cls.Params, ("rules", label, "params"))
            continue
        out.append((label, choice.model_copy(update={"rule": name, "params": {} if name in RULES else params})))
    return out


def _activities(section: str, type_key: str, bodies: dict, registry: dict, problems: list) -> list:
    """Validate the levers (or conditions) of a scenario, each against its own type's settings."""
    out = []
    for label, body in bodies.items():
        if body is None:  # `label: null` removes one inherited from a parent
            continue
        kind = body.get(type_key) or label
        where = (section, label, type_key) if type_key in body else (section, label)
        try:
            config = registry.lookup(kind).Config
        except KeyError as exc:
            problems.append((where, exc.args[0]))
            continue
        try:
            out.append((label, config.model_validate(body)))
        except ValidationError as exc:
            problems += explain_validation(exc, config, (section, label))
    return out


FIRST_MONTH = 2002 * 12  # the 2002 census and the observed series begin here


def _outside_the_run(top: ScenarioFile, activities: list) -> list[tuple[Path, str]]:
    """Levers and conditions that would never act between the scenario's start and end (a wrong date)."""
    out = []
    for section, label, config in activities:
        if config.history:  # a dated period of history: a run may begin after it or end before it
            continue
        if config.start > top.end:
            out.append(
                (
                    (section, label, "start"),
                    f"{format_month(config.start)} is after the scenario's end ({format_month(top.end)}), so it would "
                    f"never act; start it earlier, end the scenario later, or remove it with `{label}: null`",
                )
            )
        elif config.end is not None and config.end < top.start:
            out.append(
                (
                    (section, label, "end"),
                    f"{format_month(config.end)} is before the scenario's start ({format_month(top.start)}), so it "
                    f"would never act; end it later or remove it with `{label}: null`",
                )
            )
    return out


def validate_scenario(data: Any, source: str = "<dict>", lines: dict[Path, tuple[str, int]] | None = None) -> Scenario:
    """Validate already-loaded scenario data (e.g. built by the app or a sweep)."""
    lines = lines or {}
    problems: list[tuple[Path, str]] = []
    if not isinstance(data, dict):
        raise ScenarioError.at(source, (), None, "a scenario must be a mapping of keys (name:, levers:, ...)")
    try:
        top = ScenarioFile.model_validate(data)
    except ValidationError as exc:
        problems += explain_validation(exc, ScenarioFile, ())
        raise locate_problems(source, problems, lines) from None
    if top.end < top.start:
        problems.append((("end",), f"{format_month(top.end)} is before start {format_month(top.start)}"))
    if top.start < FIRST_MONTH:
        problems.append(
            (("start",), f"{format_month(top.start)} is before the model's data begin ({format_month(FIRST_MONTH)})")
        )
    conditions = _activities("conditions", "condition", top.conditions, CONDITIONS, problems)
    levers = _activities("levers", "lever", top.levers, LEVERS, problems)
    problems += _outside_the_run(top, [("conditions", *c) for c in conditions] + [("levers", *c) for c in levers])
    rules = _rules(top.rules, problems)
    schemas = section_schemas()
    defaults = default_parameters()
    for section, values in top.parameters.items():
        if section not in schemas:
            hint = nearest(section, schemas)
            message = "unknown parameter section" + (f"; did you mean '{hint}'?" if hint else "")
            problems.append((("parameters", section), f"{message} (sections: {', '.join(schemas)})"))
            continue
        try:
            schemas[section].model_validate({**defaults[section].model_dump(), **(values or {})})
        except ValidationError as exc:
            problems += explain_validation(exc, schemas[section], ("parameters", section))
    if problems:
        raise locate_problems(source, problems, lines)
    return Scenario(
        name=top.name,
        description=top.description,
        start=top.start,
        end=top.end,
        levers=tuple(levers),
        conditions=tuple(conditions),
        rules=tuple(rules),
        parameters=copy.deepcopy(top.parameters),
        source=source,
    )


def _resolve(file: FilePath, chain: tuple[FilePath, ...]) -> tuple[dict, dict[Path, tuple[str, int]], str]:
    """Load ``file`` and its ``extends:`` parents; merge parents left to right, then the child over them.

    Parents are read, never changed.
    """
    name = str(file)
    resolved = file.resolve()
    if resolved in chain:
        cycle = " -> ".join(str(p.name) for p in (*chain, resolved))
        raise ScenarioError.at(name, ("extends",), None, f"extends cycle: {cycle}")
    if len(chain) > MAX_EXTENDS_DEPTH:
        raise ScenarioError.at(name, ("extends",), None, f"more than {MAX_EXTENDS_DEPTH} levels of extends")
    data, raw_lines = load_yaml(file)
    lines = {path: (name, line) for path, line in raw_lines.items()}
    if data is None:
        raise ScenarioError.at(name, (), None, "file is empty; a scenario needs at least name:")
    if not isinstance(data, dict):
        raise ScenarioError.at(name, (), 1, "a scenario must be a mapping of keys (name:, levers:, ...)")
    if "base" in data and "factors" in data:
        raise ScenarioError.at(
            name, (), None, "this is an experiment file (base:, factors:), not a scenario: run it with `migsim sweep`"
        )
    refs = data.get("extends")
    if refs is None:
        _check_removals(name, data, {}, raw_lines)
        return data, lines, name
    if isinstance(refs, str):
        refs = [refs]
    if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
        raise ScenarioError.at(name, ("extends",), raw_lines.get(("extends",)), "must be a file name or a list of them")
    merged: dict = {}
    parents_lines: dict = {}
    for i, ref in enumerate(refs):
        parent_file = file.parent / ref
        if not ref.strip():
            line = raw_lines.get(("extends", i), raw_lines.get(("extends",)))
            raise ScenarioError.at(name, ("extends",), line, "an empty parent name: give a scenario file")
        line = raw_lines.get(("extends", i), raw_lines.get(("extends",)))
        if not parent_file.exists():
            hint = nearest_file(parent_file)
            raise ScenarioError.at(
                name, ("extends",), line, f"parent scenario {ref!r} not found next to this file{hint}"
            )
        if parent_file.suffix.lower() not in (".yaml", ".yml"):  # never read /etc/passwd as a scenario
            raise ScenarioError.at(name, ("extends",), line, f"a parent scenario is a .yaml file, got {ref!r}")
        try:
            parent, parent_lines, _ = _resolve(parent_file, (*chain, resolved))
        except ScenarioError as exc:
            raise _named_by(exc, str(parent_file), f"{name}:{line}" if line else name) from None
        merged = _overlay(merged, parent)
        parents_lines.update(parent_lines)
    _check_removals(name, data, merged, raw_lines)
    if merged.get("description") and "description" not in data:  # not the parent's words as this scenario's own
        merged["description"] = f"Based on '{merged.get('name')}': {merged['description']}"
    merged = _overlay(merged, {k: v for k, v in data.items() if k != "extends"})
    return merged, {**parents_lines, **lines}, name


def _named_by(error: ScenarioError, parent: str, child: str) -> ScenarioError:
    """``error`` with the parent file's own problems saying which file's ``extends:`` named it."""
    return ScenarioError(
        [
            Problem(p.file, p.path, p.line, f"{p.message} (parent named by {child})") if p.file == parent else p
            for p in error.problems
        ]
    )


def _check_removals(name: str, data: dict, parents: dict, raw_lines: dict) -> None:
    """``label: null`` removes what a parent defines: one that names nothing (a typo) must not pass silently."""
    for section in ("levers", "conditions", "rules"):
        own, inherited = data.get(section), parents.get(section)
        if not isinstance(own, dict):
            continue
        inherited = inherited if isinstance(inherited, dict) else {}
        for label, body in own.items():
            if body is None and label not in inherited:
                if inherited:
                    hint = nearest(str(label), inherited)
                    message = f"nothing to remove: no parent defines '{label}'" + (
                        f"; did you mean '{hint}'?" if hint else f" (inherited: {', '.join(map(str, inherited))})"
                    )
                else:
                    message = (
                        "is empty: give its settings (e.g. start:), or delete the line (`label: null` removes "
                        "only what a parent scenario defines)"
                    )
                raise ScenarioError.at(name, (section, label), raw_lines.get((section, label)), message)


def _overlay(parent: Any, child: Any) -> Any:
    """Child values replace parent values; mappings merge key by key. Returns new objects."""
    if isinstance(parent, dict) and isinstance(child, dict):
        out = copy.deepcopy(parent)
        for key, value in child.items():
            out[key] = _overlay(parent[key], value) if key in parent and value is not None else copy.deepcopy(value)
        return out
    return copy.deepcopy(child)


def _union_branch(part: object) -> bool:
    return isinstance(part, str) and ("[" in part or part in ("str", "int"))


def explain_validation(exc: ValidationError, model: type[BaseModel], prefix: Path) -> list[tuple[Path, str]]:
    """Turn pydantic errors into (key path, plain message) pairs."""
    errors = exc.errors(include_url=False)
    # A misspelt key also makes the key it stands for "missing": report only the misspelling.
    guessed = {nearest_key(str(e["loc"][-1]), model) for e in errors if e["type"] == "extra_forbidden"}
    errors = [e for e in errors if not (e["type"] == "missing" and e["loc"] and e["loc"][0] in guessed)]
    out = []
    for err in errors:
        kind = err["type"]
        # pydantic names the branch of a union in the path ("str", "list[str]"); an unknown key is the user's own
        # word, even when it is "str"
        own = len(err["loc"]) - 1 if kind == "extra_forbidden" else None
        loc = tuple(part for i, part in enumerate(err["loc"]) if i == own or not _union_branch(part))
        key = loc[0] if loc else None
        info = model.model_fields.get(key) if isinstance(key, str) else None
        if kind == "extra_forbidden":
            hint = nearest_key(str(loc[-1]), model)
            message = (
                "unknown key"
                + (f"; did you mean '{hint}'?" if hint else "")
                + f" (allowed: {', '.join(model.model_fields)})"
            )
        elif kind == "missing":
            message = "required key is missing" + (f" ({info.description})" if info and info.description else "")
        elif kind == "value_error":
            message = str(err["ctx"]["error"]) if "ctx" in err else err["msg"]
        elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            bound = {"greater_than_equal": "at least", "less_than_equal": "at most", "greater_than": "more than"}
            limit = next(iter(err.get("ctx", {}).values()), None)
            said = f"{bound.get(kind, 'less than')} {limit}" if limit is not None else "a value in range"
            message = f"{err.get('input')!r} is out of range; allowed: {allowed_text(info) or said}"
        elif kind == "literal_error":
            meaning = f" ({info.description})" if info and info.description else ""
            message = f"{err.get('input')!r} is not allowed; allowed: {err['ctx']['expected']}{meaning}"
        else:
            allowed = allowed_text(info)
            message = f"{err['msg'].lower()}, got {err.get('input')!r}" + (f"; expected: {allowed}" if allowed else "")
        out.append((prefix + loc, message))
    return out


def locate_problems(source: str, problems: list[tuple[Path, str]], lines: dict[Path, tuple[str, int]]) -> ScenarioError:
    """Attach the file and line where each problem's key (or its nearest parent key) was written."""
    located = []
    for path, message in problems:
        file, line = source, None
        for depth in range(len(path), 0, -1):
            if path[:depth] in lines:
                file, line = lines[path[:depth]]
                break
        located.append(Problem(file, path, line, message))
    files = list(dict.fromkeys(p.file for p in located))
    return ScenarioError(sorted(located, key=lambda p: (files.index(p.file), p.line or 0)))  # as the file reads
