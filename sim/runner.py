"""``run(scenario, seed) -> RunResult``: the one entry point that the CLI, comparisons and tests use."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.calendar import format_month
from sim.metrics import METRICS, monthly_table, national_yearly, program_table
from sim.model import DEFAULT_HOUSEHOLDS_PER_AGENT, MigrationModel
from sim.parameters import Parameters
from sim.provenance import code_version, package_versions
from sim.scenario import Scenario, load_scenario


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
        yearly["outflow"] = yearly["departures_irregular"] + yearly["departures_legal"]
        return yearly

    def save(self, directory: str | Path) -> Path:
        """Write ``monthly.parquet``, ``costs.parquet``, ``programs.parquet`` and ``metadata.json`` into ``directory``.

        Each file is written under a temporary name and renamed, so an interrupted save never leaves
        a half-written file behind under the final name.
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        _atomic(directory / "monthly.parquet", lambda p: self.monthly.to_parquet(p, index=False))
        _atomic(directory / "costs.parquet", lambda p: self.costs.to_parquet(p, index=False))
        _atomic(directory / "programs.parquet", lambda p: self.programs.to_parquet(p, index=False))
        _atomic(directory / "metadata.json", lambda p: Path(p).write_text(json.dumps(self.metadata, indent=2)))
        return directory


def _atomic(target: Path, write: Callable[[str], None]) -> None:
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(temp)
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
    began = time.perf_counter()
    model = MigrationModel(scenario, seed=seed, households_per_agent=households_per_agent, parameters=parameters)
    total = scenario.end - scenario.start + 1
    while model.running:
        model.step()
        if progress:
            progress(model.month - scenario.start, total)
    d = model.departments
    monthly = monthly_table(model.collector, d.code, d.name)
    costs = pd.DataFrame(
        [
            (
                format_month(scenario.start + i),
                (scenario.start + i) // 12,
                lever.label,
                lever.name,
                float(model.costs[i, k]),
            )
            for i in range(total)
            for k, lever in enumerate(model.levers)
        ],
        columns=["month", "year", "lever_label", "lever", "cost_usd"],
    )
    metadata = {
        "scenario": scenario.name,
        "scenario_source": scenario.source,
        "scenario_digest": scenario.digest,
        "scenario_resolved": scenario.resolved(),
        "seed": seed,
        "households_per_agent": households_per_agent,
        "agents": model.households.n,
        "households": int(d.households.sum()),
        "parameters": model.params.as_dict(),
        "code_version": code_version(),
        "packages": package_versions(),
        "metrics": {name: {"unit": unit, "meaning": meaning} for name, (unit, meaning) in METRICS.items()},
        "wall_seconds": round(time.perf_counter() - began, 3),
    }
    return RunResult(monthly, costs, program_table(model.collector, d.code, d.name), metadata)
