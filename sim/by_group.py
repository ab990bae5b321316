"""Who goes and what happens at the border, by group: the outputs a run and a comparison give per group.

The model counts journeys, US border encounters, arrivals (undetected), removals at the border, expulsions and
releases for single adults, family-unit members and unaccompanied children (:data:`sim.metrics.BY_GROUP`,
:data:`sim.units.GROUPS`). :func:`run_totals` sums them over a run's years; :func:`by_group` gives each
scenario of a comparison its totals and what it averts against the first scenario, paired by seed like the
other averted figures (``by_group.csv``); :func:`per_group_rows` turns that tidy table into one row per
scenario and group, the rows :data:`sim.comparison_columns.BY_GROUP` writes for the terminal and the app.
"""

from __future__ import annotations

import pandas as pd

from sim.compare import HIGH, LOW, Comparison
from sim.metrics import BY_GROUP, group_metric
from sim.units import GROUP_NAMES, GROUPS

OUTCOMES = BY_GROUP  # journeys, encounters, arrivals, removals, expulsions, releases
WHO = dict(zip(GROUPS, GROUP_NAMES, strict=True))  # group -> its name in words
COLUMNS = ["scenario", "group", "outcome", "total", "total_low", "total_high", "averted", "averted_low", "averted_high"]


def run_totals(national: pd.DataFrame) -> pd.DataFrame:
    """One row per group: who it is and each outcome summed over the rows (years) of a national yearly table."""
    return pd.DataFrame(
        [
            {"group": g, "who": WHO[g], **{o: float(national[group_metric(o, g)].sum()) for o in OUTCOMES}}
            for g in GROUPS
        ]
    )


def by_group(result: Comparison, years: tuple[int, int]) -> pd.DataFrame:
    """Per scenario, group and outcome over ``years``: the total (mean and 5-95% over seeds) and what is averted.

    Averted is the first scenario's count minus this one's, seed by seed (negative: more than the first), as for
    the headline's departures; every outcome is a flow, summed over the years.
    """
    yearly = result.yearly
    data = yearly[(yearly["year"] >= years[0]) & (yearly["year"] <= years[1])]
    columns = [group_metric(o, g) for g in GROUPS for o in OUTCOMES]
    total = data.groupby(["scenario", "seed"], sort=False)[columns].sum()
    base = total.loc[result.scenarios[0]].reindex(result.seeds)
    rows = []
    for name in result.scenarios:
        mine = total.loc[name].reindex(result.seeds)
        averted = base - mine
        for g in GROUPS:
            for o in OUTCOMES:
                level, effect = mine[group_metric(o, g)], averted[group_metric(o, g)]
                rows.append(
                    {
                        "scenario": name,
                        "group": g,
                        "outcome": o,
                        "total": float(level.mean()),
                        "total_low": float(level.quantile(LOW)),
                        "total_high": float(level.quantile(HIGH)),
                        "averted": float(effect.mean()),
                        "averted_low": float(effect.quantile(LOW)),
                        "averted_high": float(effect.quantile(HIGH)),
                    }
                )
    return pd.DataFrame(rows, columns=COLUMNS)


def per_group_rows(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`by_group`'s table as one row per scenario and group, with ``who`` in words.

    Each outcome's mean total as ``<outcome>`` and what is averted as ``<outcome>_averted`` (with ``_low`` and
    ``_high``): the keys the columns of :mod:`sim.comparison_columns` read.
    """
    rows = []
    for (scenario, group), part in table.groupby(["scenario", "group"], sort=False):
        row: dict[str, object] = {"scenario": scenario, "group": group, "who": WHO[str(group)]}
        for record in part.to_dict("records"):
            o = record["outcome"]
            row |= {o: record["total"], f"{o}_averted": record["averted"]}
            row |= {f"{o}_averted_low": record["averted_low"], f"{o}_averted_high": record["averted_high"]}
        rows.append(row)
    return pd.DataFrame(rows)
