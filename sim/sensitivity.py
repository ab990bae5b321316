"""Global sensitivity: which uncertain numbers an outcome hinges on, screened cheaply, then measured.

With dozens of uncertain inputs, Sobol' indices on all of them cost too many runs. So, as Saltelli et al.
(2008, "Global Sensitivity Analysis: The Primer", ch. 3-4) advise: Morris's elementary effects screen every
input in ``trajectories * (inputs + 1)`` runs (Morris 1991; mu* of Campolongo, Cariboni and Saltelli 2007
ranks them, sigma flags interactions and non-linearity), then Sobol' first-order and total indices (Saltelli
2002 design, Saltelli et al. 2010 estimators, as SALib has them) measure the ``top`` inputs, the others fixed
at their defaults, in ``samples * (top + 2)`` runs. SALib does the sampling and the estimation; this module
chooses the designs, seeds them, checks what comes back and names the results.

Inputs are named, with bounds (``{name: (low, high)}``); the outcome comes from ``evaluate``, called with one
batch: a DataFrame with one column per input and one row per run, returning one number per row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analysis
from SALib.analyze import sobol as sobol_analysis
from SALib.sample import morris as morris_sampling
from SALib.sample import sobol as sobol_sampling

Bounds = Mapping[str, tuple[float, float]]
Evaluate = Callable[[pd.DataFrame], "np.ndarray | pd.Series | list[float]"]


@dataclass(frozen=True)
class Sensitivity:
    """Both stages' tables: ``screening`` for every input (Morris), ``indices`` for the top ones (Sobol').

    ``screening`` has columns name, mu_star, mu_star_conf, sigma, sorted by mu_star (largest first);
    ``indices`` has columns name, S1, S1_conf, ST, ST_conf, sorted by ST. ``runs`` counts the evaluations.
    """

    screening: pd.DataFrame
    indices: pd.DataFrame
    runs: int

    def describe(self, outcome: str, shown: int = 3) -> str:
        """One line: ``journeys averted: most sensitive to a (total index 0.45), b (0.20) and c (0.05)``."""
        top = self.indices.head(shown)
        parts = [f"{name} ({st:.2f})" for name, st in zip(top.name, top.ST, strict=True)]
        parts[0] = parts[0].replace("(", "(total index ", 1)
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return f"{outcome}: most sensitive to {listed}"


def morris(
    bounds: Bounds, evaluate: Evaluate, *, trajectories: int = 20, levels: int = 4, seed: int = 0
) -> pd.DataFrame:
    """Morris elementary effects of every input: mu* (mean absolute effect), its confidence, and sigma.

    ``trajectories`` one-at-a-time paths through a grid of ``levels`` levels per input; an input that does not
    enter the outcome has mu* = sigma = 0. Returns the table sorted by mu*, largest first.
    """
    problem = _problem(bounds)
    if trajectories < 2:
        raise ValueError(f"Morris screening needs at least 2 trajectories, not {trajectories}")
    if levels < 2 or levels % 2:
        raise ValueError(f"Morris levels must be an even number of at least 2, not {levels}")
    X = morris_sampling.sample(problem, trajectories, num_levels=levels, seed=seed)
    y = _evaluated(evaluate, X, problem["names"])
    found = morris_analysis.analyze(problem, X, y, num_levels=levels, seed=seed)
    table = pd.DataFrame({key: found[key] for key in ("names", "mu_star", "mu_star_conf", "sigma")})
    return _sorted(table.rename(columns={"names": "name"}), "mu_star")


def sobol(
    bounds: Bounds,
    evaluate: Evaluate,
    *,
    samples: int = 512,
    seed: int = 0,
    fixed: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Sobol' first-order (S1) and total (ST) indices of every input in ``bounds``, with 95% confidence.

    ``samples`` (a power of 2: Sobol' sequences lose their balance otherwise) base points of a scrambled
    Saltelli design, ``samples * (inputs + 2)`` runs. ``fixed`` inputs are passed to ``evaluate`` at these
    values and get no index. Returns the table sorted by ST, largest first.
    """
    problem = _problem(bounds)
    if samples < 2 or samples & (samples - 1):
        raise ValueError(f"Sobol' samples must be a power of 2 (at least 2), not {samples}")
    fixed = dict(fixed or {})
    if both := sorted(set(fixed) & set(bounds)):
        raise ValueError(f"inputs both varied and fixed: {', '.join(both)}")
    X = sobol_sampling.sample(problem, samples, calc_second_order=False, seed=seed)
    y = _evaluated(evaluate, X, problem["names"], fixed)
    found = sobol_analysis.analyze(problem, y, calc_second_order=False, seed=seed)
    table = pd.DataFrame({"name": problem["names"], **{key: found[key] for key in ("S1", "S1_conf", "ST", "ST_conf")}})
    return _sorted(table, "ST")


