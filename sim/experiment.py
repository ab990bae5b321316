"""Experiment files: a base scenario, factors to vary, a design, replications and outcomes.

Factors name any setting of the base scenario by key path: ``levers.<label>.<key>``,
``conditions.<label>.<key>`` or ``parameters.<section>.<name>``, with a ``range: [low, high]`` or a list of
``values``. The design is a full grid, a Latin hypercube or a Sobol' sample (``scipy.stats.qmc``); each
design point runs ``replications`` times with seeds from ``numpy.random.SeedSequence`` that are the same
for every point (common random numbers). Errors name the file, line, key path, what is allowed and the
nearest valid key, like scenario errors.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path as FilePath
from typing import Any, Literal

import numpy as np
from pydantic import ConfigDict, Field, ValidationError, model_validator
from scipy.stats import qmc

from sim import COARSEST, DEFAULT_HOUSEHOLDS_PER_AGENT
from sim.conditions import CONDITIONS
from sim.errors import Path, Problem, ScenarioError, nearest, nearest_key
from sim.levers import LEVERS
from sim.limits import runs_problem
from sim.parameters import default_parameters, section_schemas
from sim.scenario import Scenario, explain_validation, load_scenario, locate_problems, validate_scenario
from sim.schema import NumbersNotBooleans, field_range
from sim.worlds import Worlds, sample
from sim.yamlio import load_yaml

OUTCOMES = ("national", "departments")


class Factor(NumbersNotBooleans):
    model_config = ConfigDict(extra="forbid", frozen=True)

    range: tuple[float, float] | None = Field(None, description="lowest and highest value")
    values: list[float | int | str] | None = Field(None, min_length=1, description="the values to try")
    levels: int | None = Field(None, ge=2, le=100, description="grid only: evenly spaced values across the range")

    @model_validator(mode="after")
    def _one_kind(self) -> Factor:
        if (self.range is None) == (self.values is None):
            raise ValueError("give either range: [low, high] or values: [...]")
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError(f"range low {self.range[0]} is above high {self.range[1]}")
        return self


class Design(NumbersNotBooleans):
    model_config = ConfigDict(extra="forbid", frozen=True)

    method: Literal["grid", "lhs", "sobol"] = Field(
        description="full grid, Latin hypercube, or Sobol' (for sensitivity indices)"
    )
    samples: int | None = Field(
        None,
        ge=1,
        le=1_000_000,
        description="lhs: points; sobol: base samples, a power of 2 (runs = samples x (factors + 2))",
    )


class ExperimentFile(NumbersNotBooleans):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    base: str = Field(description="base scenario file, relative to this file")
    factors: dict[str, Factor] = Field(min_length=1, description="settings to vary, by key path")
    design: Design
    replications: int = Field(1, ge=1, le=1000, description="seeds per design point")
    entropy: int = Field(20261128, ge=0, description="root of the seeds and of the design's randomness")
    households_per_agent: float = Field(
        DEFAULT_HOUSEHOLDS_PER_AGENT, ge=1, le=COARSEST, description="scale of each run"
    )
    years: tuple[int, int] | None = Field(None, description="years kept in the results (default: all)")
    outcomes: list[Literal["national", "departments"]] = Field(
        ["national"], min_length=1, description="tables kept per run"
    )
    parameter_draws: bool = Field(
        True,
        description="replication r runs the calibration's posterior draw r, as compare's seeds do (false: the "
        "calibrated point); a parameter named as a factor overrides its draw",
    )
    plausible_worlds: bool = Field(
        False,
        description="replication r runs in plausible world r: every assumed number drawn from its range (a Latin "
        "hypercube over the replications, from entropy), the same worlds for every design point, so that "
        "replications meeting a target count plausible worlds (see sim.worlds)",
    )


# how a design's points are drawn, when that changed since the first version (its digest then changes too)
SAMPLERS = {
    "lhs": "latin hypercube optimised for low correlation (random-cd), since 2026-12",
    "grid": "levels of whole-number settings rounded, since 2026-12",
}


@dataclass(frozen=True)
class Run:
    """One run of a sweep: a design point, a replication, and the scenario it makes."""

    run_id: str
    point: int
    replication: int
    seed: int
    block: str  # sobol: "A", "B" or "AB<k>"; other designs: "point"
    values: dict[str, Any]
    scenario: dict[str, Any]


@dataclass(frozen=True)
class Experiment:
    name: str
    source: str
    spec: ExperimentFile
    base: Scenario

    @property
    def digest(self) -> str:
        content = {"spec": self.spec.model_dump(mode="json"), "base": self.base.resolved()}
        sampler = SAMPLERS.get(self.spec.design.method)
        if sampler:  # a store made with another way of drawing the points holds other runs
            content["sampler"] = sampler
        text = json.dumps(content, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def factor_names(self) -> list[str]:
        return list(self.spec.factors)

    def seeds(self) -> list[int]:
        """One seed per replication, the same for every design point."""
        root = np.random.SeedSequence(self.spec.entropy)
        return [int(child.generate_state(1, dtype=np.uint32)[0]) for child in root.spawn(self.spec.replications)]

    @cached_property
    def worlds(self) -> Worlds | None:
        """With ``plausible_worlds``: replication r's assumed numbers are row r (seeds are the replications')."""
        if not self.spec.plausible_worlds:
            return None
        return sample(self.spec.replications, sampling_seed=self.spec.entropy)

    def points(self) -> tuple[list[dict[str, Any]], list[str]]:
        """Design points (factor values) and, for Sobol', the block each belongs to."""
        spec = self.spec
        names = self.factor_names
        if spec.design.method == "grid":
            axes = [_axis(spec.factors[name], self.whole_numbers[name]) for name in names]
            points = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*axes)]
            return points, ["point"] * len(points)
        d = len(names)
        rng = np.random.default_rng(spec.entropy)
        if spec.design.method == "lhs":
            # optimised for low correlation between factors: with 12 points a plain LHS had factors at r = 0.4,
            # which mixed their main effects
            unit = qmc.LatinHypercube(d=d, rng=rng, optimization="random-cd").random(spec.design.samples)
            return [self._scale(row) for row in unit], ["point"] * len(unit)
        n = spec.design.samples
        both = qmc.Sobol(d=2 * d, scramble=True, rng=rng).random(n)
        a, b = both[:, :d], both[:, d:]
        rows, blocks = [], []
        for label, matrix in (("A", a), ("B", b)):
            rows += list(matrix)
            blocks += [label] * n
        for k in range(d):
            ab = a.copy()
            ab[:, k] = b[:, k]
            rows += list(ab)
            blocks += [f"AB{k}"] * n
        return [self._scale(row) for row in rows], blocks

    def _scale(self, unit_row: np.ndarray) -> dict[str, Any]:
        out = {}
        for name, u in zip(self.factor_names, unit_row, strict=True):
            factor = self.spec.factors[name]
            if factor.values is not None:
                out[name] = factor.values[min(int(u * len(factor.values)), len(factor.values) - 1)]
            else:
                low, high = factor.range
                value = low + u * (high - low)
                out[name] = round(value) if self.whole_numbers[name] else float(value)
        return out

    @cached_property
    def whole_numbers(self) -> dict[str, bool]:
        """Factors whose setting is an integer (months, counts): sampled values are rounded."""
        return {name: _is_integer(self.base, name) for name in self.factor_names}

    def runs(self) -> list[Run]:
        """Every run of the experiment, in design order, replications inside."""
        return self._runs

    @cached_property
    def _runs(self) -> list[Run]:
        points, blocks = self.points()
        base = self.base.resolved()
        out = []
        for p, (values, block) in enumerate(zip(points, blocks, strict=True)):
            scenario = copy.deepcopy(base)
            for name, value in values.items():
                _set(scenario, name, value)
            for r, seed in enumerate(self.seeds()):
                identity = {
                    "scenario": scenario,
                    "seed": seed,
                    "scale": self.spec.households_per_agent,
                    "draw": r if self.spec.parameter_draws else None,
                }
                if self.worlds is not None:  # only then: the runs of earlier stores keep their ids
                    identity["world"] = self.worlds.world(r)
                text = json.dumps(identity, sort_keys=True, default=str)
                run_id = hashlib.sha256(text.encode()).hexdigest()[:20]
                out.append(Run(run_id, p, r, seed, block, values, scenario))
        return out


