"""Compare scenarios over several seeds: irregular departures, migration averted, cost, engagement.

Runs with the same seed share the synthetic population and every random draw (common random
numbers), so the difference between two scenarios for one seed is the policy's effect, not noise;
intervals are taken over seeds of those paired differences. Scenarios that share their past are
simulated together up to the month they first differ (:func:`sim.runner.run_many`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim import DEFAULT_HOUSEHOLDS_PER_AGENT, cache
from sim.agreement_targets import ENGAGEMENT_GROWTH, KEY_ARRESTS, SEIZURE_GROWTH, assess, engagement_share
from sim.metrics import department_yearly, over_years
from sim.parameters import Parameters, default_parameters, posterior_draws
from sim.runner import run_many
from sim.scenario import Scenario
from sim.workers import close_pool, process_pool
from sim.worlds import Worlds

LOW, HIGH = 0.05, 0.95  # interval reported over seeds
AUTO_WORKERS_FROM = 4  # seeds from which worker processes beat the in-process run (demo: 48 -> 37 s; 2 seeds: slower)
HEADLINE = "departures_irregular"  # "migration" in the agreement's sense: irregular journeys started


@dataclass(frozen=True)
class Inputs:
    """What a comparison was run with, beyond its seeds: enough to record it and to run it again."""

    scenarios: tuple[Scenario, ...]
    households_per_agent: float
    parameters: Parameters | None = None  # None: the model's defaults
    draws: Mapping[int, dict[str, dict[str, float]]] | None = None  # each seed's parameter overrides
    worlds: Worlds | None = None  # each seed's assumed numbers, when the seeds are plausible worlds


@dataclass
class Comparison:
    """Yearly results of every (scenario, seed) run: national and by department, in tidy tables."""

    yearly: pd.DataFrame  # scenario, seed, year, every metric, cost_usd, outflow
    departments: pd.DataFrame  # scenario, seed, year, ine_code, department, every metric
    scenarios: list[str]
    seeds: list[int]
    inputs: Inputs | None = None  # None when only the tables are known (read back from files)

    def per_year(self, metric: str = HEADLINE, years: tuple[int, int] | None = None) -> pd.DataFrame:
        """Mean and 5-95% interval over seeds of ``metric`` per scenario and year, and of what each averts.

        Averted against the first scenario that year, paired by seed: how sure the difference is, whatever the levels' spread.
        """
        data = _window(self.yearly, years).set_index(["scenario", "seed", "year"])[metric]
        base = data.loc[self.scenarios[0]].reindex(data.index.droplevel("scenario"))  # the same seed and year
        averted = pd.Series(base.to_numpy() - data.to_numpy(), index=data.index)
        grouped = data.groupby(level=["scenario", "year"], sort=False)
        paired = averted.groupby(level=["scenario", "year"], sort=False)
        table = pd.DataFrame(
            {
                "mean": grouped.mean(),
                "low": grouped.quantile(LOW),
                "high": grouped.quantile(HIGH),
                "averted": paired.mean(),
                "averted_low": paired.quantile(LOW),
                "averted_high": paired.quantile(HIGH),
            }
        )
        return table.reset_index()

    def totals(self, metric: str = HEADLINE, years: tuple[int, int] | None = None) -> pd.DataFrame:
        """Per scenario over the window: totals, effects and costs against the first scenario.

        Total of ``metric``, averted against the first scenario (paired by seed), arrivals in the US averted
        (enforcement can cut arrivals while apprehended migrants start more journeys), visa and protected
        departures, cost, cost per unit averted, the change in remittances received, and community engagement
        at the window's end.
        """
        data = _window(self.yearly, years)
        legal = ["departures_legal", "departures_protected"]
        summed = list(dict.fromkeys([metric, "arrivals", *legal, "cost_usd", "remittances_usd"]))
        total = data.groupby(["scenario", "seed"], sort=False)[summed].sum()
        # engagement as the agreement's target reads it (and as targets() gives it): the mean share of households
        # in prevention programs at the window's end against the first scenario's
        window = years or (int(data["year"].min()), int(data["year"].max()))
        engagement = self._mean_targets(window).set_index("scenario")["engagement_change"]
        base_name = self.scenarios[0]
        rows = []
        for name in self.scenarios:
            mine = total.loc[name].reindex(self.seeds)
            averted = total.loc[base_name][metric].reindex(self.seeds) - mine[metric]
            arrivals = total.loc[base_name]["arrivals"].reindex(self.seeds) - mine["arrivals"]
            remittances = mine["remittances_usd"] - total.loc[base_name]["remittances_usd"].reindex(self.seeds)
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
                    "arrivals_averted": float(arrivals.mean()),
                    "arrivals_averted_low": float(arrivals.quantile(LOW)),
                    "arrivals_averted_high": float(arrivals.quantile(HIGH)),
                    "departures_legal": float(mine["departures_legal"].mean()),
                    "departures_protected": float(mine["departures_protected"].mean()),
                    "cost_usd": cost,
                    "cost_per_averted_usd": cost / mean_averted if mean_averted > 0 else np.nan,
                    # fewer migrants abroad send less home: a cost to households the lever costs leave out
                    "remittances_change_usd": float(remittances.mean()),
                    "engagement_change": float(engagement[name]),
                    "engagement_target_met": bool(engagement[name] >= ENGAGEMENT_GROWTH),
                }
            )
        return pd.DataFrame(rows)

    def targets(self, years: tuple[int, int]) -> pd.DataFrame:
        """The agreement's target metrics per scenario (mean over seeds; engagement against the first scenario).

        And in how many seeds each target is met on average over the years (arrests and seizure growth) or at
        their end (engagement, against the first scenario's same seed): how sure the verdict on the mean is.
        """
        table = self._mean_targets(years).join(self._seeds_meeting_targets(years), on="scenario")
        met = [c for c in table.columns if c.endswith("_met_from")]
        return table.astype(dict.fromkeys(met, "Int64"))  # years, or empty when never met for good (not 2026.0)

    def _mean_targets(self, years: tuple[int, int]) -> pd.DataFrame:
        """``assess`` of each scenario's mean over seeds (engagement against the first scenario's)."""
        mean = self.yearly.groupby(["scenario", "year"], sort=False).mean(numeric_only=True)
        reference = engagement_share(mean.loc[self.scenarios[0]])
        return pd.DataFrame([{"scenario": name, **assess(mean.loc[name], years, reference)} for name in self.scenarios])

    def _seeds_meeting_targets(self, years: tuple[int, int]) -> pd.DataFrame:
        """Per scenario, the seeds whose own run meets each target (as ``assess`` reads them), and how many seeds."""
        runs = self.yearly.set_index(["scenario", "seed", "year"]).sort_index()
        growth = runs["seizures"].groupby(level=["scenario", "seed"]).pct_change()
        year = runs.index.get_level_values("year")
        in_window = (year >= years[0]) & (year <= years[1])
        per_seed = pd.DataFrame(
            {
                "arrests": runs["key_arrests"][in_window].groupby(level=["scenario", "seed"]).mean(),
                "growth": growth[in_window].groupby(level=["scenario", "seed"]).mean(),
            }
        )
        share = engagement_share(runs[in_window].xs(int(year[in_window].max()), level="year"))
        per_seed["engagement"] = share / share.loc[self.scenarios[0]].reindex(share.index, level="seed") - 1
        met = pd.DataFrame(
            {
                "key_arrests_seeds_met": per_seed.arrests >= KEY_ARRESTS,
                "seizure_growth_seeds_met": per_seed.growth >= SEIZURE_GROWTH,
                "engagement_seeds_met": per_seed.engagement >= ENGAGEMENT_GROWTH,
            }
        )
        return met.groupby(level="scenario").sum().astype(int).assign(seeds=len(self.seeds))

    def per_department(self, metric: str = HEADLINE, years: tuple[int, int] | None = None) -> pd.DataFrame:
        """Per scenario and department over the window: mean total, interval, and averted against the first.

        Flows are summed over the window's years, stocks taken in its last year, rates averaged over its years.
        """
        data = _window(self.departments, years)
        total = data.groupby(["scenario", "seed", "department"], sort=False, observed=True)[metric].agg(
            over_years(metric)
        )
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
    world: Mapping[str, float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every scenario with one seed; keep yearly national and department tables (small to send back).

    ``draw`` overrides some parameters for this seed (a posterior draw); ``world`` gives the assumed numbers
    their values in this seed's plausible world (:mod:`sim.worlds`). ``threads`` caps the compiled
    step's threads, so that worker processes do not oversubscribe the cores. ``alongside``: see
    :func:`sim.runner.run_many`. Each scenario's tables are kept in :mod:`sim.cache`, so asking again (in
    another command, or after adding a scenario) simulates only the scenarios not run before.
    """
    if threads:
        import numba

        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    parameters, scenarios = _in_world(_with_draw(parameters, draw), scenarios, world)
    keys = _keys(scenarios, seed, households_per_agent, parameters)
    found = {name: cache.load(key) for name, key in keys.items()}
    missing = [s for s in scenarios if found[s.name] is None]
    if missing:
        done = [s for s in scenarios if s not in missing]  # their past is the one to share
        results = run_many(
            missing,
            seed,
            households_per_agent=households_per_agent,
            parameters=parameters,
            alongside=[*alongside, *done],
        )
        for scenario, result in zip(missing, results, strict=True):
            national = result.national().reset_index()
            national.insert(0, "seed", seed)
            national.insert(0, "scenario", scenario.name)
            by_dept = department_yearly(result.monthly)
            by_dept.insert(0, "seed", seed)
            by_dept.insert(0, "scenario", scenario.name)
            found[scenario.name] = (national, by_dept)
            cache.store(keys[scenario.name], found[scenario.name])
    return concat_tables(found.values())


