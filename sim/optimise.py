"""Portfolio search: the Pareto front of lever intensities against several objectives, resumable like sweeps.

Decision variables are lever intensities within bounds (a lever at 0 is off); objectives are numbers the
caller's ``evaluate`` returns for a batch of portfolios, each to be minimised or maximised: e.g. cost (min),
journeys averted in the worst 10% of plausible worlds (max), the share of worlds meeting the agreement's
targets (max). pymoo's NSGA-II (Deb et al. 2002, "A fast and elitist multiobjective genetic algorithm",
IEEE Transactions on Evolutionary Computation 6:182-197) searches; it suits two or three objectives, where
NSGA-III's reference directions add little.

Evaluations are the expensive part (each is many model runs), so every evaluated portfolio is kept in a store
in ``folder``: one Parquet file per batch under ``evaluations/``, written under a hidden name and renamed, each
row keyed by a hash of its decision vector. The search is deterministic for a seed, so a search run again with
the same settings asks for the same portfolios and finds those already evaluated in the store: an interrupted
search resumes where it stopped and never evaluates a portfolio twice. ``search.json`` records the levers,
objectives and the caller's ``fingerprint`` (e.g. code version and worlds), and a search refuses a folder
holding another search's evaluations.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from pymoo.algorithms.moo.nsga2 import NSGA2
from pymoo.core.callback import Callback
from pymoo.core.problem import Problem
from pymoo.core.sampling import Sampling
from pymoo.optimize import minimize
from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

from sim.runner import write_atomic

Bounds = Mapping[str, tuple[float, float]]
Evaluate = Callable[[pd.DataFrame], pd.DataFrame]
DIRECTIONS = {"min": 1.0, "max": -1.0}  # pymoo minimises: a maximised objective is negated


@dataclass(frozen=True)
class Optimisation:
    """The search's answer.

    ``front``: the non-dominated portfolios among all the search asked for (lever columns, then every column
    ``evaluate`` returned), sorted by the first objective. ``evaluated``: every portfolio the search asked for,
    with the ``generation`` that first asked. ``evaluations``: how many this call evaluated (the others were
    read from the store).
    """

    front: pd.DataFrame
    evaluated: pd.DataFrame
    evaluations: int


def optimise(
    bounds: Bounds,
    evaluate: Evaluate,
    objectives: Mapping[str, str],
    *,
    integers: Collection[str] = (),
    population: int = 40,
    generations: int = 25,
    seed: int = 0,
    folder: Path | str | None = None,
    fingerprint: str = "",
    labels: Mapping[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Optimisation:
    """Search lever intensities within ``bounds`` for the Pareto front of ``objectives`` ({name: "min"/"max"}).

    ``evaluate`` gets a DataFrame of portfolios (one column per lever) and returns a DataFrame with one row per
    portfolio and at least one column per objective. ``population`` portfolios per generation, ``generations``
    generations (the first is the start, :class:`SparseStart`): about ``population * generations`` evaluations. Levers
    named in ``integers`` take whole values within their bounds; one with bounds (0, 1) is a switch, off or on.
    ``progress(done, total)`` is called after each generation. With ``folder``, evaluations are stored there
    (and re-read on a re-run) and the front is written as ``front.csv`` and ``front.png`` (its axes named by
    ``labels``).
    """
    names, low, high, whole = _checked(bounds, objectives, integers, population, generations)
    store = _Store(Path(folder), names, sorted(integers), objectives, fingerprint) if folder is not None else None
    problem = _Portfolios(names, low, high, whole, evaluate, objectives, store)
    algorithm = NSGA2(pop_size=population, sampling=SparseStart(), eliminate_duplicates=True)
    minimize(
        problem,
        algorithm,
        ("n_gen", generations),
        seed=seed,
        callback=_Progress(generations, progress, problem),
        verbose=False,
    )
    evaluated = pd.DataFrame(problem.asked.values()).reset_index(drop=True)
    front = pareto_front(evaluated, objectives)
    if store is not None:
        write_atomic(store.folder / "front.csv", lambda path: front.to_csv(path, index=False))
        plot_front(evaluated, front, objectives, store.folder / "front.png", labels)
    return Optimisation(front, evaluated, problem.evaluations)


def pareto_front(table: pd.DataFrame, objectives: Mapping[str, str]) -> pd.DataFrame:
    """The rows of ``table`` no other row beats on every objective, sorted by the first objective."""
    signed = np.column_stack([table[name].to_numpy(float) * DIRECTIONS[d] for name, d in objectives.items()])
    best = NonDominatedSorting().do(signed, only_non_dominated_front=True)
    first = next(iter(objectives))
    return table.iloc[np.sort(best)].sort_values(first, kind="stable").reset_index(drop=True)


def plot_front(
    evaluated: pd.DataFrame,
    front: pd.DataFrame,
    objectives: Mapping[str, str],
    target: Path,
    labels: Mapping[str, str] | None = None,
) -> None:
    """A PNG of the first two objectives: every portfolio evaluated in grey, the front in colour by the third.

    ``labels`` names the objectives' axes in words (by default the column and its direction).
    """
    named = {name: f"{name} ({direction})" for name, direction in objectives.items()} | dict(labels or {})
    names = list(objectives)
    x, y = names[0], names[1] if len(names) > 1 else "generation"
    figure = Figure(figsize=(7, 4.5), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.scatter(evaluated[x], evaluated[y], s=8, color="0.8", label="evaluated")
    if len(names) > 2:
        shown = axes.scatter(front[x], front[y], s=24, c=front[names[2]], label="Pareto front", zorder=3)
        figure.colorbar(shown, ax=axes, label=named[names[2]])
    else:
        axes.scatter(front[x], front[y], s=24, color="tab:blue", label="Pareto front", zorder=3)
    axes.set_xlabel(named[x])
    axes.set_ylabel(named.get(y, y))
    for axis in (axes.xaxis, axes.yaxis):
        axis.set_major_formatter(FuncFormatter(_compact))
    axes.legend(loc="best", frameon=False)
    write_atomic(target, lambda path: figure.savefig(path, format="png", dpi=120))


def _compact(value: float, _position: object = None) -> str:
    """Tick labels people read: 200,000 and 5 bn rather than 2e5 and 0.5 x 1e10."""
    if abs(value) >= 1e9:
        return f"{value / 1e9:,.4g} bn"
    return f"{value:,.0f}" if abs(value) >= 1000 or float(value).is_integer() else f"{value:.4g}"


def _checked(
    bounds: Bounds, objectives: Mapping[str, str], integers: Collection[str], population: int, generations: int
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """The levers' names, bounds and which are integers as arrays, or a ValueError naming the bad setting."""
    if population < 2:
        raise ValueError(f"population must be at least 2, not {population}")
    if generations < 1:
        raise ValueError(f"generations must be at least 1, not {generations}")
    if not bounds:
        raise ValueError("no levers: give bounds as {lever: (low, high)}")
    for name, limits in bounds.items():
        if len(limits) != 2 or not np.all(np.isfinite(limits)) or not limits[0] < limits[1]:
            raise ValueError(f"lever {name!r}: bounds must be two finite numbers with low < high, not {limits}")
    if not objectives:
        raise ValueError('no objectives: give them as {name: "min" or "max"}')
    for name, direction in objectives.items():
        if direction not in DIRECTIONS:
            raise ValueError(f"objective {name!r}: direction must be 'min' or 'max', not {direction!r}")
    if clash := sorted(set(bounds) & set(objectives)):
        raise ValueError(f"names both a lever and an objective: {', '.join(clash)}")
    if unknown := sorted(set(integers) - set(bounds)):
        raise ValueError(f"integers names no lever: {', '.join(unknown)}")
    if fractional := [name for name in integers if not all(float(b).is_integer() for b in bounds[name])]:
        raise ValueError(f"integer levers need whole-number bounds: {', '.join(fractional)}")
    names = list(bounds)
    low, high = (np.array([bounds[n][i] for n in names], float) for i in (0, 1))
    return names, low, high, np.array([name in integers for name in names])


