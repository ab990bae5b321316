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
from concurrent.futures import as_completed
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.compare import compare, posterior_draws_for, seed_tables
from sim.discovery import Discovery, discover
from sim.scenario import Scenario
from sim.sensitivity import Sensitivity, analyse
from sim.uncertainties import uncertainties
from sim.workers import close_pool, process_pool
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
    progress: Callable[[str, int, int], None] | None = None,
) -> Hinges:
    """Scenario discovery over ``worlds`` worlds, then sensitivity (Morris, then Sobol' on the ``top``).

    Sensitivity costs ``trajectories * (inputs + 1) + samples * (top + 2)`` world runs per scenario (with
    83 uncertain numbers and the defaults, 400). ``progress(stage, done, total)`` follows each stage.
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
    runs = _WorldRuns(scenarios, seed, households_per_agent, years, workers, progress)
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

    def __init__(self, scenarios, seed, households_per_agent, years, workers, progress) -> None:
        self.scenarios, self.seed, self.scale, self.years = list(scenarios), seed, households_per_agent, years
        self.workers, self.progress = workers, progress
        self.draw = posterior_draws_for([seed])[seed]
        self.kept: dict[tuple[float, ...], np.ndarray] = {}

    def averted(self, X: pd.DataFrame) -> np.ndarray:
        """One row per design point, one column per scenario after the reference."""
        rows = [tuple(float(v) for v in row) for row in X.to_numpy()]
        todo = list(dict.fromkeys(row for row in rows if row not in self.kept))
        names = list(X.columns)
        pool = process_pool(min(self.workers, len(todo))) if self.workers > 1 and len(todo) > 1 else None
        try:
            if pool is None:
                for done, row in enumerate(todo, 1):
                    self.kept[row] = self._effects(self._tables(dict(zip(names, row, strict=True))))
                    if self.progress:
                        self.progress("sensitivity", done, len(todo))
            else:
                futures = {pool.submit(*self._task(dict(zip(names, row, strict=True)))): row for row in todo}
                for done, future in enumerate(as_completed(futures), 1):
                    self.kept[futures[future]] = self._effects(future.result())
                    if self.progress:
                        self.progress("sensitivity", done, len(todo))
        finally:
            if pool is not None:
                close_pool(pool)
        return np.array([self.kept[row] for row in rows])

    def _task(self, world: dict[str, float]) -> tuple:
        threads = max(1, (os.cpu_count() or 1) // self.workers)
        return (seed_tables, self.scenarios, self.seed, self.scale, threads, None, self.draw, (), world)

    def _tables(self, world: dict[str, float]) -> tuple[pd.DataFrame, pd.DataFrame]:
        return seed_tables(self.scenarios, self.seed, self.scale, draw=self.draw, world=world)

    def _effects(self, tables: tuple[pd.DataFrame, pd.DataFrame]) -> np.ndarray:
        national = tables[0]
        inside = national[(national.year >= self.years[0]) & (national.year <= self.years[1])]
        totals = inside.groupby("scenario", sort=False)["departures_irregular"].sum()
        reference = totals[self.scenarios[0].name]
        return np.array([reference - totals[s.name] for s in self.scenarios[1:]])
