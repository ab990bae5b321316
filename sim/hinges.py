"""What each scenario's effect hinges on: the worlds where it fails (PRIM) and the numbers it is sensitive to.

A scenario's effect is paired against the reference scenario in the same world (seed, posterior draw and
assumed numbers), never its level. Scenario discovery runs every scenario in a Latin hypercube of plausible
worlds (:mod:`sim.worlds`) and asks PRIM (:mod:`sim.discovery`), for each conclusion (it averts journeys,
averts arrivals, meets each of the agreement's targets), where the rarer outcome happens: where the scenario
fails when it mostly holds, where it holds when it mostly fails. Sensitivity screens every uncertain number with Morris and measures the few that matter with
Sobol' (:mod:`sim.sensitivity`); there every design point runs with one seed and one posterior draw, so
that the differences between points are the uncertain numbers' and not chance's.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.compare import SeedRun, compare, posterior_draws_for, run_seeds
from sim.discovery import Discovery, discover
from sim.scenario import Scenario
from sim.sensitivity import Sensitivity, analyse
from sim.uncertainties import uncertainties
from sim.worlds import Worlds, per_world, sample

# per_world's column -> (what holds, what fails)
CONCLUSIONS = {
    "journeys_averted": ("averts journeys", "fails to avert journeys"),
    "arrivals_averted": ("averts arrivals", "fails to avert arrivals"),
    "key_arrests_met": ("meets the arrests target", "misses the arrests target"),
    "seizure_growth_met": ("meets the seizures target", "misses the seizures target"),
    "engagement_met": ("meets the engagement target", "misses the engagement target"),
}

OPPOSITE = {a: b for pair in CONCLUSIONS.values() for a, b in (pair, pair[::-1])}


def holds(effects: pd.DataFrame, column: str) -> np.ndarray:
    """Whether each world's row of ``per_world`` has the conclusion ``column`` hold (averts more than 0, or met)."""
    values = effects[column].to_numpy()
    return values > 0 if column.endswith("_averted") else values.astype(bool)


def rarer_case(held: np.ndarray, column: str) -> tuple[str, np.ndarray]:
    """The outcome PRIM should look for, and its worlds: failing where the conclusion mostly holds, else holding.

    A box around the rare outcome is what a reader can use ("the package misses the seizures target unless X");
    a box around the common one would cover nearly every world.
    """
    held_text, failed_text = CONCLUSIONS[column]
    return (held_text, held) if held.mean() < 0.5 else (failed_text, ~held)


@dataclass(frozen=True)
class Hinges:
    """Per scenario (after the reference): PRIM's boxes for each conclusion's rarer outcome, and its sensitivity."""

    worlds: Worlds
    effects: pd.DataFrame  # per_world's table: scenario, seed, what it averts, targets met
    discoveries: dict[tuple[str, str], Discovery]  # (scenario, the rarer outcome in words) -> PRIM's answer
    sensitivities: dict[str, Sensitivity]  # scenario -> Morris and Sobol' tables of journeys averted

    def sentences(self) -> list[str]:
        """Plain lines: where each scenario fails, and what its effect on journeys is most sensitive to."""
        lines = []
        for (name, case), found in self.discoveries.items():
            if found.base_rate == 0:  # the rarer outcome never happened: its opposite did in every world
                lines.append(f"{name} {OPPOSITE[case]} in all {len(self.worlds.seeds)} worlds")
            else:
                lines.append(f"{name} {found.describe(case)}")
        for name, found in self.sensitivities.items():
            lines.append(f"{name}: {found.describe('journeys averted')}")
        return lines


def hinges(
    scenarios: Sequence[Scenario],
    *,
    worlds: int = 200,
    trajectories: int = 4,
    top: int = 4,
    samples: int = 16,
    households_per_agent: float = 2000.0,
    years: tuple[int, int] = (2026, 2035),
    seed: int = 0,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Hinges:
    """Scenario discovery over ``worlds`` worlds, then sensitivity (Morris, then Sobol' on the ``top``).

    Sensitivity costs ``trajectories * (inputs + 1) + samples * (top + 2)`` world runs per scenario (with
    83 uncertain numbers and the defaults, 400). Runs go to ``workers`` processes or to ``executor`` (a Dask
    cluster's), with the same results. ``progress(stage, done, total)`` follows each stage.
    """
    if len(scenarios) < 2:
        raise ValueError("what an effect hinges on needs a reference scenario and at least one other")
    workers = workers or os.cpu_count() or 1
    found = sample(worlds, first_seed=seed)
    in_worlds = compare(
        scenarios,
        found.seeds,
        households_per_agent=households_per_agent,
        workers=workers,
        executor=executor,
        draws=posterior_draws_for(found.seeds),
        worlds=found,
        progress=(lambda done, total: progress("worlds", done, total)) if progress else None,
    )
    effects = per_world(in_worlds, years)
    inputs = found.table().drop(columns="seed")
    discoveries = {}
    for name in in_worlds.scenarios[1:]:
        mine = effects[effects.scenario == name].set_index("seed").reindex(found.seeds)
        for column in CONCLUSIONS:
            case, cases = rarer_case(holds(mine, column), column)
            discoveries[(name, case)] = discover(inputs, cases)
    every = uncertainties()
    bounds = {u.name: (u.low, u.high) for u in every}
    defaults = {u.name: u.default for u in every}
    runs = _WorldRuns(scenarios, seed, households_per_agent, years, workers, executor, progress)
    sensitivities = {
        scenario.name: analyse(
            bounds,
            lambda X, i=i: runs.averted(X)[:, i],
            defaults=defaults,
            top=top,
            trajectories=trajectories,
            samples=samples,
            seed=seed,
        )
        for i, scenario in enumerate(scenarios[1:])
    }
    return Hinges(found, effects, discoveries, sensitivities)


class _WorldRuns:
    """Journeys each scenario averts in each design point's world, all with one seed; asked rows kept."""

    def __init__(self, scenarios, seed, households_per_agent, years, workers, executor, progress) -> None:
        self.scenarios, self.seed, self.scale, self.years = tuple(scenarios), seed, households_per_agent, years
        self.workers, self.executor, self.progress = workers, executor, progress
        self.draw = posterior_draws_for([seed])[seed]
        self.kept: dict[tuple[float, ...], np.ndarray] = {}

    def averted(self, X: pd.DataFrame) -> np.ndarray:
        """One row per design point, one column per scenario after the reference."""
        rows = [tuple(float(v) for v in row) for row in X.to_numpy()]
        names = list(X.columns)
        runs = {
            row: SeedRun(
                self.scenarios, self.seed, self.scale, draw=self.draw, world=dict(zip(names, row, strict=True))
            )
            for row in dict.fromkeys(row for row in rows if row not in self.kept)
        }
        report = (lambda done, total: self.progress("sensitivity", done, total)) if self.progress else None
        found = run_seeds(runs, workers=self.workers, executor=self.executor, progress=report)
        self.kept |= {row: self._effects(tables) for row, tables in found.items()}
        return np.array([self.kept[row] for row in rows])

    def _effects(self, tables: tuple[pd.DataFrame, pd.DataFrame]) -> np.ndarray:
        national = tables[0]
        inside = national[(national.year >= self.years[0]) & (national.year <= self.years[1])]
        totals = inside.groupby("scenario", sort=False)["departures_irregular"].sum()
        reference = totals[self.scenarios[0].name]
        return np.array([reference - totals[s.name] for s in self.scenarios[1:]])
