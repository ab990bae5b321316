"""Scenario discovery with PRIM: the plausible worlds in which a conclusion fails.

Given sampled uncertain inputs (one row per world, one column per uncertainty) and a boolean "case of
interest" per world (e.g. "the package fails to avert journeys"), PRIM, the Patient Rule Induction Method of
Friedman and Fisher (1999, "Bump hunting in high-dimensional data", Statistics and Computing 9:123-143),
finds boxes (a range per input) where cases of interest are dense, and says so in a sentence a reader can
check: "fails to avert journeys in worlds where a < 0.2 and b > 0.6 (coverage 81%, density 92%)". Coverage is
the share of all cases of interest that fall in the box; density the share of the box's worlds that are cases.

Why our own implementation rather than a package: the ``prim`` package (1.0.0) works with numpy 2 and pandas 3 but
is GPL-3 (migsim is MIT), and EMA Workbench's PRIM (BSD, 3.0.0) pulls in scikit-learn, statsmodels and
seaborn and takes seconds to import. This follows both: peel, choose a box on the peeling trajectory, paste,
then cover (Friedman and Fisher's sections 4-6), lifting restrictions the data do not support by their
quasi-p-values (Bryant and Lempert 2010). The tests check it finds a planted box and, when EMA Workbench is installed (``pip install
migsim[ema]``), agrees with EMA Workbench's box.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import binom


@dataclass(frozen=True)
class Box:
    """A region of the inputs: ``limits`` maps each restricted input to (low, high), -inf/inf when one-sided.

    ``coverage`` is the share of all cases of interest inside it, ``density`` the share of its worlds that are
    cases, ``mass`` the share of all worlds inside it.
    """

    limits: dict[str, tuple[float, float]]
    coverage: float
    density: float
    mass: float

    def contains(self, X: pd.DataFrame) -> np.ndarray:
        """Which rows of ``X`` fall in the box (limits inclusive)."""
        inside = np.ones(len(X), dtype=bool)
        for name, (low, high) in self.limits.items():
            values = X[name].to_numpy(dtype=float)
            inside &= (values >= low) & (values <= high)
        return inside

    def conditions(self) -> str:
        """The limits as words: ``a < 0.2 and b > 0.6``, ``0.1 < c < 0.4``."""
        parts = []
        for name, (low, high) in self.limits.items():
            if math.isfinite(low) and math.isfinite(high):
                parts.append(f"{low:.3g} < {name} < {high:.3g}")
            elif math.isfinite(high):
                parts.append(f"{name} < {high:.3g}")
            else:
                parts.append(f"{name} > {low:.3g}")
        return " and ".join(parts)

    def describe(self, case: str) -> str:
        """One sentence: ``{case} in worlds where ... (coverage 81%, density 92%)``."""
        where = f"worlds where {self.conditions()}" if self.limits else "all worlds"
        return f"{case} in {where} (coverage {self.coverage:.0%}, density {self.density:.0%})"


@dataclass(frozen=True)
class Discovery:
    """PRIM's answer: the boxes found (best first), the base rate, and the first box's peeling trajectory.

    ``trajectory`` has one row per step (coverage, density, mass, restricted dimensions) so a reader can see
    what a denser or a wider box would have cost.
    """

    boxes: tuple[Box, ...]
    base_rate: float
    trajectory: pd.DataFrame

    def describe(self, case: str) -> str:
        """All boxes in one paragraph, or a sentence saying no region concentrates the cases."""
        if not self.boxes:
            return f"{case} in {self.base_rate:.0%} of worlds, in no region of the inputs in particular"
        return "; or ".join(
            box.describe(case) if i == 0 else box.describe(case).removeprefix(f"{case} ")
            for i, box in enumerate(self.boxes)
        )


def discover(
    X: pd.DataFrame,
    y: np.ndarray | pd.Series,
    *,
    threshold: float = 0.8,
    peel_alpha: float | None = None,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
    max_boxes: int = 3,
    significance: float = 0.05,
) -> Discovery:
    """Find up to ``max_boxes`` boxes of density at least ``threshold`` where ``y`` is True.

    ``peel_alpha`` is the share of a box's worlds each peel removes: by default 5% (Friedman and Fisher's and
    EMA Workbench's), or enough for the first peel to remove 30 worlds when there are fewer than 600 (at most
    20%): a peel of a few worlds that are all not cases is as likely on an input that does not matter as on one
    that does, and the box then follows noise (a box planted among 56 inputs was found in 0 of 10 samples of
    200 worlds with 5% peels, in 8 with 15%). ``paste_alpha`` is the share each paste adds back, ``mass_min``
    the smallest share of all worlds a box may hold, ``significance`` the quasi-p-value above which a
    restriction is lifted (1 keeps every restriction; see :func:`_prune`).

    Every box on the peeling trajectory is pruned of unsupported restrictions, and the one with the best
    balance of coverage and density (their harmonic mean) among those at least ``threshold`` dense is pasted
    and pruned again. Choosing on the trajectory, not taking its last box, matters with many inputs and few
    worlds: late peels there remove a handful of worlds each and fit noise. Each box after the first is sought
    among the worlds outside the boxes before it (covering); the search stops when no box reaches ``threshold``.
    """
    peel_alpha = min(0.2, max(0.05, 30 / max(len(X), 1))) if peel_alpha is None else peel_alpha
    values, cases = _checked(X, y, threshold, peel_alpha, paste_alpha, mass_min, max_boxes, significance)
    names = list(X.columns)
    total_cases = cases.sum()
    remaining = np.ones(len(cases), dtype=bool)
    boxes: list[Box] = []
    trajectory = pd.DataFrame()
    while len(boxes) < max_boxes and total_cases and cases[remaining].any():
        steps = _peel(values, cases, remaining, peel_alpha, mass_min)
        if not boxes:
            trajectory = pd.DataFrame([_stats(values, cases, remaining, *step) for step in steps])
        chosen = _choose(values, cases, remaining, steps, threshold, significance)
        if chosen is None:
            break
        lows, highs = _paste(values, cases, remaining, *chosen, paste_alpha)
        lows, highs = _prune(values, cases, remaining, lows, highs, significance)
        inside = remaining & _inside(values, lows, highs)
        limits = {
            names[j]: (float(lows[j]), float(highs[j]))
            for j in range(len(names))
            if math.isfinite(lows[j]) or math.isfinite(highs[j])
        }
        boxes.append(
            Box(
                limits,
                coverage=float(cases[inside].sum() / total_cases),
                density=float(cases[inside].mean()),
                mass=float(inside.mean()),
            )
        )
        remaining &= ~inside
    return Discovery(tuple(boxes), float(cases.mean()), trajectory)


def _choose(
    values: np.ndarray,
    cases: np.ndarray,
    remaining: np.ndarray,
    steps: list[tuple[np.ndarray, np.ndarray]],
    threshold: float,
    significance: float,
) -> tuple[np.ndarray, np.ndarray] | None:
    """The pruned trajectory box with the best harmonic mean of coverage and density, at least ``threshold`` dense."""
    best: tuple[float, tuple[np.ndarray, np.ndarray]] | None = None
    for lows, highs in steps:
        pruned = _prune(values, cases, remaining, lows, highs, significance)
        inside = remaining & _inside(values, *pruned)
        if not inside.any():
            continue
        density, coverage = cases[inside].mean(), cases[inside].sum() / cases[remaining].sum()
        if density >= threshold:
            balance = 2 * density * coverage / (density + coverage)
            if best is None or balance > best[0]:
                best = (balance, pruned)
    return None if best is None else best[1]


def _checked(X: pd.DataFrame, y: np.ndarray | pd.Series, *settings: float) -> tuple[np.ndarray, np.ndarray]:
    """X as a float matrix and y as booleans, or a ValueError saying which input or setting is wrong."""
    threshold, peel_alpha, paste_alpha, mass_min, max_boxes, significance = settings
    for name, share in (("threshold", threshold), ("significance", significance)):
        if not 0 < share <= 1:
            raise ValueError(f"{name} must be in (0, 1], not {share}")
    for name, alpha in (("peel_alpha", peel_alpha), ("paste_alpha", paste_alpha), ("mass_min", mass_min)):
        if not 0 < alpha < 1:
            raise ValueError(f"{name} must be a share in (0, 1), not {alpha}")
    if max_boxes < 1:
        raise ValueError(f"max_boxes must be at least 1, not {max_boxes}")
    if X.shape[1] == 0 or len(X) == 0:
        raise ValueError(f"X needs at least one row and one column, not {X.shape}")
    wrong = [str(c) for c in X.columns if not pd.api.types.is_numeric_dtype(X[c]) or X[c].isna().any()]
    if wrong:
        raise ValueError(f"PRIM needs numbers without gaps in every column of X: {', '.join(wrong)} are not")
    cases = np.asarray(y)
    if cases.shape != (len(X),) or not np.isin(cases, [0, 1]).all():
        raise ValueError(f"y must be {len(X)} booleans, one per row of X (got shape {cases.shape})")
    return X.to_numpy(dtype=float), cases.astype(bool)


def _inside(values: np.ndarray, lows: np.ndarray, highs: np.ndarray) -> np.ndarray:
    return ((values >= lows) & (values <= highs)).all(axis=1)


def _peel(
    values: np.ndarray, cases: np.ndarray, remaining: np.ndarray, alpha: float, mass_min: float
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shrink the box one face at a time, removing ``alpha`` of its worlds each time.

    Each step tries every input's lower and upper face and keeps the peel that raises the density most per
    world removed (Friedman and Fisher's largest mean when all peels remove the same number; fairer when ties
    in an input make one peel remove more); of equal peels, one on an input already restricted (as EMA
    Workbench does: a box on few inputs reads better, and with few worlds many peels tie by chance). Goes on,
    as Friedman and Fisher do, until a peel would leave less than ``mass_min`` of all worlds, even through
    steps that do not raise the density (EMA Workbench stops there, which with few worlds stops it early).
    Returns every box on the way (lower and upper limits), the first unbounded.
    """
    n, dims = values.shape
    lows, highs = np.full(dims, -np.inf), np.full(dims, np.inf)
    inside = remaining.copy()
    steps = [(lows.copy(), highs.copy())]
    while True:
        density, count = cases[inside].mean(), inside.sum()
        best: tuple[tuple[float, bool], int, bool, float, np.ndarray] | None = None
        restricted = np.isfinite(lows) | np.isfinite(highs)
        ranked = np.sort(values[inside], axis=0)  # the alpha and 1 - alpha quantiles, as data values
        lowest, highest = ranked[math.floor(alpha * (count - 1))], ranked[math.ceil((1 - alpha) * (count - 1))]
        for j in range(dims):
            for upper in (False, True):
                edge = highest[j] if upper else lowest[j]
                kept = inside & ((values[:, j] <= edge) if upper else (values[:, j] >= edge))
                removed = count - kept.sum()
                if removed == 0 or kept.sum() < mass_min * n:
                    continue
                score = ((cases[kept].mean() - density) / removed, bool(restricted[j]))
                if best is None or score > best[0]:
                    best = (score, j, upper, edge, kept)
        if best is None:
            return steps
        _, j, upper, edge, inside = best
        if upper:
            highs[j] = edge
        else:
            lows[j] = edge
        steps.append((lows.copy(), highs.copy()))


