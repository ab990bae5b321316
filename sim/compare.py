"""Compare scenarios over several seeds: projected outflow, change against the first (baseline) scenario.

Runs with the same seed share the synthetic population and every random draw (common random
numbers), so the difference between two scenarios for one seed is the policy's effect, not noise;
intervals are taken over seeds of those paired differences.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.model import DEFAULT_HOUSEHOLDS_PER_AGENT
from sim.runner import run
from sim.scenario import Scenario

LOW, HIGH = 0.05, 0.95  # interval reported over seeds


@dataclass
class Comparison:
    """National yearly results of every (scenario, seed) run, in one tidy table."""

    yearly: pd.DataFrame  # columns: scenario, seed, year, and every metric of RunResult.national()
    scenarios: list[str]
    seeds: list[int]

    def per_year(self, metric: str = "outflow", years: tuple[int, int] | None = None) -> pd.DataFrame:
        """Mean and 5-95% interval over seeds of ``metric`` per scenario and year."""
        data = self._window(years)
        grouped = data.groupby(["scenario", "year"], sort=False)[metric]
        table = pd.DataFrame({"mean": grouped.mean(), "low": grouped.quantile(LOW), "high": grouped.quantile(HIGH)})
        return table.reset_index()

    def totals(self, metric: str = "outflow", years: tuple[int, int] | None = None) -> pd.DataFrame:
        """Per scenario over the window: total, change against the baseline (paired by seed), cost, cost per unit averted."""
        data = self._window(years)
        total = data.groupby(["scenario", "seed"], sort=False)[[metric, "cost_usd"]].sum()
        baseline = total.loc[self.scenarios[0]]
        rows = []
        for name in self.scenarios:
            mine = total.loc[name]
            averted = (baseline[metric] - mine[metric]).reindex(self.seeds)
            cost = mine["cost_usd"].reindex(self.seeds)
            mean_averted = float(averted.mean())
            rows.append(
                {
                    "scenario": name,
                    "total": float(mine[metric].mean()),
                    "total_low": float(mine[metric].quantile(LOW)),
                    "total_high": float(mine[metric].quantile(HIGH)),
                    "averted": mean_averted,
                    "averted_low": float(averted.quantile(LOW)),
                    "averted_high": float(averted.quantile(HIGH)),
                    "cost_usd": float(cost.mean()),
                    "cost_per_averted_usd": float(cost.mean() / mean_averted) if mean_averted > 0 else np.nan,
                }
            )
        return pd.DataFrame(rows)

    def _window(self, years: tuple[int, int] | None) -> pd.DataFrame:
        if years is None:
            return self.yearly
        return self.yearly[(self.yearly["year"] >= years[0]) & (self.yearly["year"] <= years[1])]


def _national(scenario: Scenario, seed: int, households_per_agent: float) -> pd.DataFrame:
    table = run(scenario, seed, households_per_agent=households_per_agent).national().reset_index()
    table.insert(0, "seed", seed)
    table.insert(0, "scenario", scenario.name)
    return table


def compare(
    scenarios: Sequence[Scenario],
    seeds: Sequence[int],
    *,
    households_per_agent: float = DEFAULT_HOUSEHOLDS_PER_AGENT,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Comparison:
    """Run every scenario with every seed (in parallel processes by default) and collect national results.

    Results do not depend on ``workers`` or on the executor: each run is seeded on its own.
    """
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must differ to be compared: {names}")
    jobs = [(s, seed) for s in scenarios for seed in seeds]
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    tables: dict[tuple[str, int], pd.DataFrame] = {}
    own = executor is None and workers > 1
    if own:  # forkserver: forking a process that already runs threads can deadlock
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))
    else:
        pool = executor
    try:
        if pool is None:
            for s, seed in jobs:
                tables[(s.name, seed)] = _national(s, seed, households_per_agent)
                if progress:
                    progress(len(tables), len(jobs))
        else:
            futures = {pool.submit(_national, s, seed, households_per_agent): (s.name, seed) for s, seed in jobs}
            for future in as_completed(futures):
                tables[futures[future]] = future.result()
                if progress:
                    progress(len(tables), len(jobs))
    finally:
        if own:
            pool.shutdown(cancel_futures=True)
    yearly = pd.concat([tables[(s.name, seed)] for s, seed in jobs], ignore_index=True)
    return Comparison(yearly, names, list(seeds))