def cached_seed_tables(
    scenarios: Sequence[Scenario],
    seed: int,
    households_per_agent: float,
    parameters: Parameters | None = None,
    draw: dict[str, dict[str, float]] | None = None,
    world: Mapping[str, float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """What :func:`seed_tables` gives, if every scenario's tables are in the cache already; else None.

    Nothing is read unless every file is there: a seed with a scenario to simulate is read once, by
    :func:`seed_tables`.
    """
    parameters, scenarios = _in_world(_with_draw(parameters, draw), scenarios, world)
    names = _keys(scenarios, seed, households_per_agent, parameters).values()
    if not all(cache.has(name) for name in names):
        return None
    found = [cache.load(name) for name in names]
    if any(tables is None for tables in found):  # unreadable, or pruned meanwhile
        return None
    return concat_tables(found)


def concat_tables(tables: Iterable[tuple[pd.DataFrame, pd.DataFrame]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One national and one department table from per-scenario pairs."""
    national, departments = zip(*tables, strict=True)
    return pd.concat(national, ignore_index=True), pd.concat(departments, ignore_index=True)


def _with_draw(parameters: Parameters | None, draw: dict[str, dict[str, float]] | None) -> Parameters | None:
    return (parameters or default_parameters()).with_overrides(draw) if draw else parameters


def _in_world(
    parameters: Parameters | None, scenarios: Sequence[Scenario], world: Mapping[str, float] | None
) -> tuple[Parameters | None, list[Scenario]]:
    """The parameters and scenarios as they are in ``world`` (unchanged without one)."""
    if not world:
        return parameters, list(scenarios)
    from sim.uncertainties import apply

    base = parameters or default_parameters()
    changed = [apply(world, base, scenario) for scenario in scenarios]
    return changed[0][0], [scenario for _, scenario in changed]


def _keys(
    scenarios: Sequence[Scenario], seed: int, households_per_agent: float, parameters: Parameters | None
) -> dict[str, str]:
    """Each scenario's cache name: what its run's numbers depend on (see :mod:`sim.cache`)."""
    return {
        s.name: cache.key(
            tables=s.digest,
            extensions=cache.extension_digest(s),
            seed=seed,
            scale=float(households_per_agent),  # 50 and 50.0 are one scale
            parameters=parameters.as_dict() if parameters else None,
        )
        for s in scenarios
    }


@dataclass(frozen=True)
class SeedRun:
    """One seed's runs of every scenario, as :func:`seed_tables` takes them (a task for a worker)."""

    scenarios: tuple[Scenario, ...]
    seed: int
    households_per_agent: float
    parameters: Parameters | None = None
    draw: dict[str, dict[str, float]] | None = None
    world: Mapping[str, float] | None = None


def run_seeds[K](
    runs: Mapping[K, SeedRun],
    *,
    workers: int = 1,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[K, tuple[pd.DataFrame, pd.DataFrame]]:
    """Each run's tables, run here, in ``workers`` processes or on ``executor`` (e.g. a Dask cluster's).

    Here, runs go one after another, each month's step on every core. ``progress(done, total)`` after each
    run. Comparisons, plausible worlds, sensitivity designs and portfolio searches all come down to this. Results
    do not depend on where they ran: each run is seeded on its own.
    """
    if not runs:
        return {}
    workers = min(max(workers, 1), len(runs))
    own = executor is None and workers > 1
    pool = process_pool(workers) if own else executor
    tables: dict[K, tuple[pd.DataFrame, pd.DataFrame]] = {}
    try:
        if pool is None:
            for key, run in runs.items():
                tables[key] = seed_tables(
                    run.scenarios,
                    run.seed,
                    run.households_per_agent,
                    parameters=run.parameters,
                    draw=run.draw,
                    world=run.world,
                )
                if progress:
                    progress(len(tables), len(runs))
        else:
            threads = max(1, (os.cpu_count() or 1) // workers)
            futures = {
                pool.submit(
                    seed_tables,
                    list(run.scenarios),
                    run.seed,
                    run.households_per_agent,
                    threads,
                    run.parameters,
                    run.draw,
                    (),
                    run.world,
                ): key
                for key, run in runs.items()
            }
            for future in as_completed(futures):
                tables[futures[future]] = future.result()
                if progress:
                    progress(len(tables), len(runs))
    finally:
        if own:
            close_pool(pool)
    return tables


def compare(
    scenarios: Sequence[Scenario],
    seeds: Sequence[int],
    *,
    households_per_agent: float = DEFAULT_HOUSEHOLDS_PER_AGENT,
    workers: int | None = 1,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
    parameters: Parameters | None = None,
    draws: Mapping[int, dict[str, dict[str, float]]] | None = None,
    worlds: Worlds | None = None,
) -> Comparison:
    """Run every scenario with every seed and collect the results (``parameters``: other than the defaults).

    ``draws`` maps a seed to the parameter overrides its runs use (see :func:`posterior_draws_for`), so
    that intervals over seeds cover parameter uncertainty too; every scenario of a seed shares its draw.
    ``worlds`` (:mod:`sim.worlds`) gives each seed's assumed numbers too: then ``seeds`` are its worlds' seeds.

    Seeds whose runs are all in :mod:`sim.cache` are read from it. With ``workers=1`` (default) the others run
    one after the other in this process, each month's step using every core; with more, in that many worker
    processes (worth it when there are many seeds and scenarios to share out), or on ``executor``; ``None``
    chooses one worker per core from ``AUTO_WORKERS_FROM`` seeds to simulate on. Results do not depend on
    any of this: each seed's runs are seeded on their own.
    """
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must differ to be compared: {names}")
    seeds = list(seeds)
    tables: dict[int, tuple[pd.DataFrame, pd.DataFrame]] = {}
    for seed in seeds:  # from the cache first, so that workers start only for what must be simulated
        found = cached_seed_tables(
            scenarios, seed, households_per_agent, parameters, (draws or {}).get(seed), _world(worlds, seed)
        )
        if found is not None:
            tables[seed] = found
    if progress and tables:
        progress(len(tables) * len(scenarios), len(seeds) * len(scenarios))
    pending = [seed for seed in seeds if seed not in tables]
    if workers is None:  # automatic: worker processes only when there are enough seeds to simulate
        workers = (os.cpu_count() or 1) if len(pending) >= AUTO_WORKERS_FROM else 1
    runs = {
        seed: SeedRun(
            tuple(scenarios), seed, households_per_agent, parameters, (draws or {}).get(seed), _world(worlds, seed)
        )
        for seed in pending
    }
    done = len(tables)

    def counted(finished: int, _total: int) -> None:
        if progress:
            progress((done + finished) * len(scenarios), len(seeds) * len(scenarios))

    tables |= run_seeds(runs, workers=workers, executor=executor, progress=counted)
    yearly = pd.concat([tables[s][0] for s in seeds], ignore_index=True)
    departments = pd.concat([tables[s][1] for s in seeds], ignore_index=True)
    inputs = Inputs(tuple(scenarios), households_per_agent, parameters, dict(draws) if draws else None, worlds)
    return Comparison(yearly, departments, names, seeds, inputs)


def _world(worlds: Worlds | None, seed: int) -> dict[str, float] | None:
    return worlds.world(seed) if worlds is not None else None


def posterior_draws_for(seeds: Sequence[int]) -> dict[int, dict[str, dict[str, float]]]:
    """The installed posterior's draw for each seed (seed ``s`` takes draw ``s`` modulo the number of draws)."""
    found = posterior_draws()
    return {seed: found[seed % len(found)] for seed in seeds}