def analyse(
    bounds: Bounds,
    evaluate: Evaluate,
    *,
    defaults: Mapping[str, float] | None = None,
    top: int = 5,
    trajectories: int = 20,
    samples: int = 256,
    seed: int = 0,
) -> Sensitivity:
    """Screen every input with Morris, then measure the ``top`` by mu* with Sobol', the rest at ``defaults``.

    ``defaults`` (one value per input; the middle of its range when not given) are where the screened-out
    inputs stay during the Sobol' stage. The same ``seed`` gives the same tables.
    """
    _problem(bounds)
    if top < 1:
        raise ValueError(f"top must be at least 1, not {top}")
    defaults = dict(defaults or {})
    if unknown := sorted(set(defaults) - set(bounds)):
        raise ValueError(f"defaults for inputs without bounds: {', '.join(unknown)}")
    if outside := [n for n, v in defaults.items() if not bounds[n][0] <= v <= bounds[n][1]]:
        raise ValueError(f"defaults outside their bounds: {', '.join(outside)}")
    screening = morris(bounds, evaluate, trajectories=trajectories, seed=seed)
    kept = list(screening.name[:top])
    rest = {name: defaults.get(name, (low + high) / 2) for name, (low, high) in bounds.items() if name not in kept}
    indices = sobol({name: bounds[name] for name in kept}, evaluate, samples=samples, seed=seed, fixed=rest)
    runs = trajectories * (len(bounds) + 1) + samples * (len(kept) + 2)
    return Sensitivity(screening, indices, runs)


def _problem(bounds: Bounds) -> dict:
    """SALib's problem dictionary, or a ValueError naming the input whose bounds are wrong."""
    if not bounds:
        raise ValueError("no inputs: give bounds as {name: (low, high)}")
    for name, limits in bounds.items():
        if len(limits) != 2 or not np.all(np.isfinite(limits)) or not limits[0] < limits[1]:
            raise ValueError(f"input {name!r}: bounds must be two finite numbers with low < high, not {limits}")
    return {
        "num_vars": len(bounds),
        "names": list(bounds),
        "bounds": [[float(low), float(high)] for low, high in bounds.values()],
    }


def _evaluated(
    evaluate: Evaluate, X: np.ndarray, names: list[str], fixed: Mapping[str, float] | None = None
) -> np.ndarray:
    """Call ``evaluate`` on the whole design at once and check it returned one finite number per row."""
    batch = pd.DataFrame(X, columns=names).assign(**(fixed or {}))
    y = np.asarray(evaluate(batch), dtype=float)
    if y.shape != (len(X),):
        raise ValueError(f"evaluate must return one number per row: {len(X)} rows gave shape {y.shape}")
    if not np.isfinite(y).all():
        bad = np.flatnonzero(~np.isfinite(y))
        raise ValueError(f"evaluate returned {bad.size} non-finite outcomes (first at row {bad[0]}: {y[bad[0]]})")
    return y


def _sorted(table: pd.DataFrame, by: str) -> pd.DataFrame:
    return table.sort_values(by, ascending=False, kind="stable").reset_index(drop=True)