def _key(vector: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(vector, dtype="<f8").tobytes()).hexdigest()[:20]


class _Store:
    """Evaluated portfolios on disk: ``search.json`` saying whose, and one Parquet file per batch."""

    def __init__(
        self, folder: Path, names: list[str], integers: list[str], objectives: Mapping[str, str], fingerprint: str
    ) -> None:
        self.folder = folder
        (folder / "evaluations").mkdir(parents=True, exist_ok=True)
        record = {"levers": names, "integers": integers, "objectives": dict(objectives), "fingerprint": fingerprint}
        file = folder / "search.json"
        if file.exists():
            theirs = json.loads(file.read_text(encoding="utf-8"))
            if theirs != record:
                raise ValueError(
                    f"{folder} holds evaluations of another search (levers, objectives or fingerprint differ: "
                    f"{theirs}); give another folder, or delete it"
                )
        else:
            write_atomic(file, lambda path: Path(path).write_text(json.dumps(record, indent=2), encoding="utf-8"))

    def read(self) -> dict[str, dict]:
        """Every stored evaluation, by key."""
        parts = sorted((self.folder / "evaluations").glob("*.parquet"))
        if not parts:
            return {}
        table = pd.concat([pd.read_parquet(part) for part in parts], ignore_index=True)
        return {row["key"]: row for row in table.to_dict("records")}

    def add(self, rows: list[dict]) -> None:
        """Keep a batch of new evaluations, under a name made of their keys (a batch written twice is one file)."""
        name = hashlib.sha256("".join(row["key"] for row in rows).encode()).hexdigest()[:20]
        table = pd.DataFrame(rows)
        write_atomic(self.folder / "evaluations" / f"{name}.parquet", lambda path: table.to_parquet(path, index=False))


