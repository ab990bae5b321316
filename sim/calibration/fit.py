"""The fit: differential evolution for the best vector, adaptive ABC population Monte Carlo for the posterior.

* **Point estimate**: method of simulated moments, ``scipy.optimize.differential_evolution`` over the
  free parameters' bounds, every vector simulated with the same seeds (common random numbers), so two
  vectors differ by their parameters and not by luck. Evaluations run on worker processes.
* **Posterior**: adaptive population Monte Carlo ABC (Lenormand, Jabot & Deffuant 2013): a scrambled
  Sobol' sample of the uniform prior, then generations that keep the closer half of the particles and
  draw the rest again from a Gaussian kernel around them (importance weights prior / proposal), until
  few new draws beat the current tolerance. Projections draw parameter vectors from the result.

Both are deterministic given their seed and the simulator, which is what lets an interrupted fit
resume from the journal: it replays the same vectors and finds them already simulated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy.optimize import OptimizeResult, differential_evolution
from scipy.stats import qmc

from sim.calibration.distance import distance
from sim.calibration.free import FREE, HIGH, LOW, from_unit, to_unit
from sim.calibration.journal import Journal
from sim.calibration.targets import Targets


@dataclass(frozen=True)
class FitSettings:
    """How hard to search; the defaults run in minutes at a reduced scale on two cores."""

    popsize: int = 6  # differential evolution: population = popsize x free parameters
    maxiter: int = 12  # differential evolution generations
    particles: int = 256  # ABC: particles per generation (the first are a Sobol' sample of the prior)
    generations: int = 12  # ABC: at most this many generations after the first
    min_acceptance: float = 0.05  # ABC: stop when fewer new draws than this share beat the tolerance
    draws: int = 100  # posterior draws written for projections
    seed: int = 20250101


@dataclass
class Fit:
    """The calibration's result: the best vector with scipy's verdict on its search, and the posterior."""

    best: np.ndarray
    best_distance: float
    particles: np.ndarray
    weights: np.ndarray
    particle_distances: np.ndarray
    draws: np.ndarray
    tolerances: list[float] = field(default_factory=list)
    acceptance: list[float] = field(default_factory=list)
    settings: FitSettings = field(default_factory=FitSettings)
    # differential evolution's own result: whether it converged, why it stopped, how many distances it computed
    success: bool = False
    message: str = ""
    nfev: int = 0

    def summary(self) -> dict:
        return {
            "best": dict(zip([p.key for p in FREE], self.best.tolist(), strict=True)),
            "best_distance": self.best_distance,
            "success": self.success,
            "message": self.message,
            "nfev": self.nfev,
            "posterior_mean": dict(zip([p.key for p in FREE], (self.weights @ self.particles).tolist(), strict=True)),
            "abc_tolerances": self.tolerances,
            "abc_acceptance": self.acceptance,
            "settings": asdict(self.settings),
        }


def estimate(
    journal: Journal,
    targets: Targets,
    settings: FitSettings,
    departments: np.ndarray | None = None,
    years: np.ndarray | None = None,
    progress: Callable[[int], None] | None = None,
    bounds: tuple[np.ndarray, np.ndarray] = (LOW, HIGH),
) -> OptimizeResult:
    """Differential evolution on the distance (restricted to ``departments``/``years`` when given): scipy's result.

    ``x`` is the best vector, ``fun`` its distance; ``success``, ``message`` and ``nfev`` say how the search
    ended (with the budgets here it runs every generation, so it stops at ``maxiter``, not by converging).
    Departments left out of ``departments`` are held out entirely: their census emigration is hidden
    from the simulation too (see :func:`sim.calibration.moments.simulate`).
    """
    hidden = () if departments is None else tuple(int(i) for i in np.flatnonzero(~np.asarray(departments)))

    def objective(theta: np.ndarray) -> float:
        return distance(journal.evaluate([theta], hidden=hidden)[0], targets, departments, years)

    def parallel_map(func, thetas):
        thetas = list(thetas)
        journal.evaluate(thetas, progress=progress, hidden=hidden)  # simulate on the workers, then look up
        return [func(theta) for theta in thetas]

    return differential_evolution(
        objective,
        bounds=list(zip(*bounds, strict=True)),
        popsize=settings.popsize,
        maxiter=settings.maxiter,
        seed=settings.seed,
        workers=parallel_map,
        updating="deferred",
        polish=False,
        tol=0.0,  # run every generation: the budget is what makes the fit take minutes
    )


def posterior(
    journal: Journal,
    targets: Targets,
    settings: FitSettings,
    progress: Callable[[int], None] | None = None,
    years: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[float], list[float]]:
    """Adaptive ABC population Monte Carlo: (particles, weights, distances, tolerances, acceptance rates).

    ``years`` (a mask of the apprehension years) restricts the distance, as in :func:`estimate`.
    """
    rng = np.random.default_rng(settings.seed)
    d = len(FREE)
    n = settings.particles
    keep = n // 2

    def distances(thetas: np.ndarray) -> np.ndarray:
        moments = journal.evaluate(list(thetas), progress=progress)
        return np.array([distance(m, targets, years=years) for m in moments])

    theta = from_unit(qmc.Sobol(d, scramble=True, seed=settings.seed).random(n))
    dist = distances(theta)
    weights = np.ones(n)
    order = np.argsort(dist, kind="stable")[:keep]
    theta, dist, weights = theta[order], dist[order], weights[order]
    tolerances, acceptance = [float(dist.max())], []
    for _ in range(settings.generations):
        unit = to_unit(theta)
        w = weights / weights.sum()
        cov = 2 * np.cov(unit.T, aweights=w) + 1e-9 * np.eye(d)
        proposals = _draw_inside(rng, unit, w, cov, n - keep)
        new_dist = distances(from_unit(proposals))
        acceptance.append(float(np.mean(new_dist < tolerances[-1])))
        new_weights = 1.0 / _mixture_density(proposals, unit, w, cov)  # uniform prior inside the bounds
        theta = np.vstack([theta, from_unit(proposals)])
        dist = np.concatenate([dist, new_dist])
        weights = np.concatenate([weights, new_weights])  # both prior / proposal density (the prior's is 1)
        order = np.argsort(dist, kind="stable")[:keep]
        theta, dist, weights = theta[order], dist[order], weights[order]
        tolerances.append(float(dist.max()))
        if acceptance[-1] < settings.min_acceptance:
            break
    return theta, weights / weights.sum(), dist, tolerances, acceptance


def _draw_inside(rng: np.random.Generator, centres: np.ndarray, w: np.ndarray, cov: np.ndarray, n: int) -> np.ndarray:
    """``n`` draws from the Gaussian mixture around ``centres``, kept inside the unit cube (the prior's support)."""
    found = np.empty((0, centres.shape[1]))
    while len(found) < n:
        picks = rng.choice(len(centres), size=n, p=w)
        draws = centres[picks] + rng.multivariate_normal(np.zeros(centres.shape[1]), cov, size=n)
        found = np.vstack([found, draws[np.all((draws >= 0) & (draws <= 1), axis=1)]])
    return found[:n]


def _mixture_density(x: np.ndarray, centres: np.ndarray, w: np.ndarray, cov: np.ndarray) -> np.ndarray:
    inverse = np.linalg.inv(cov)
    norm = np.sqrt((2 * np.pi) ** len(cov) * np.linalg.det(cov))
    diff = x[:, None, :] - centres[None, :, :]
    return (np.exp(-0.5 * np.einsum("ijk,kl,ijl->ij", diff, inverse, diff)) / norm) @ w


def calibrate(
    journal: Journal,
    targets: Targets,
    settings: FitSettings = FitSettings(),
    progress: Callable[[int], None] | None = None,
) -> Fit:
    """The point estimate, then the posterior and its draws for projections."""
    found = estimate(journal, targets, settings, progress=progress)
    particles, weights, dist, tolerances, acceptance = posterior(journal, targets, settings, progress)
    rng = np.random.default_rng(settings.seed + 1)
    draws = particles[rng.choice(len(particles), size=settings.draws, p=weights)]
    return Fit(
        found.x, float(found.fun), particles, weights, dist, draws, tolerances, acceptance, settings,
        success=bool(found.success), message=str(found.message), nfev=int(found.nfev),
    )  # fmt: skip


def evaluations(settings: FitSettings) -> int:
    """Upper bound on the simulations :func:`calibrate` asks for (for progress bars)."""
    de = (settings.maxiter + 1) * settings.popsize * len(FREE)
    return de + settings.particles + settings.generations * (settings.particles - settings.particles // 2)


@dataclass(frozen=True)
class Budget:
    """Search effort for ``migsim calibrate`` and ``migsim validate`` (refits and Sobol' base sample)."""

    fit: FitSettings
    holdout: FitSettings
    sobol_n: int  # power of two; sensitivity runs sobol_n x (factors + 2) simulations


BUDGETS = {
    "quick": Budget(FitSettings(2, 1, 16, 1, 0.1, 10), FitSettings(2, 1), 4),  # checks the machinery (CI)
    "default": Budget(FitSettings(), FitSettings(popsize=5, maxiter=5), 32),  # minutes at 1:200
    "long": Budget(FitSettings(10, 40, 1024, 8, 0.05, 200), FitSettings(popsize=8, maxiter=15), 64),  # hours
}