def _axis(factor: Factor, whole: bool) -> list[Any]:
    if factor.values is not None:
        return list(factor.values)
    low, high = factor.range
    levels = np.linspace(low, high, factor.levels or 2)
    return [round(v) for v in levels] if whole else [float(v) for v in levels]  # months, counts: whole


def _is_integer(base: Scenario, name: str) -> bool:
    kind, label, key = name.split(".")
    if kind == "parameters":
        current = getattr(default_parameters()[label], key)
    else:
        current = getattr(dict(base.levers if kind == "levers" else base.conditions)[label], key)
    return isinstance(current, int) and not isinstance(current, bool)


def _set(data: dict, name: str, value: Any) -> None:
    parts = name.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _check_factor(name: str, factor: Factor, base: Scenario) -> str | None:
    """A problem with a factor's key path or range, or None."""
    parts = name.split(".")
    if len(parts) != 3 or parts[0] not in ("levers", "conditions", "parameters"):
        return "a factor is levers.<label>.<key>, conditions.<label>.<key> or parameters.<section>.<name>"
    kind, label, key = parts
    if kind == "parameters":
        schemas = section_schemas()
        if label not in schemas:
            hint = nearest(label, schemas)
            return "unknown parameter section" + (f"; did you mean '{hint}'?" if hint else "")
        schema = schemas[label]
        fields = schema.model_fields
    else:
        present = dict(base.levers if kind == "levers" else base.conditions)
        if label not in present:
            hint = nearest(label, present)
            return (
                f"the base scenario has no {kind[:-1]} '{label}'"
                + (f"; did you mean '{hint}'?" if hint else "")
                + f" (it has: {', '.join(present) or 'none'}); add it to the base with any value"
            )
        config = present[label]
        kind_name = (config.lever if kind == "levers" else config.condition) or label
        schema = (LEVERS if kind == "levers" else CONDITIONS)[kind_name].Config
        fields = schema.model_fields
    if key not in fields:
        hint = nearest_key(key, schema)
        return "unknown key" + (f"; did you mean '{hint}'?" if hint else "") + f" (allowed: {', '.join(fields)})"
    if key == "departments":
        return "departments cannot be a factor: write one base scenario per set of departments and sweep each"
    if key in ("start", "end") and factor.range is not None:
        return 'a month takes values:, not range: (e.g. values: ["2026-01", "2028-01", "2030-01"])'
    low, high = field_range(fields[key])
    tried = list(factor.range) if factor.range is not None else [v for v in factor.values if not isinstance(v, str)]
    for value in tried:
        if (low is not None and value < low) or (high is not None and value > high):
            return f"{value:g} is out of range; allowed: {low:g} to {high:g} ({fields[key].description})"
    return None


