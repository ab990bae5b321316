"""The cheapest robust package: portfolios of levers searched for cost against effect in the worst worlds.

A portfolio (:mod:`sim.portfolio`) sets how much of each lever, acting where and from when the shipped
scenarios have it act. Each is run in the same plausible worlds (:mod:`sim.worlds`), paired with the
baseline in each, and scored by three objectives: its cost (mean over worlds, US dollars over the years),
the journeys it averts in its worst worlds (the ``quantile`` of what it averts over worlds: 0.1, the worst
10%), and the share of worlds in which it meets all three of the agreement's targets. pymoo's NSGA-II
(:mod:`sim.optimise`) searches for the Pareto front, resumable from its folder; each point of the front is
written as a scenario file that ``migsim compare`` and the app can open.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.compare import Comparison, SeedRun, posterior_draws_for, run_seeds
from sim.portfolio import BASELINE, lever_controls, shipped_scenarios
from sim.provenance import code_version
from sim.runner import write_atomic
from sim.worlds import Worlds, per_world, sample

OBJECTIVES = {"cost_usd": "min", "robust_journeys_averted": "max", "worlds_meeting_targets": "max"}
TARGETS = ("key_arrests_met", "seizure_growth_met", "engagement_met")


def default_levers() -> list[str]:
    """The agreement package's levers: the measures the agreement names."""
    return [config.lever or label for label, config in shipped_scenarios()["agreement package"].levers]


def search(
    folder: Path | str,
    *,
    levers: Sequence[str] | None = None,
    worlds: int = 8,
    population: int = 16,
    generations: int = 20,
    quantile: float = 0.1,
    households_per_agent: float = 2000.0,
    years: tuple[int, int] = (2026, 2035),
    seed: int = 0,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
):
    """Search portfolios of ``levers`` (each from off to its schema's top) for the Pareto front of OBJECTIVES.

    Writes into ``folder``: every evaluation (``evaluations/``, re-read on a re-run with the same settings),
    ``front.csv``, ``front.png``, ``front/front-NN.yaml``, one scenario file per point, and last
    ``front.json`` (the settings, for a reader of the front). Returns :class:`sim.optimise.Optimisation`.
    """
    from sim.optimise import optimise  # pymoo: imported when a search runs

    if not 0 < quantile < 1:
        raise ValueError(f"the quantile of worlds must lie between 0 and 1 (0.1: the worst 10%), got {quantile:g}")
    controls = lever_controls(shipped_scenarios())
    chosen = list(levers) if levers else default_levers()
    if unknown := [name for name in chosen if name not in controls]:
        raise ValueError(f"no lever {unknown[0]!r} to search (levers: {', '.join(controls)})")
    found = sample(worlds, first_seed=seed)
    bounds = {name: (controls[name].low, controls[name].high) for name in chosen}
    runner = _Evaluations(found, quantile, households_per_agent, years, workers or os.cpu_count() or 1, executor)
    settings = {"worlds": found.record(), "quantile": quantile, "scale": households_per_agent, "years": list(years)}
    fingerprint = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]
    result = optimise(
        bounds,
        runner.evaluate,
        OBJECTIVES,
        population=population,
        generations=generations,
        seed=seed,
        folder=folder,
        fingerprint=fingerprint,
        labels={
            "cost_usd": f"cost over {years[0]}-{years[1]} (US$)",
            "robust_journeys_averted": f"journeys averted in the worst {quantile:.0%} of worlds",
            "worlds_meeting_targets": "share of worlds meeting all three targets",
        },
        progress=progress,
    )
    _write_scenarios(Path(folder) / "front", result.front, chosen, quantile)
    about = {"levers": chosen, "worlds_count": worlds, **settings, "code_version": code_version()}
    write_atomic(Path(folder) / "front.json", lambda path: Path(path).write_text(json.dumps(about, indent=2)))
    return result


def read_front(folder: Path | str) -> tuple[pd.DataFrame, dict]:
    """A finished search's front (with each point's scenario name, ``front-NN``) and its settings.

    FileNotFoundError if ``folder`` holds no finished search (``front.json`` is written last).
    """
    folder = Path(folder)
    if not (folder / "front.json").is_file():
        raise FileNotFoundError(f"no finished search in {folder} (`migsim optimise --out {folder}` writes one)")
    try:
        about = json.loads((folder / "front.json").read_text())
        front = pd.read_csv(folder / "front.csv")
    except (OSError, ValueError) as exc:
        raise ValueError(f"the front in {folder} cannot be read ({exc}); run `migsim optimise` again") from None
    return front.assign(scenario=[f"front-{rank:02d}" for rank in range(1, len(front) + 1)]), about


class _Evaluations:
    """Each portfolio in every world, paired with the baseline there; the worlds' runs cached on disk."""

    def __init__(
        self, worlds: Worlds, quantile: float, scale: float, years: tuple[int, int], workers: int, executor
    ) -> None:
        self.worlds, self.quantile, self.scale, self.years = worlds, quantile, scale, years
        self.workers, self.executor = workers, executor

    def evaluate(self, portfolios: pd.DataFrame) -> pd.DataFrame:
        from sim.exploratory import portfolio

        scenarios = [portfolio(row) for row in portfolios.to_dict("records")]
        baseline = shipped_scenarios()[BASELINE]
        draws = posterior_draws_for(self.worlds.seeds)
        runs = {
            (i, s): SeedRun((baseline, scenario), s, self.scale, draw=draws[s], world=self.worlds.world(s))
            for i, scenario in enumerate(scenarios)
            for s in self.worlds.seeds
        }
        found = run_seeds(runs, workers=self.workers, executor=self.executor)
        rows = []
        for i, scenario in enumerate(scenarios):
            national = pd.concat([found[(i, s)][0] for s in self.worlds.seeds], ignore_index=True)
            paired = Comparison(national, pd.DataFrame(), [baseline.name, scenario.name], self.worlds.seeds)
            effects = per_world(paired, self.years).query("scenario == @scenario.name")
            inside = national[(national.year >= self.years[0]) & (national.year <= self.years[1])]
            cost = inside[inside.scenario == scenario.name].groupby("seed")["cost_usd"].sum()
            rows.append(
                {
                    "cost_usd": float(cost.mean()),
                    "robust_journeys_averted": float(np.quantile(effects.journeys_averted, self.quantile)),
                    "worlds_meeting_targets": float(effects[list(TARGETS)].all(axis=1).mean()),
                    "mean_journeys_averted": float(effects.journeys_averted.mean()),
                    "mean_arrivals_averted": float(effects.arrivals_averted.mean()),
                }
            )
        return pd.DataFrame(rows)


def _write_scenarios(folder: Path, front: pd.DataFrame, levers: list[str], quantile: float) -> None:
    """Each point of the front as a scenario file (the baseline plus its levers), named by its rank in cost."""
    from sim.exploratory import portfolio

    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("front-*.yaml"):
        stale.unlink()
    for rank, row in enumerate(front.to_dict("records"), 1):
        data = portfolio({name: row[name] for name in levers}).resolved()
        data["name"] = f"front-{rank:02d}"
        data["description"] = (
            f"{data['description'].removesuffix(' (built in the app).')}. Found by migsim optimise: US$"
            f"{row['cost_usd'] / 1e6:,.0f} million over the years; averts {row['robust_journeys_averted']:,.0f} "
            f"journeys or more in {1 - quantile:.0%} of its plausible worlds; meets every target in "
            f"{row['worlds_meeting_targets']:.0%} of them."
        )
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        write_atomic(folder / f"front-{rank:02d}.yaml", lambda path, t=text: Path(path).write_text(t))
