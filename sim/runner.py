"""``run(scenario, seed) -> RunResult``: the one entry point that the CLI, comparisons and tests use."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sim import DEFAULT_HOUSEHOLDS_PER_AGENT, cache
from sim.metrics import METRICS, cost_table, monthly_table, national_yearly, outflow, program_table
from sim.parameters import Parameters
from sim.provenance import code_version, package_versions
from sim.scenario import Scenario, load_scenario

if TYPE_CHECKING:  # the model (Mesa, numba) loads when a run starts: results read from the cache need neither
    from sim.model import MigrationModel, Snapshot


@dataclass
class RunResult:
    """Tidy outputs of one run and how they were made."""

    monthly: pd.DataFrame  # one row per month x department, one column per metric (see sim.metrics.METRICS)
    costs: pd.DataFrame  # one row per month x lever: cost_usd
    programs: pd.DataFrame  # one row per month x department x program (lever label): participants, their departures
    metadata: dict

    def national(self) -> pd.DataFrame:
        """National totals per year (flows summed, stocks at year end), with lever costs."""
        yearly = national_yearly(self.monthly)
        costs = self.costs.groupby("year")["cost_usd"].sum() if len(self.costs) else 0.0
        yearly["cost_usd"] = costs
        yearly["cost_usd"] = yearly["cost_usd"].fillna(0.0)
        yearly["outflow"] = outflow(yearly)
        return yearly

    def save(self, directory: str | Path) -> Path:
        """Write ``monthly.parquet``, ``costs.parquet``, ``programs.parquet`` and ``metadata.json`` into ``directory``.

        Each file is written under a temporary name and renamed, so an interrupted save never leaves
        a half-written file behind under the final name.
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        write_atomic(directory / "monthly.parquet", lambda p: self.monthly.to_parquet(p, index=False))
        write_atomic(directory / "costs.parquet", lambda p: self.costs.to_parquet(p, index=False))
        write_atomic(directory / "programs.parquet", lambda p: self.programs.to_parquet(p, index=False))
        write_atomic(directory / "metadata.json", lambda p: Path(p).write_text(json.dumps(self.metadata, indent=2)))
        return directory


def _read_umask() -> int:
    mask = os.umask(0)  # reading the umask means setting it: done once, at import, before any thread writes
    os.umask(mask)
    return mask


UMASK = _read_umask()


