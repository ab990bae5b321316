"""What a sweep found: an outcome against each factor, Sobol' indices, and the cheapest settings that meet a target."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import sobol_indices

from sim.errors import nearest
from sim.metrics import BY_GROUP, NAMES, group_metric, over_years
from sim.records import SweepRecord, read_record
from sim.units import GROUPS

OUTCOMES = [*NAMES, "outflow", "cost_usd"]


def outcome_by_run(folder: Path, outcome: str, years: tuple[int, int] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """One row per run: the national ``outcome`` over ``years``, with the cost summed and the run's factors.

    Flows (departures, arrests) are summed over the years, stocks (members abroad) taken in the last year and
    rates (fees, homicide) averaged: a sum of yearly fees is no fee at all. Raises ``ValueError`` for an
    outcome the sweep did not keep or years outside those it kept, saying what there is.
    """
    factors = read_record(folder / "experiment.json", SweepRecord).factors
    results = pd.read_parquet(folder / "results.parquet")
    national = results[results.department == "national"]
    if outcome in BY_GROUP and outcome not in OUTCOMES:  # counted by group only: one report per group
        adult, family, child = (group_metric(outcome, g) for g in GROUPS)
        raise ValueError(f"{outcome} is counted by group: --outcome {adult}, {family} or {child}")
    if outcome not in OUTCOMES:
        hint = nearest(outcome, OUTCOMES)
        raise ValueError(
            f"unknown outcome {outcome!r}"
            + (f"; did you mean {hint!r}?" if hint else "")
            + f" (outcomes: {', '.join(OUTCOMES)})"
        )
    if national.empty:
        raise ValueError("the sweep kept no national outcomes (its experiment's outcomes: add national)")
    kept = int(national.year.min()), int(national.year.max())
    if years and not kept[0] <= years[0] <= years[1] <= kept[1]:
        raise ValueError(
            f"--years must lie within the years the sweep kept ({kept[0]}-{kept[1]}), got {years[0]}-{years[1]}"
        )
    if years:
        national = national[(national.year >= years[0]) & (national.year <= years[1])]
    keys = ["run_id", "point", "replication", "block", *factors]
    grouped = national.sort_values("year", kind="stable").groupby(keys, sort=False, dropna=False)  # runs in order
    per_run = grouped.agg(**{"cost_usd": ("cost_usd", "sum"), outcome: (outcome, over_years(outcome))}).reset_index()
    return per_run, factors


def aggregation(outcome: str) -> str:
    """How ``outcome_by_run`` combines the years of ``outcome``, in words."""
    return {"mean": "mean a year", "last": "in the last year", "sum": "summed over the years"}[over_years(outcome)]


def by_point(per_run: pd.DataFrame, factors: list[str], outcome: str) -> pd.DataFrame:
    """Mean over replications per design point (the seeds are shared, so points compare like with like).

    With how many replications and their lowest and highest outcome: replications differ by their seed and
    parameter draw, often by more than the factors move the mean.
    """
    columns = list(dict.fromkeys([outcome, "cost_usd"]))  # the cost may be the outcome itself
    grouped = per_run.groupby(["point", "block", *factors], sort=False, dropna=False)
    table = grouped[columns].mean()
    table.insert(1, f"{outcome}_min", grouped[outcome].min())
    table.insert(2, f"{outcome}_max", grouped[outcome].max())
    table.insert(0, "replications", grouped.size())
    return table.reset_index()


def for_csv(points: pd.DataFrame) -> pd.DataFrame:
    """The table as written: the design block only where it means something (a Sobol' design's A, B, AB<k>)."""
    return points.drop(columns="block") if set(points.block) == {"point"} else points


def correlated_factors(points: pd.DataFrame, factors: list[str], limit: float = 0.3) -> list[tuple[str, str, float]]:
    """Pairs of numeric factors correlated beyond ``limit`` across the design points: their main effects mix."""
    numeric = [f for f in factors if pd.to_numeric(points[f], errors="coerce").notna().all()]
    if len(points) < 3 or len(numeric) < 2:
        return []
    r = points[numeric].astype(float).corr().to_numpy()
    return [
        (numeric[i], numeric[j], float(r[i, j]))
        for i in range(len(numeric))
        for j in range(i + 1, len(numeric))
        if abs(r[i, j]) > limit
    ]


def main_effects(per_run: pd.DataFrame, factors: list[str], outcome: str) -> pd.DataFrame:
    """Mean outcome of the runs in the lowest and the highest quarter of each numeric factor."""
    rows = []
    for factor in factors:
        x = pd.to_numeric(per_run[factor], errors="coerce")
        if x.isna().any():  # values such as months ("2026-01"): the first value in order against the last
            values = sorted(per_run[factor].astype(str).unique())
            mine = per_run[factor].astype(str)
            label = f"{factor} ({values[0]} vs {values[-1]})"
            rows.append(
                {
                    "factor": label,
                    "low": per_run[mine == values[0]][outcome].mean(),
                    "high": per_run[mine == values[-1]][outcome].mean(),
                }
            )
            continue
        low, high = x.quantile(0.25), x.quantile(0.75)
        rows.append(
            {"factor": factor, "low": per_run[x <= low][outcome].mean(), "high": per_run[x >= high][outcome].mean()}
        )
    return pd.DataFrame(rows, columns=["factor", "low", "high"])


def sobol(points: pd.DataFrame, factors: list[str], outcome: str) -> pd.DataFrame | None:
    """First-order and total Sobol' indices from a Sobol' design (blocks A, B and AB<k>), else None."""
    blocks = set(points.block)
    if not {"A", "B"} <= blocks:
        return None

    def block(name: str) -> np.ndarray:  # in design order: row i of A, B and every AB<k> is one sample
        return points[points.block == name].sort_values("point", kind="stable")[outcome].to_numpy()

    f_a, f_b = block("A"), block("B")
    blocks_ab = [block(f"AB{k}") for k in range(len(factors))]
    if any(len(b) != len(f_a) for b in (f_b, *blocks_ab)):
        return None  # a run is missing (not finished, or failed): the blocks no longer pair up
    f_ab = np.stack(blocks_ab)
    result = sobol_indices(func={"f_A": f_a[None, :], "f_B": f_b[None, :], "f_AB": f_ab[:, None, :]}, n=len(f_a))
    # one output: scipy may give (1, factors) or (factors,); take the factors' row either way
    first, total = (np.reshape(i, (-1, len(factors)))[0] for i in (result.first_order, result.total_order))
    return pd.DataFrame({"factor": factors, "first_order": first, "total": total})


def cheapest(
    points: pd.DataFrame,
    per_run: pd.DataFrame,
    factors: list[str],
    outcome: str,
    target: float,
    at_least: bool = False,
) -> pd.DataFrame:
    """Design points whose mean outcome is at most ``target`` (at least, for arrests), cheapest first.

    With the share of their replications that meet it on their own: a mean just under the target can hide
    replications far above it.
    """

    def meets(values: pd.Series) -> pd.Series:
        return values >= target if at_least else values <= target

    share = meets(per_run[outcome]).groupby(per_run["point"]).mean().rename("replications_meeting")
    meeting = points[meets(points[outcome])].join(share, on="point")
    columns = list(dict.fromkeys(["point", *factors, outcome, "replications_meeting", "cost_usd"]))
    return meeting.sort_values("cost_usd")[columns].reset_index(drop=True)


def main_effects_chart(per_run: pd.DataFrame, factors: list[str], outcome: str, target: Path) -> Path:
    """One panel per factor: every run's outcome against the factor, with the mean in ten bins."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = min(len(factors), 3)
    rows = (len(factors) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(5 * columns, 3.8 * rows), squeeze=False)
    for ax, factor in zip(axes.flat, factors, strict=False):
        x = pd.to_numeric(per_run[factor], errors="coerce")
        y = per_run[outcome]
        if x.isna().any():  # values such as months: their order on the axis, named
            values = sorted(per_run[factor].astype(str).unique())
            x = per_run[factor].astype(str).map({v: i for i, v in enumerate(values)})
            ax.set_xticks(range(len(values)), values, rotation=45, fontsize=7)
        ax.scatter(x, y, s=10, alpha=0.4)
        if x.nunique() > 10:
            bins = pd.cut(x, 10)
            means = y.groupby(bins, observed=True).mean()
            ax.plot([b.mid for b in means.index], means.to_numpy(), color="C3", marker="o", label="mean")
        else:
            means = y.groupby(x).mean()
            ax.plot(means.index, means.to_numpy(), color="C3", marker="o", label="mean")
        ax.set_xlabel(factor)
        ax.set_ylabel(outcome)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(factors) :]:
        ax.remove()
    fig.suptitle(f"{outcome} against each factor (every run; red: mean)")
    fig.tight_layout()
    fig.savefig(target, dpi=100)
    plt.close(fig)
    return target
