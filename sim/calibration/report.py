"""The validation report: Markdown tables and PNG plots in ``calibration/report/``."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sim.calibration import backcast_report  # noqa: E402
from sim.calibration.backcast import Backcast  # noqa: E402
from sim.calibration.free import FREE  # noqa: E402
from sim.calibration.targets import APPREHENSION_YEARS, Targets  # noqa: E402
from sim.calibration.validate import scores  # noqa: E402


def _pct(x: float) -> str:
    return f"{100 * x:.2f}%"


def _num(x: float) -> str:
    return "n/a" if x != x else f"{x:.2f}"


def plot_departments(folder: Path, names: list[str], targets: Targets, fitted: np.ndarray, held: list[dict]) -> None:
    fig, ax = plt.subplots(figsize=(7, 6))
    held_model = {r["department"]: r["model"] for r in held}
    top = max(targets.emigrant_share.max(), fitted.max(), max(held_model.values())) * 110
    ax.plot([0, top], [0, top], color="grey", lw=0.8)
    ax.scatter(100 * targets.emigrant_share, 100 * fitted, label="fitted on all departments", color="#1f77b4")
    ax.scatter(
        100 * targets.emigrant_share,
        [100 * held_model[n] for n in names],
        label="predicted with the department held out",
        color="#d62728",
        marker="x",
    )
    for name, x, y in zip(names, targets.emigrant_share, fitted, strict=True):
        ax.annotate(name, (100 * x, 100 * y), fontsize=7, xytext=(3, 2), textcoords="offset points")
    ax.set(
        xlabel="census 2018: households with an emigrant since 2002 (%)",
        ylabel="model, July 2018 (%)",
        title="Households with emigrants by department",
        xlim=(0, top),
        ylim=(0, top),
    )
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(folder / "departments.png", dpi=110)
    plt.close(fig)


def plot_apprehensions(folder: Path, targets: Targets, fitted: np.ndarray) -> None:
    """The calibrated model (fitted to every year) against the Border Patrol's series: the in-sample fit."""
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(APPREHENSION_YEARS, targets.apprehensions / 1000, "o-", color="black", label="US Border Patrol")
    ax.plot(APPREHENSION_YEARS, fitted / 1000, "s-", color="#1f77b4", label="model fitted on FY2007-FY2019")
    ax.set(
        xlabel="fiscal year", ylabel="thousand apprehensions", title="Guatemalans apprehended at the southwest border"
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(folder / "apprehensions.png", dpi=110)
    plt.close(fig)


def plot_sensitivity(folder: Path, rows: list[dict]) -> None:
    rows = sorted(rows, key=lambda r: r["total"])
    fig, ax = plt.subplots(figsize=(7, 4.5))
    y = np.arange(len(rows))
    ax.barh(y - 0.2, [r["total"] for r in rows], height=0.4, label="total", color="#1f77b4")
    ax.barh(y + 0.2, [r["first_order"] for r in rows], height=0.4, label="first order", color="#ff7f0e")
    ax.set_yticks(y, [r["factor"] for r in rows], fontsize=8)
    ax.set(xlabel="Sobol' index", title="Sobol' indices of 2030 irregular departures")
    ax.legend()
    fig.tight_layout()
    fig.savefig(folder / "sensitivity.png", dpi=110)
    plt.close(fig)


def write_report(
    folder: Path,
    *,
    names: list[str],
    targets: Targets,
    fit: dict,
    fitted: dict,
    held: list[dict],
    backcast: Backcast,
    sensitivity_rows: list[dict],
    sobol_n: int,
    settings_text: str,
) -> Path:
    """Write ``README.md`` and the plots into ``folder``; return the Markdown file."""
    folder.mkdir(parents=True, exist_ok=True)
    share = np.asarray(fitted["emigrant_share"])
    series = np.asarray(fitted["apprehensions"])
    plot_departments(folder, names, targets, share, held)
    plot_apprehensions(folder, targets, series)
    plot_sensitivity(folder, sensitivity_rows)
    dept = scores(held)
    in_sample = scores(
        [
            {"observed": o, "model": m, "naive": targets.national_share}
            for o, m in zip(targets.emigrant_share, share, strict=True)
        ]
    )
    alta = names.index("Alta Verapaz")
    huehue = names.index("Huehuetenango")
    held_by_name = {r["department"]: r for r in held}
    lines = [
        "# Calibration and validation report",
        "",
        f"Written by `migsim validate` ({settings_text}). Targets and their sources: `calibration/targets/`.",
        "",
        "## Out of sample",
        "",
        "| check | model | naive forecast | naive is |",
        "|---|---:|---:|---|",
        f"| held-out departments: Spearman rank correlation | {_num(dept['model']['spearman'])} | {_num(dept['naive']['spearman'])} | every department at the national rate of the others |",
        f"| held-out departments: average relative difference | {_num(dept['model']['ard'])} | {_num(dept['naive']['ard'])} | same |",
        "",
        "(The naive forecast gives all held-out departments of a fold one value: its rank correlation only reflects the small differences between folds.)",
        "",
        "### Held-out departments (each predicted by a fit that did not see it)",
        "",
        "| department | fold | census 2018 | model | relative difference | naive | relative difference |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in names:
        r = held_by_name[name]
        lines.append(
            f"| {name} | {r['fold']} | {_pct(r['observed'])} | {_pct(r['model'])} | "
            f"{(r['model'] - r['observed']) / r['observed']:+.0%} | {_pct(r['naive'])} | {(r['naive'] - r['observed']) / r['observed']:+.0%} |"
        )
    lines += ["", *backcast_report.lines(folder, backcast)]
    lines += [
        "## In sample (the calibrated parameters)",
        "",
        f"Distance {fit['best_distance']:.3f}. Departments: Spearman {_num(in_sample['model']['spearman'])}, "
        f"average relative difference {_num(in_sample['model']['ard'])} (national rate for all: {_num(in_sample['naive']['ard'])}). "
        f"National share {_pct(share @ targets.households / targets.households.sum())} (census {_pct(targets.national_share)}). "
        f"Alta Verapaz {_pct(share[alta])} (census {_pct(targets.emigrant_share[alta])}; held out: {_pct(held_by_name['Alta Verapaz']['model'])}) "
        f"against Huehuetenango {_pct(share[huehue])} (census {_pct(targets.emigrant_share[huehue])}). "
        f"Households aspiring in 2012: {_pct(fitted['aspiring_share'][0])} (LAPOP adults intending: {_pct(targets.intention)}).",
        "",
        "![departments](departments.png)",
        "",
        "![apprehensions](apprehensions.png)",
        "",
        "| parameter | calibrated | posterior mean | 5-95% of the posterior | bounds searched | meaning |",
        "|---|---:|---:|---|---|---|",
    ]
    draws = np.asarray(fit["draws"])
    for i, p in enumerate(FREE):
        lo, hi = np.percentile(draws[:, i], [5, 95])
        lines.append(
            f"| `{p.key}` | {fit['best'][p.key]:.3f} | {fit['posterior_mean'][p.key]:.3f} | {lo:.3f} - {hi:.3f} | "
            f"{p.low:g} - {p.high:g} | {p.meaning} |"
        )
    lines += [
        "",
        "## Sensitivity of projected 2030 irregular departures",
        "",
        f"Sobol' indices (`scipy.stats.sobol_indices`, {sobol_n} base points, {sobol_n * (len(sensitivity_rows) + 2)} runs "
        "to 2030). Parameters vary over their posterior's 5-95% range, levers from off to twice the shipped "
        "scenario's intensity; small negative values are sampling noise.",
        "",
        "| factor | range | first order | total |",
        "|---|---|---:|---:|",
    ]
    for r in sorted(sensitivity_rows, key=lambda r: -r["total"]):
        lines.append(
            f"| {r['factor']} | {r['low']:.3g} - {r['high']:.3g} | {r['first_order']:.2f} | {r['total']:.2f} |"
        )
    lines += ["", "![sensitivity](sensitivity.png)", ""]
    target = folder / "README.md"
    target.write_text("\n".join(lines), encoding="utf-8")
    return target
