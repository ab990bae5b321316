"""Compare scenarios over several seeds: irregular departures, migration averted, cost, engagement.

Runs with the same seed share the synthetic population and every random draw (common random
numbers), so the difference between two scenarios for one seed is the policy's effect, not noise;
intervals are taken over seeds of those paired differences. Scenarios that share their past are
simulated together up to the month they first differ (:func:`sim.runner.run_many`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass

import numba
import numpy as np
import pandas as pd

from sim.metrics import RATES, STOCKS, department_yearly
from sim.model import DEFAULT_HOUSEHOLDS_PER_AGENT
from sim.parameters import Parameters, default_parameters, posterior_draws
from sim.runner import run_many
from sim.scenario import Scenario
from sim.targets import assess, engagement_share
from sim.workers import close_pool, process_pool

LOW, HIGH = 0.05, 0.95  # interval reported over seeds
HEADLINE = "departures_irregular"  # "migration" in the agreement's sense: irregular journeys started
ENGAGEMENT_TARGET = 0.25  # the agreement: community engagement in prevention programs +25%


@dataclass
class Comparison:
    """Yearly results of every (scenario, seed) run: national and by department, in tidy tables."""

    yearly: pd.DataFrame  # scenario, seed, year, every metric, cost_usd, outflow
    departments: pd.DataFrame  # scenario, seed, year, ine_code, department, every metric
    scenarios: list[str]
    seeds: list[int]

    def per_year(self, metric: str = HEADLINE, years: tuple[int, int] | None = None) -> pd.DataFrame:
        """Mean and 5-95% interval over seeds of ``metric`` per scenario and year."""
        grouped = _window(self.yearly, years).groupby(["scenario", "year"], sort=False)[metric]
        table = pd.DataFrame({"mean": grouped.mean(), "low": grouped.quantile(LOW), "high": grouped.quantile(HIGH)})
        return table.reset_index()

    def totals(self, metric: str = HEADLINE, years: tuple[int, int] | None = None) -> pd.DataFrame:
        """Per scenario over the window: totals, effects and costs against the first scenario.

        Total of ``metric``, averted against the first scenario (paired by seed), visa departures, cost,
        cost per unit averted, and community engagement at the end of the window.
        """
        data = _window(self.yearly, years)
        total = data.groupby(["scenario", "seed"], sort=False)[[metric, "departures_legal", "cost_usd"]].sum()
        last_year = data["year"].max()
        engaged = data[data.year == last_year].set_index(["scenario", "seed"])["engaged_households"]
        base_name = self.scenarios[0]
        rows = []
        for name in self.scenarios:
            mine = total.loc[name].reindex(self.seeds)
            averted = total.loc[base_name][metric].reindex(self.seeds) - mine[metric]
            engagement = engaged.loc[name].reindex(self.seeds) / engaged.loc[base_name].reindex(self.seeds) - 1
            mean_averted = float(averted.mean())
            cost = float(mine["cost_usd"].mean())
            rows.append(
                {
                    "scenario": name,
                    "total": float(mine[metric].mean()),
                    "total_low": float(mine[metric].quantile(LOW)),
                    "total_high": float(mine[metric].quantile(HIGH)),
                    "averted": mean_averted,
                    "averted_low": float(averted.quantile(LOW)),
                    "averted_high": float(averted.quantile(HIGH)),
                    "departures_legal": float(mine["departures_legal"].mean()),
                    "cost_usd": cost,
                    "cost_per_averted_usd": cost / mean_averted if mean_averted > 0 else np.nan,
                    "engagement_change": float(engagement.mean()),
                    "engagement_target_met": bool(engagement.mean() >= ENGAGEMENT_TARGET),
                }
            )
        return pd.DataFrame(rows)

    def targets(self, years: tuple[int, int]) -> pd.DataFrame:
        """The agreement's target metrics per scenario (mean over seeds; engagement against the first scenario)."""
        mean = self.yearly.groupby(["scenario", "year"], sort=False).mean(numeric_only=True)
        reference = engagement_share(mean.loc[self.scenarios[0]])
        rows = [{"scenario": name, **assess(mean.loc[name], years, reference)} for name in self.scenarios]
        return pd.DataFrame(rows)

    def per_department(self, metric: str = HEADLINE, years: tuple[int, int] | None = None) -> pd.DataFrame:
        """Per scenario and department over the window: mean total, interval, and averted against the first.

        Flows are summed over the window's years, stocks taken in its last year, rates averaged over its years.
        """
        data = _window(self.departments, years)
        how = "last" if metric in STOCKS else "mean" if metric in RATES else "sum"
        total = data.groupby(["scenario", "seed", "department"], sort=False, observed=True)[metric].agg(how)
        base = total.loc[self.scenarios[0]]
        rows = []
        for name in self.scenarios:
            mine = total.loc[name]
            averted = (base - mine).groupby(level="department", observed=True)
            grouped = mine.groupby(level="department", observed=True)
            table = pd.DataFrame(
                {
                    "total": grouped.mean(),
                    "total_low": grouped.quantile(LOW),
                    "total_high": grouped.quantile(HIGH),
                    "averted": averted.mean(),
                    "averted_low": averted.quantile(LOW),
                    "averted_high": averted.quantile(HIGH),
                }
            )
            table.insert(0, "scenario", name)
            rows.append(table.reset_index())
        return pd.concat(rows, ignore_index=True)


