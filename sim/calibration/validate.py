"""Validation: refit on part of the data, predict the rest, and compare with naive forecasts; sensitivity.

* **Held-out departments**: the 22 departments in four folds (stratified by their census share); for
  each fold the fit sees only the other departments, then predicts the fold's shares. The held-out
  departments' census counts are hidden from the model too: their households start with kin abroad at
  the other departments' rate instead of their own. Naive forecast:
  every held-out department at the national rate of the departments the fit saw.
* **Held-out years**: the backcast (:mod:`sim.calibration.backcast`) fits to FY2017 and predicts
  FY2018-FY2024 against two naive forecasts.
* **Sensitivity**: Sobol' indices (``scipy.stats.sobol_indices``) of projected 2030 irregular
  departures to the free parameters (over their posterior's 5-95% range) and to four levers of the
  agreement (from off to twice the shipped scenario's intensity).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.stats import sobol_indices, spearmanr, uniform

from sim.calibration.fit import FitSettings, estimate
from sim.calibration.free import FREE
from sim.calibration.journal import Journal
from sim.calibration.moments import BASELINE
from sim.calibration.targets import Targets
from sim.scenario import load_scenario

FOLDS = 4
# lever: the setting varied, from off to twice the shipped scenario's (scenarios/<lever>.yaml), others as shipped
LEVERS = {
    "job_programs": "jobs_per_year",
    "legal_pathways": "visas_per_year",
    "border_enforcement": "cost_usd_per_year",
    "public_awareness": "people_reached_per_year",
}


def folds(targets: Targets) -> np.ndarray:
    """Fold number of each department: ranked by observed share, dealt round-robin so every fold spans the range."""
    fold = np.empty(len(targets.emigrant_share), int)
    fold[np.argsort(targets.emigrant_share, kind="stable")] = np.arange(len(fold)) % FOLDS
    return fold


def ard(predicted: np.ndarray, observed: np.ndarray) -> float:
    """Average relative difference |predicted - observed| / observed."""
    return float(np.mean(np.abs(np.asarray(predicted) - observed) / observed))


def holdout(
    journal: Journal,
    targets: Targets,
    settings: FitSettings,
    names: list[str],
    progress: Callable[[int], None] | None = None,
) -> list[dict]:
    """Refit without each fold of departments and predict it: rows of department, fold, observed, model, naive."""
    fold = folds(targets)
    rows = []
    for k in range(FOLDS):
        seen = fold != k
        best = estimate(journal, targets, settings, departments=seen, progress=progress).x
        hidden = tuple(int(i) for i in np.flatnonzero(~seen))
        predicted = np.asarray(journal.evaluate([best], hidden=hidden)[0]["emigrant_share"])
        national = targets.emigrant_share[seen] @ targets.households[seen] / targets.households[seen].sum()
        for i in np.flatnonzero(~seen):
            rows.append(
                {
                    "department": names[i],
                    "fold": k + 1,
                    "observed": float(targets.emigrant_share[i]),
                    "model": float(predicted[i]),
                    "naive": float(national),
                }
            )
    return sorted(rows, key=lambda r: names.index(r["department"]))


def scores(rows: list[dict]) -> dict[str, float]:
    """Spearman rank correlation and average relative difference of the model and of the naive forecast."""
    observed = np.array([r["observed"] for r in rows])
    found = {}
    for who in ("model", "naive"):
        predicted = np.array([r[who] for r in rows])
        rho = spearmanr(predicted, observed).statistic if np.ptp(predicted) > 0 else float("nan")
        found[who] = {"spearman": float(rho), "ard": ard(predicted, observed)}
    return found


def sensitivity(
    journal: Journal,
    particles: np.ndarray,
    n: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
) -> list[dict]:
    """First-order and total Sobol' indices of 2030 irregular departures (``journal`` must end in 2030)."""
    low, high = np.percentile(particles, 5, axis=0), np.percentile(particles, 95, axis=0)
    high = np.maximum(high, low + 1e-9)
    lever_names = list(LEVERS)
    shipped = {name: load_scenario(BASELINE.parent / f"{name}.yaml").resolved()["levers"][name] for name in LEVERS}
    lever_low = np.zeros(len(lever_names))  # every setting varied does nothing at 0
    lever_high = 2 * np.array([shipped[name][LEVERS[name]] for name in lever_names], dtype=float)
    lows, highs = np.concatenate([low, lever_low]), np.concatenate([high, lever_high])

    def split(vector):
        vector = np.asarray(vector)
        levers = {
            name: {**shipped[name], LEVERS[name]: float(value)}
            for name, value in zip(lever_names, vector[len(FREE) :], strict=True)
        }
        return vector[: len(FREE)], levers

    def outflow(x: np.ndarray) -> np.ndarray:
        moments = journal.evaluate(list(x.T), label="sensitivity", levers=split, progress=progress)
        return np.array([[m["outflow"][0] for m in moments]])

    dists = [uniform(loc=a, scale=b - a) for a, b in zip(lows, highs, strict=True)]
    result = sobol_indices(func=outflow, n=n, dists=dists, rng=np.random.default_rng(seed))
    first, total = np.ravel(result.first_order), np.ravel(result.total_order)
    labels = [p.key for p in FREE] + [f"lever {name}.{LEVERS[name]}" for name in lever_names]
    return [
        {"factor": label, "first_order": float(s1), "total": float(st), "low": float(a), "high": float(b)}
        for label, s1, st, a, b in zip(labels, first, total, lows, highs, strict=True)
    ]


def sensitivity_evaluations(n: int) -> int:
    return n * (len(FREE) + len(LEVERS) + 2)