class SparseStart(Sampling):
    """The first generation: no lever at all, then portfolios in which each lever is on with probability 1/2.

    A front of cost against effect should reach down to the cheap portfolios. Drawn uniformly, a portfolio of
    15 levers has every lever on at some level, so a short search started there never saw what one or two
    levers achieve alone (its front began at US$11 billion); with each lever off half the time the start
    spans cheap to dear, and the portfolio of nothing anchors the front at no cost.
    """

    def _do(self, problem, n_samples, *args, random_state=None, **kwargs):
        low, high = problem.bounds()
        on = random_state.random((n_samples, problem.n_var)) < 0.5
        none = ~on.any(axis=1)  # the portfolio of nothing comes once, first: here one lever goes on instead
        on[np.flatnonzero(none), random_state.integers(problem.n_var, size=int(none.sum()))] = True
        X = np.where(on, low + (high - low) * random_state.random((n_samples, problem.n_var)), low)
        X[0] = low
        return X


class _Portfolios(Problem):
    """pymoo's view of the search: a batch of decision vectors in, signed objectives out, through the store."""

    def __init__(
        self,
        names: list[str],
        low: np.ndarray,
        high: np.ndarray,
        whole: np.ndarray,
        evaluate: Evaluate,
        objectives: Mapping[str, str],
        store: _Store | None,
    ) -> None:
        # an integer lever searches [low, high + 1) and takes the floor: every whole value gets an equal share
        super().__init__(n_var=len(names), n_obj=len(objectives), xl=low, xu=np.where(whole, high + 1, high))
        self.whole, self.high = whole, high
        self.names, self.outcomes_of, self.objectives, self.store = names, evaluate, dict(objectives), store
        self.known: dict[str, dict] = store.read() if store else {}
        self.asked: dict[str, dict] = {}  # this search's portfolios, in the order first asked
        self.evaluations = 0
        self.generation = 1

    def _evaluate(self, x: np.ndarray, out: dict, *args: object, **kwargs: object) -> None:
        x = np.where(self.whole, np.minimum(np.floor(x), self.high), x)
        keys = [_key(row) for row in x]
        new = {key: row for key, row in zip(keys, x, strict=True) if key not in self.known}
        if new:
            self._evaluate_new(list(new), np.array(list(new.values())))
        for key in keys:
            self.asked.setdefault(key, {**self.known[key], "generation": self.generation})
        out["F"] = np.array(
            [[self.known[key][name] * DIRECTIONS[d] for name, d in self.objectives.items()] for key in keys]
        )

    def _evaluate_new(self, keys: list[str], vectors: np.ndarray) -> None:
        portfolios = pd.DataFrame(vectors, columns=self.names)
        results = pd.DataFrame(self.outcomes_of(portfolios.copy()))
        if len(results) != len(portfolios):
            raise ValueError(f"evaluate must return one row per portfolio: {len(portfolios)} gave {len(results)}")
        if missing := [name for name in self.objectives if name not in results.columns]:
            raise ValueError(
                f"unknown objective {', '.join(map(repr, missing))}: evaluate returns {', '.join(results.columns)}"
            )
        values = results[list(self.objectives)].to_numpy(float)
        if not np.isfinite(values).all():
            row = int(np.flatnonzero(~np.isfinite(values).all(axis=1))[0])
            raise ValueError(f"evaluate returned a non-finite objective for {portfolios.iloc[row].to_dict()}")
        rows = [
            {"key": key, **portfolio, **outcome}
            for key, portfolio, outcome in zip(
                keys, portfolios.to_dict("records"), results.reset_index(drop=True).to_dict("records"), strict=True
            )
        ]
        if self.store:
            self.store.add(rows)
        self.known.update({row["key"]: row for row in rows})
        self.evaluations += len(rows)


class _Progress(Callback):
    """After each generation: tell the caller, and number the next generation's portfolios."""

    def __init__(self, total: int, report: Callable[[int, int], None] | None, problem: _Portfolios) -> None:
        super().__init__()
        self.total, self.report, self.problem = total, report, problem

    def notify(self, algorithm: NSGA2) -> None:
        self.problem.generation = algorithm.n_gen + 1
        if self.report:
            self.report(algorithm.n_gen, self.total)