def _window(table: pd.DataFrame, years: tuple[int, int] | None) -> pd.DataFrame:
    if years is None:
        return table
    return table[(table["year"] >= years[0]) & (table["year"] <= years[1])]


def seed_tables(
    scenarios: Sequence[Scenario],
    seed: int,
    households_per_agent: float,
    threads: int | None = None,
    parameters: Parameters | None = None,
    draw: dict[str, dict[str, float]] | None = None,
    alongside: Sequence[Scenario] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every scenario with one seed; keep yearly national and department tables (small to send back).

    ``draw`` overrides some parameters for this seed (a posterior draw). ``threads`` caps the compiled
    step's threads, so that worker processes do not oversubscribe the cores. ``alongside``: see
    :func:`sim.runner.run_many`.
    """
    if threads:
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    if draw:
        parameters = (parameters or default_parameters()).with_overrides(draw)
    national, departments = [], []
    for scenario, result in zip(
        scenarios,
        run_many(
            scenarios, seed, households_per_agent=households_per_agent, parameters=parameters, alongside=alongside
        ),
        strict=True,
    ):
        table = result.national().reset_index()
        table.insert(0, "seed", seed)
        table.insert(0, "scenario", scenario.name)
        national.append(table)
        by_dept = department_yearly(result.monthly)
        by_dept.insert(0, "seed", seed)
        by_dept.insert(0, "scenario", scenario.name)
        departments.append(by_dept)
    return pd.concat(national, ignore_index=True), pd.concat(departments, ignore_index=True)


def compare(
    scenarios: Sequence[Scenario],
    seeds: Sequence[int],
    *,
    households_per_agent: float = DEFAULT_HOUSEHOLDS_PER_AGENT,
    workers: int = 1,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
    parameters: Parameters | None = None,
    draws: Mapping[int, dict[str, dict[str, float]]] | None = None,
) -> Comparison:
    """Run every scenario with every seed and collect the results (``parameters``: other than the defaults).

    ``draws`` maps a seed to the parameter overrides its runs use (see :func:`posterior_draws_for`), so
    that intervals over seeds cover parameter uncertainty too; every scenario of a seed shares its draw.

    With ``workers=1`` (default) the seeds run one after the other in this process, each month's step using
    every core; with more, seeds run in that many worker processes (worth it when there are many seeds and
    scenarios to share out), or on ``executor``. Results do not depend on either: each seed's runs are
    seeded on their own.
    """
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must differ to be compared: {names}")
    seeds = list(seeds)
    workers = min(max(workers, 1), len(seeds))
    tables: dict[int, tuple[pd.DataFrame, pd.DataFrame]] = {}
    own = executor is None and workers > 1
    if own:
        pool = process_pool(workers)
    else:
        pool = executor
    try:
        if pool is None:
            for seed in seeds:
                tables[seed] = seed_tables(
                    scenarios, seed, households_per_agent, parameters=parameters, draw=(draws or {}).get(seed)
                )
                if progress:
                    progress(len(tables) * len(scenarios), len(seeds) * len(scenarios))
        else:
            threads = max(1, (os.cpu_count() or 1) // workers)
            futures = {
                pool.submit(
                    seed_tables,
                    list(scenarios),
                    seed,
                    households_per_agent,
                    threads,
                    parameters,
                    (draws or {}).get(seed),
                ): seed
                for seed in seeds
            }
            for future in as_completed(futures):
                tables[futures[future]] = future.result()
                if progress:
                    progress(len(tables) * len(scenarios), len(seeds) * len(scenarios))
    finally:
        if own:
            close_pool(pool)
    yearly = pd.concat([tables[s][0] for s in seeds], ignore_index=True)
    departments = pd.concat([tables[s][1] for s in seeds], ignore_index=True)
    return Comparison(yearly, departments, names, seeds)


def posterior_draws_for(seeds: Sequence[int]) -> dict[int, dict[str, dict[str, float]]]:
    """The installed posterior's draw for each seed (seed ``s`` takes draw ``s`` modulo the number of draws)."""
    found = posterior_draws()
    return {seed: found[seed % len(found)] for seed in seeds}
