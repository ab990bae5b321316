"""Results the app has already simulated, per (scenario, seed, scale), shared by every session.

A run's numbers depend only on its scenario, seed and scale, so a result computed for one user serves every
other: asking again for the same comparison is instant, and adding a scenario runs only that scenario. Runs
not in memory are looked up in :mod:`sim.cache` first, so what `migsim compare` or an earlier server ran
(e.g. `make demo`) is not run again.
Simulations run one at a time (the compiled step already uses every core, and numba's thread pool is not
meant to be entered from several threads at once).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import pandas as pd

from sim.compare import Comparison, cached_seed_tables, concat_tables, posterior_draws_for, seed_tables
from sim.scenario import Scenario

Key = tuple[str, int, float]  # scenario digest, seed, households per agent


class ResultStore:
    """Yearly national and department tables of each run, least recently used dropped beyond ``capacity``."""

    def __init__(self, capacity: int = 4000) -> None:
        self.capacity = capacity
        self._tables: OrderedDict[Key, tuple[pd.DataFrame, pd.DataFrame]] = OrderedDict()
        self._simulating = threading.Lock()
        self._access = threading.Lock()  # for the table itself, read while another session adds to it
        self.runs = 0  # simulations actually run (the rest came from this store or from sim.cache on disk)

    def cached(self, scenarios: Sequence[Scenario], seeds: Sequence[int], scale: float) -> bool:
        return all((s.digest, seed, scale) in self._tables for s in scenarios for seed in seeds)

    def comparison(
        self,
        scenarios: Sequence[Scenario],
        seeds: Sequence[int],
        scale: float,
        progress: Callable[[int, int], None] | None = None,
        stop: Callable[[], bool] | None = None,
        partial: Callable[[Comparison], None] | None = None,
    ) -> Comparison | None:
        """The comparison of ``scenarios`` over ``seeds``; None if ``stop()`` turned true on the way.

        ``partial`` receives the comparison over the seeds done so far each time a seed had to be simulated, so
        a page can show a first answer after one seed instead of waiting for all of them.
        """
        seeds = list(seeds)
        for done, seed in enumerate(seeds):
            missing = [s for s in scenarios if (s.digest, seed, scale) not in self._tables]
            if missing:
                with self._simulating:
                    if stop and stop():
                        return None
                    missing = [s for s in scenarios if (s.digest, seed, scale) not in self._tables]
                    if missing:
                        self._store(missing, seed, scale, scenarios)
                if partial and done + 1 < len(seeds):
                    partial(self._assemble(scenarios, seeds[: done + 1], scale))
            if progress:
                progress(done + 1, len(seeds))
        return self._assemble(scenarios, seeds, scale)

    def _assemble(self, scenarios: Sequence[Scenario], seeds: list[int], scale: float) -> Comparison:
        national, departments = [], []
        with self._access:
            for seed in seeds:
                for scenario in scenarios:
                    key = (scenario.digest, seed, scale)
                    self._tables.move_to_end(key)
                    n, d = self._tables[key]
                    national.append(n.assign(scenario=scenario.name))
                    departments.append(d.assign(scenario=scenario.name))
        names = [s.name for s in scenarios]
        return Comparison(
            pd.concat(national, ignore_index=True), pd.concat(departments, ignore_index=True), names, seeds
        )

    def _store(self, scenarios: list[Scenario], seed: int, scale: float, comparison: Sequence[Scenario]) -> None:
        draw = posterior_draws_for([seed])[seed]
        found = [cached_seed_tables([s], seed, scale, draw=draw) for s in scenarios]  # from an earlier command
        missing = [s for s, tables in zip(scenarios, found, strict=True) if tables is None]
        parts = [tables for tables in found if tables is not None]
        if missing:
            parts.append(seed_tables(missing, seed, scale, draw=draw, alongside=comparison))
        national, departments = concat_tables(parts)
        with self._access:
            self._add(scenarios, seed, scale, national, departments)
            self.runs += len(missing)

    def _add(self, scenarios, seed, scale, national: pd.DataFrame, departments: pd.DataFrame) -> None:
        for scenario in scenarios:
            self._tables[(scenario.digest, seed, scale)] = (
                national[national.scenario == scenario.name].reset_index(drop=True),
                departments[departments.scenario == scenario.name].reset_index(drop=True),
            )
        while len(self._tables) > self.capacity:
            self._tables.popitem(last=False)


STORE = ResultStore()
