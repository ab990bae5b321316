"""How far simulated moments are from the targets: a weighted sum of mean squared log ratios.

Log ratios make a department at 1.4% as important as one at 15% and an apprehension count comparable
with a share. ``departments`` and ``years`` restrict the distance to part of the data, so validation
can fit on some departments or years and predict the others.
"""

from __future__ import annotations

import numpy as np

from sim.calibration.targets import APPREHENSION_YEARS, Targets

FLOOR = 1e-4  # a department with no simulated emigrant household at a small scale counts as 0.01%


def _log_ratio(simulated: np.ndarray, observed: np.ndarray) -> np.ndarray:
    return np.log(np.maximum(simulated, FLOOR)) - np.log(observed)


def parts(
    moments: dict[str, list[float]],
    targets: Targets,
    departments: np.ndarray | None = None,
    years: np.ndarray | None = None,
) -> dict[str, float]:
    """Each target's unweighted mean squared log ratio; ``departments``/``years``: boolean masks kept."""
    keep = np.ones(len(targets.households), bool) if departments is None else np.asarray(departments)
    kept_years = np.ones(len(APPREHENSION_YEARS), bool) if years is None else np.asarray(years)
    share = np.asarray(moments["emigrant_share"])
    households = targets.households[keep]
    national_sim = share[keep] @ households / households.sum()
    national_obs = targets.emigrant_share[keep] @ households / households.sum()
    found = {
        "census_departments": float(np.mean(_log_ratio(share[keep], targets.emigrant_share[keep]) ** 2)),
        "census_national": float(_log_ratio(np.array(national_sim), np.array(national_obs)) ** 2),
        "intention": float(_log_ratio(np.array(moments["aspiring_share"][0]), np.array(targets.intention)) ** 2),
    }
    if "apprehensions" in moments:
        sim_series = np.asarray(moments["apprehensions"])[kept_years]
        found["apprehensions"] = float(np.mean(_log_ratio(sim_series, targets.apprehensions[kept_years]) ** 2))
    if "apprehension_groups" in moments:
        simulated = np.asarray(moments["apprehension_groups"])  # group x year: shares of the encounters
        ratios = [
            _log_ratio(simulated[g][kept_years], observed[kept_years])
            for g, observed in enumerate(targets.group_shares.values())
        ]
        squares = np.concatenate(ratios) ** 2
        found["apprehension_groups"] = float(np.nanmean(squares)) if np.isfinite(squares).any() else 0.0
    return found


def distance(
    moments: dict[str, list[float]],
    targets: Targets,
    departments: np.ndarray | None = None,
    years: np.ndarray | None = None,
) -> float:
    """The weighted sum of :func:`parts` (the weights and their reasons are in ``targets.yaml``)."""
    return sum(targets.weights[name] * value for name, value in parts(moments, targets, departments, years).items())