def write_atomic(target: Path, write: Callable[[str], None]) -> None:
    """Write through a hidden temporary file in the same folder, then rename: never a half-written file."""
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(temp)
        os.chmod(temp, 0o666 & ~UMASK)  # as a plain open() would make it: mkstemp's files are owner-only
        os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def run(
    scenario: Scenario | str | Path,
    seed: int = 0,
    *,
    households_per_agent: float = DEFAULT_HOUSEHOLDS_PER_AGENT,
    parameters: Parameters | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Simulate ``scenario`` with one seed and return its tables and metadata.

    ``progress(done, total)`` is called after every month, for progress bars.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    from sim.model import MigrationModel

    began = time.perf_counter()
    model = MigrationModel(scenario, seed=seed, households_per_agent=households_per_agent, parameters=parameters)
    _finish(model, progress)
    return result_of(model, time.perf_counter() - began)


def run_many(
    scenarios: Sequence[Scenario],
    seed: int = 0,
    *,
    households_per_agent: float = DEFAULT_HOUSEHOLDS_PER_AGENT,
    parameters: Parameters | None = None,
    alongside: Sequence[Scenario] = (),
) -> list[RunResult]:
    """Run several scenarios with one seed, simulating the past they share only once.

    Scenarios that start together with the same parameters, and differ only in levers or conditions
    that start later, share every month before the first of those starts: that stretch is simulated
    once (or read from :mod:`sim.cache`) and each scenario continues from a copy of it. The results are
    identical to separate runs. ``alongside`` are scenarios of the same comparison already run: the past
    is the one shared with them too, so adding a scenario to a comparison reuses the cached past.
    """
    prefix, fork = shared_past([*scenarios, *alongside])
    if prefix is None:
        return [run(s, seed, households_per_agent=households_per_agent, parameters=parameters) for s in scenarios]
    began = time.perf_counter()
    past = shared_state(prefix, fork, seed, households_per_agent, parameters)
    shared = time.perf_counter() - began
    return [continue_run(scenario, past, parameters, shared / len(scenarios)) for scenario in scenarios]


def run_from_shared_past(
    scenario: Scenario,
    prefix: Scenario,
    fork: int,
    seed: int,
    *,
    households_per_agent: float = DEFAULT_HOUSEHOLDS_PER_AGENT,
    parameters: Parameters | None = None,
) -> RunResult:
    """One run continuing from the past it shares with others (see :func:`shared_past`).

    The past is read from the cache or simulated and stored, so a sweep simulates it once per seed.
    """
    began = time.perf_counter()
    past = shared_state(prefix, fork, seed, households_per_agent, parameters)
    return continue_run(scenario, past, parameters, time.perf_counter() - began)


def shared_state(
    prefix: Scenario, fork: int, seed: int, households_per_agent: float, parameters: Parameters | None
) -> Snapshot:
    """The state at ``fork`` of ``prefix`` (a shared past): from :mod:`sim.cache`, or simulated and stored."""
    from sim.model import MigrationModel, Snapshot

    name = cache.key(
        past=prefix.digest,
        extensions=cache.extension_digest(prefix),
        fork=fork,
        seed=seed,
        scale=float(households_per_agent),  # 50 and 50.0 are one scale
        parameters=parameters.as_dict() if parameters else None,
    )
    found = cache.load(name)
    if found is not None:
        return Snapshot(**found)
    trunk = MigrationModel(prefix, seed=seed, households_per_agent=households_per_agent, parameters=parameters)
    while trunk.month < fork and trunk.running:
        trunk.step()
    past = trunk.snapshot()
    cache.store(name, vars(past))  # its fields as plain data: the cache holds no objects
    return past


def continue_run(scenario: Scenario, past: Snapshot, parameters: Parameters | None, seconds: float) -> RunResult:
    """Finish ``scenario`` from a shared past's state; ``seconds`` already spent on it count in its wall time."""
    from sim.model import MigrationModel

    began = time.perf_counter()
    model = MigrationModel.resume(scenario, past, parameters)
    _finish(model, None)
    return result_of(model, seconds + time.perf_counter() - began)


def shared_past(scenarios: Sequence[Scenario]) -> tuple[Scenario | None, int]:
    """The scenario of what all ``scenarios`` share, and the first month they may differ in."""
    first = scenarios[0]
    same = (s.start == first.start and s.parameters == first.parameters and s.rules == first.rules for s in scenarios)
    if len(scenarios) < 2 or not all(same):
        return None, first.start

    def items(s: Scenario) -> list:
        return [("condition", *c) for c in s.conditions] + [("lever", *c) for c in s.levers]

    common = [item for item in items(first) if all(item in items(s) for s in scenarios)]
    for s in scenarios:
        if [item for item in items(s) if item in common] != common:
            return None, first.start  # shared activities in another order: edits might not commute
    starts = [item[2].start for s in scenarios for item in items(s) if item not in common]
    fork = min([*starts, min(s.end for s in scenarios) + 1])
    if fork <= first.start:
        return None, first.start
    prefix = Scenario(
        name="shared past",
        start=first.start,
        end=min(s.end for s in scenarios),
        conditions=tuple(item[1:] for item in common if item[0] == "condition"),
        levers=tuple(item[1:] for item in common if item[0] == "lever"),
        rules=first.rules,
        parameters=first.parameters,
    )
    return prefix, fork


def _finish(model: MigrationModel, progress: Callable[[int, int], None] | None) -> None:
    total = model.spec.end - model.spec.start + 1
    while model.running:
        model.step()
        if progress:
            progress(model.month - model.spec.start, total)


def result_of(model: MigrationModel, seconds: float) -> RunResult:
    """Tables and metadata of a finished model."""
    scenario = model.spec
    total = scenario.end - scenario.start + 1
    d = model.departments
    monthly = monthly_table(model.collector, d.code, d.name)
    costs = cost_table(
        model.costs[:total], scenario.start, [v.label for v in model.levers], [v.name for v in model.levers]
    )
    metadata = {
        "scenario": scenario.name,
        "scenario_source": scenario.source,
        "scenario_digest": scenario.digest,
        "scenario_resolved": scenario.resolved(),
        "seed": model.seed,
        "households_per_agent": model.households_per_agent,
        "agents": model.households.n,
        "households": int(d.households.sum()),
        "parameters": model.params.as_dict(),
        "code_version": code_version(),
        "packages": package_versions(),
        "metrics": {m.name: {"unit": m.unit, "meaning": m.meaning} for m in METRICS.values()},
        "wall_seconds": round(seconds, 3),
    }
    return RunResult(monthly, costs, program_table(model.collector, d.code, d.name), metadata)