def _paste(
    values: np.ndarray,
    cases: np.ndarray,
    remaining: np.ndarray,
    lows: np.ndarray,
    highs: np.ndarray,
    alpha: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Widen the peeled box one face at a time, adding ``alpha`` of its worlds, while the density does not fall.

    Peeling is greedy: an early peel may have cut too deep. Each step tries every restricted face, moving it
    outwards past the nearest worlds just outside (within the other faces' limits), and keeps the paste that
    raises the density most. Friedman and Fisher paste while the density rises; pasting also when it stays
    the same lets a box of density 100% take in the cases just beyond its faces. A face with no more than a
    paste's worth of worlds beyond it is lifted entirely.
    """
    lows, highs = lows.copy(), highs.copy()
    while True:
        inside = remaining & _inside(values, lows, highs)
        density, count = cases[inside].mean(), inside.sum()
        step = max(1, math.ceil(alpha * count))
        best: tuple[float, int, bool, float] | None = None
        for j in np.flatnonzero(np.isfinite(lows) | np.isfinite(highs)):
            for upper in (False, True):
                face = highs[j] if upper else lows[j]
                if not math.isfinite(face):
                    continue
                others_low, others_high = lows.copy(), highs.copy()
                others_low[j], others_high[j] = -np.inf, np.inf
                slab = remaining & _inside(values, others_low, others_high) & ~inside
                beyond = np.sort(values[slab, j][(values[slab, j] > face) if upper else (values[slab, j] < face)])
                if not beyond.size:
                    continue
                edge = beyond[min(step, beyond.size) - 1] if upper else beyond[::-1][min(step, beyond.size) - 1]
                if beyond.size <= step:
                    edge = np.inf if upper else -np.inf
                trial_low, trial_high = lows.copy(), highs.copy()
                (trial_high if upper else trial_low)[j] = edge
                trial = remaining & _inside(values, trial_low, trial_high)
                gain = cases[trial].mean() - density
                if best is None or gain > best[0]:
                    best = (gain, j, upper, edge)
        if best is None or best[0] < 0:
            return lows, highs
        _, j, upper, edge = best
        (highs if upper else lows)[j] = edge


def _prune(
    values: np.ndarray,
    cases: np.ndarray,
    remaining: np.ndarray,
    lows: np.ndarray,
    highs: np.ndarray,
    significance: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Lift, one face at a time, the restrictions the data do not support, least supported first.

    Peeling on noisy cases also trims inputs that do not matter (``x4 > 0.04``), which clutters the sentence.
    A restriction's quasi-p-value (Bryant and Lempert 2010, "Thinking inside the box", Technological
    Forecasting and Social Change 77:34-49; EMA Workbench reports the same) is the chance of as many cases in
    the box if its worlds had the density of the box without that restriction: a one-sided binomial test.
    """
    lows, highs = lows.copy(), highs.copy()
    while True:
        faces = [(lows, j, (values[:, j] < lows[j]).astype(int)) for j in np.flatnonzero(np.isfinite(lows))]
        faces += [(highs, j, (values[:, j] > highs[j]).astype(int)) for j in np.flatnonzero(np.isfinite(highs))]
        if not faces:
            return lows, highs
        failed = sum(outside for _, _, outside in faces)  # how many faces each world is beyond
        inside = remaining & (failed == 0)
        count, hits = inside.sum(), cases[inside].sum()
        wider = [cases[remaining & (failed - outside == 0)].mean() for _, _, outside in faces]
        p_values = binom.sf(hits - 1, count, wider)
        worst = int(np.argmax(p_values))
        if p_values[worst] <= significance:
            return lows, highs
        limits, j, _ = faces[worst]
        limits[j] = -np.inf if limits is lows else np.inf


def _stats(values: np.ndarray, cases: np.ndarray, remaining: np.ndarray, lows: np.ndarray, highs: np.ndarray) -> dict:
    inside = remaining & _inside(values, lows, highs)
    return {
        "coverage": cases[inside].sum() / cases.sum(),
        "density": cases[inside].mean() if inside.any() else 0.0,
        "mass": inside.mean(),
        "restricted": int((np.isfinite(lows) | np.isfinite(highs)).sum()),
    }