def load_experiment(file: str | FilePath) -> Experiment:
    """Read and validate an experiment file; raise :class:`ScenarioError` on any problem."""
    file = FilePath(file)
    name = str(file)
    data, raw_lines = load_yaml(file)
    lines = {path: (name, line) for path, line in raw_lines.items()}
    if not isinstance(data, dict):
        raise ScenarioError.at(name, (), None, "an experiment must be a mapping of keys (name:, base:, factors:, ...)")
    try:
        spec = ExperimentFile.model_validate(data)
    except ValidationError as exc:
        raise locate_problems(name, explain_validation(exc, ExperimentFile, ()), lines) from None
    base_file = file.parent / spec.base
    if not base_file.exists():
        raise ScenarioError.at(
            name, ("base",), raw_lines.get(("base",)), f"base scenario {spec.base!r} not found next to this file"
        )
    base = load_scenario(base_file)
    problems: list[tuple[Path, str]] = []
    for factor_name, factor in spec.factors.items():
        message = _check_factor(factor_name, factor, base)
        if message:
            problems.append((("factors", factor_name), message))
    if spec.years is not None:
        span = base.start // 12, base.end // 12
        if spec.years[0] > spec.years[1]:
            problems.append((("years",), f"put the earlier year first, e.g. [{spec.years[1]}, {spec.years[0]}]"))
        elif not span[0] <= spec.years[0] <= spec.years[1] <= span[1]:
            problems.append(
                (("years",), f"must lie within the base scenario's {span[0]}-{span[1]}, got {list(spec.years)}")
            )
    method, samples = spec.design.method, spec.design.samples
    if method in ("lhs", "sobol") and samples is None:
        problems.append((("design", "samples"), f"{method} needs samples:"))
    if method == "sobol" and samples is not None and samples & (samples - 1):
        problems.append((("design", "samples"), f"sobol needs a power of 2, got {samples}"))
    if method == "sobol" and samples is not None and samples < 4:
        problems.append((("design", "samples"), f"sobol needs at least 4 samples to estimate anything, got {samples}"))
    if method == "grid" and samples is not None:
        problems.append((("design", "samples"), "a grid takes no samples: its points are every combination of levels"))
    if method != "grid":
        for factor_name, factor in spec.factors.items():
            if factor.levels is not None:
                problems.append((("factors", factor_name, "levels"), f"levels: applies to a grid, not to {method}"))
    if method == "sobol" and any(f.values is not None for f in spec.factors.values()):
        problems.append((("design", "method"), "sobol indices need factors with range:, not values:"))
    if method == "grid":
        for factor_name, factor in spec.factors.items():
            if factor.range is not None and factor.levels is None:
                problems.append(
                    (("factors", factor_name), "a grid needs levels: (how many values across the range) or values:")
                )
    if not problems:  # counted before any run is listed: 10^10 of them would not fit in memory
        too_many = runs_problem(design_points(spec), spec.replications)
        if too_many:
            problems.append((("design",), too_many))
    if problems:
        raise locate_problems(name, problems, lines)
    experiment = Experiment(spec.name, name, spec, base)
    for run in experiment.runs()[:: max(1, len(experiment.runs()) // 50)]:  # every setting is a valid scenario
        try:
            validate_scenario(run.scenario, source=f"{name} (design point {run.point})")
        except ScenarioError as exc:
            raise _at_factors(exc, run, lines) from None
    return experiment


def design_points(spec: ExperimentFile) -> int:
    """How many design points ``spec`` has, computed without drawing them."""
    if spec.design.method == "grid":
        return math.prod(len(f.values) if f.values is not None else f.levels or 2 for f in spec.factors.values())
    samples = spec.design.samples or 0
    return samples * (len(spec.factors) + 2) if spec.design.method == "sobol" else samples


def _at_factors(error: ScenarioError, run: Run, lines: dict) -> ScenarioError:
    """A design point's problems, shown at the line of the factor that set the value (when one did)."""
    located = []
    for problem in error.problems:
        factor = ".".join(str(part) for part in problem.path[:3])
        if factor in run.values:
            file, line = lines.get(("factors", factor), (problem.file, None))
            message = f"design point {run.point} sets {run.values[factor]!r}: {problem.message}"
            problem = Problem(file, ("factors", factor), line, message)
        located.append(problem)
    return ScenarioError(located)
