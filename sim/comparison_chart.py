"""Static charts of a comparison (PNG or SVG), for the command line and reports."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no screen
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from sim.compare import HEADLINE, Comparison  # noqa: E402

THOUSANDS = FuncFormatter(lambda value, _: f"{value:,.0f}")


def comparison_chart(result: Comparison, years: tuple[int, int], target: Path) -> Path:
    """Irregular departures per year, what each scenario averts per year (paired by seed), and by department.

    The levels' 90% bands overlap (they carry each seed's parameter draw); the paired effect beside them says how
    sure the difference is.
    """
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(20, 6), gridspec_kw={"width_ratios": [3, 3, 2]})
    per_year = result.per_year(HEADLINE, years)
    for k, name in enumerate(result.scenarios):
        rows = per_year[per_year.scenario == name]
        left.plot(rows.year, rows["mean"], marker="o", label=name, color=f"C{k}")
        left.fill_between(rows.year, rows["low"], rows["high"], color=f"C{k}", alpha=0.2)
        if k:
            middle.plot(rows.year, rows["averted"], marker="o", label=name, color=f"C{k}")
            middle.fill_between(rows.year, rows["averted_low"], rows["averted_high"], color=f"C{k}", alpha=0.2)
    left.set_title(f"Irregular departures per year\n(mean and 90% interval over {len(result.seeds)} seeds)")
    left.set_ylabel("irregular journeys started")
    left.set_ylim(bottom=0)  # a line near the top of a cut axis would look like a change it is not
    middle.set_title(f"Averted against '{result.scenarios[0]}' per year\n(paired by seed, 90% interval)")
    middle.set_ylabel("irregular journeys averted (negative: more)")
    middle.axhline(0, color="black", linewidth=0.8)
    for ax in (left, middle):
        ax.set_xlabel("year")
        ax.yaxis.set_major_formatter(THOUSANDS)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)

    departments = result.per_department(HEADLINE, years)
    others = result.scenarios[1:]
    names = list(departments[departments.scenario == result.scenarios[0]].department)
    ys = np.arange(len(names))
    height = 0.8 / max(len(others), 1)
    for k, name in enumerate(others):
        rows = departments[departments.scenario == name].set_index("department").reindex(names)
        # the mean can sit outside the 5-95% interval of a few lopsided seeds (and rounding can leave -1e-13)
        spread = [
            (rows["averted"] - rows["averted_low"]).clip(lower=0),
            (rows["averted_high"] - rows["averted"]).clip(lower=0),
        ]
        right.barh(ys + k * height, rows["averted"], height=height, label=name, color=f"C{k + 1}")
        right.errorbar(rows["averted"], ys + k * height, xerr=spread, fmt="none", ecolor="0.25", elinewidth=0.7)
    right.set_yticks(ys + height * (len(others) - 1) / 2, names, fontsize=8)
    right.invert_yaxis()
    right.axvline(0, color="black", linewidth=0.8)
    right.set_title(f"Departures averted {years[0]}-{years[1]} by department\n(lines: 90% interval, paired by seed)")
    right.set_xlabel(f"against '{result.scenarios[0]}' (negative: more departures)")
    if others:
        right.legend(fontsize=8, loc="lower right")
    right.xaxis.set_major_formatter(THOUSANDS)
    right.xaxis.set_major_locator(MaxNLocator(5))  # room for each label
    right.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=110, format="png")
    plt.close(fig)
    return target
