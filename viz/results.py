"""Results the app has already simulated, per (scenario, seed, scale), shared by every session.

A run's numbers depend only on its scenario, seed and scale, so a result computed for one user serves every
other: asking again for the same comparison is instant, and adding a scenario runs only that scenario. Runs
not in memory are looked up in :mod:`sim.cache` first, so what `migsim compare` or an earlier server ran
(e.g. `make demo`) is not run again.
One comparison simulates at a time. Several seeds go to worker processes, one per core, started with the
first of them and kept for the server's life (a seed in this process only steps as fast as its Python part
allows, while the other core waits); a single seed runs here, its compiled step on every core. Results are
the same either way (each seed is seeded on its own).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

import pandas as pd

from sim.compare import Comparison, Inputs, cached_seed_tables, posterior_draws_for, seed_tables
from sim.scenario import Scenario
from sim.workers import EXITING, end_at_exit, process_pool
from sim.worlds import Worlds

Key = tuple[str, int, float, str]  # scenario digest, seed, households per agent, plausible world ("": none)


class ResultStore:
    """Yearly national and department tables of each run, least recently used dropped beyond ``capacity``."""

    def __init__(self, capacity: int = 4000, workers: int = 1) -> None:
        self.capacity = capacity
        self.workers = workers  # worker processes for comparisons of several seeds to simulate (1: none)
        self._pool: ProcessPoolExecutor | None = None
        self._tables: OrderedDict[Key, tuple[pd.DataFrame, pd.DataFrame]] = OrderedDict()
        self._simulating = threading.Lock()
        self._access = threading.Lock()  # for the table itself, read while another session adds to it
        self.runs = 0  # simulations actually run (the rest came from this store or from sim.cache on disk)

    def cached(
        self, scenarios: Sequence[Scenario], seeds: Sequence[int], scale: float, worlds: Worlds | None = None
    ) -> bool:
        return all(_key(s, seed, scale, worlds) in self._tables for s in scenarios for seed in seeds)

    def comparison(
        self,
        scenarios: Sequence[Scenario],
        seeds: Sequence[int],
        scale: float,
        progress: Callable[[int, int], None] | None = None,
        stop: Callable[[], bool] | None = None,
        partial: Callable[[Comparison], None] | None = None,
        worlds: Worlds | None = None,
    ) -> Comparison | None:
        """The comparison of ``scenarios`` over ``seeds``; None if ``stop()`` turned true on the way.

        With ``worlds``, ``seeds`` are its worlds' seeds and each runs in its plausible world (:mod:`sim.worlds`).

        ``partial`` receives the comparison over the seeds done so far each time a seed had to be simulated
        (here, or by another comparison this one waits for), so a page can show a first answer after the first
        seeds instead of waiting for all of them.
        """
        seeds = list(seeds)
        if not self.cached(scenarios, seeds, scale, worlds):
            shown = 0
            while not self._simulating.acquire(timeout=0.2):  # another comparison simulates: show what it adds
                if stop and stop():
                    return None
                ready = [seed for seed in seeds if self.cached(scenarios, [seed], scale, worlds)]
                if partial and shown < len(ready) < len(seeds):
                    shown = len(ready)
                    partial(self._assemble(scenarios, ready, scale, worlds))
            try:
                if stop and stop():
                    return None
                if not self._fill(scenarios, seeds, scale, progress, stop, partial, worlds):
                    return None
            finally:
                self._simulating.release()
        elif progress:
            progress(len(seeds), len(seeds))
        return self._assemble(scenarios, seeds, scale, worlds)

    def _fill(self, scenarios, seeds, scale, progress, stop, partial, worlds) -> bool:
        """Bring every (scenario, seed) of the comparison into the store; False if stopped on the way."""
        todo = [
            s
            for s in seeds
            if not self.cached(scenarios, [s], scale, worlds) and not self._from_disk(scenarios, s, scale, worlds)
        ]
        done = [seed for seed in seeds if seed not in todo]

        def finished(seed: int) -> None:
            done.append(seed)
            if progress:
                progress(len(done), len(seeds))
            if partial and len(done) < len(seeds):
                partial(self._assemble(scenarios, sorted(done, key=seeds.index), scale, worlds))

        if progress and done:
            progress(len(done), len(seeds))
        if self.workers > 1 and len(todo) > 1:
            return self._simulate_in_workers(scenarios, todo, scale, stop, finished, worlds)
        for i, seed in enumerate(todo):
            if i and stop and stop():
                return False
            self._simulate(scenarios, seed, scale, worlds)
            finished(seed)
        return True

    def _missing(self, scenarios: Sequence[Scenario], seed: int, scale: float, worlds: Worlds | None) -> list[Scenario]:
        return [s for s in scenarios if _key(s, seed, scale, worlds) not in self._tables]

    def _from_disk(self, scenarios: Sequence[Scenario], seed: int, scale: float, worlds: Worlds | None) -> bool:
        """Load what :mod:`sim.cache` has of the seed's missing runs; True if nothing is left to simulate."""
        draw = posterior_draws_for([seed])[seed]
        left = []
        for scenario in self._missing(scenarios, seed, scale, worlds):
            tables = cached_seed_tables([scenario], seed, scale, draw=draw, world=_world(worlds, seed))
            if tables is None:
                left.append(scenario)
            else:
                with self._access:
                    self._add([scenario], seed, scale, worlds, *tables)
        return not left

    def _simulate(self, scenarios: Sequence[Scenario], seed: int, scale: float, worlds: Worlds | None) -> None:
        missing = self._missing(scenarios, seed, scale, worlds)
        draw = posterior_draws_for([seed])[seed]
        tables = seed_tables(missing, seed, scale, draw=draw, alongside=scenarios, world=_world(worlds, seed))
        self._keep_simulated(missing, seed, scale, worlds, tables)

    def _keep_simulated(
        self,
        scenarios: list[Scenario],
        seed: int,
        scale: float,
        worlds: Worlds | None,
        tables: tuple[pd.DataFrame, pd.DataFrame],
    ) -> None:
        with self._access:
            self._add(scenarios, seed, scale, worlds, *tables)
            self.runs += len(scenarios)

    def _simulate_in_workers(self, scenarios, seeds, scale, stop, finished, worlds) -> bool:
        """Each seed's missing runs in a worker process; stops handing out seeds once ``stop()`` is true."""
        if self._pool is None:
            self._pool = process_pool(self.workers, threads=1)
            end_at_exit(self._pool)
        missing = {seed: self._missing(scenarios, seed, scale, worlds) for seed in seeds}
        futures = {
            self._pool.submit(
                seed_tables,
                missing[seed],
                seed,
                scale,
                1,
                None,
                posterior_draws_for([seed])[seed],
                list(scenarios),
                _world(worlds, seed),
            ): seed
            for seed in seeds
        }
        stopped = False
        for future in as_completed(futures):
            seed = futures[future]
            if future.cancelled():
                continue
            try:
                self._keep_simulated(missing[seed], seed, scale, worlds, future.result())
            except BrokenProcessPool:
                self._pool = None  # its workers are gone: the next comparison starts new ones
                if EXITING.is_set():
                    return False  # the server is stopping (Ctrl-C)
                raise
            if not stopped:
                finished(seed)
                if stop and stop():  # the seeds already running are kept; the others are not started
                    stopped = True
                    for waiting in futures:
                        waiting.cancel()
        return not stopped

    def _assemble(
        self, scenarios: Sequence[Scenario], seeds: list[int], scale: float, worlds: Worlds | None
    ) -> Comparison:
        national, departments = [], []
        with self._access:
            for seed in seeds:
                for scenario in scenarios:
                    key = _key(scenario, seed, scale, worlds)
                    self._tables.move_to_end(key)
                    n, d = self._tables[key]
                    national.append(n.assign(scenario=scenario.name))
                    departments.append(d.assign(scenario=scenario.name))
        names = [s.name for s in scenarios]
        inputs = Inputs(tuple(scenarios), scale, draws=posterior_draws_for(seeds), worlds=worlds)  # for downloads
        return Comparison(
            pd.concat(national, ignore_index=True), pd.concat(departments, ignore_index=True), names, seeds, inputs
        )

    def _add(self, scenarios, seed, scale, worlds, national: pd.DataFrame, departments: pd.DataFrame) -> None:
        for scenario in scenarios:
            self._tables[_key(scenario, seed, scale, worlds)] = (
                national[national.scenario == scenario.name].reset_index(drop=True),
                departments[departments.scenario == scenario.name].reset_index(drop=True),
            )
        while len(self._tables) > self.capacity:
            self._tables.popitem(last=False)


def _key(scenario: Scenario, seed: int, scale: float, worlds: Worlds | None) -> Key:
    return (scenario.digest, seed, scale, worlds.digest(seed) if worlds is not None else "")


def _world(worlds: Worlds | None, seed: int) -> dict[str, float] | None:
    return worlds.world(seed) if worlds is not None else None


STORE = ResultStore(workers=os.cpu_count() or 1)
