"""The agreement's own success metrics, computed from a run's yearly results, against its targets.

* Arrests of key criminal figures: 10 a year (``key_arrests``).
* Drug seizures: a 30% annual change (``seizures``, year on year; the years it holds are counted too, since
  a first year of operations can meet it while growth cannot compound for long).
* Community engagement in prevention programs: +25% (the share of households in them, so that population
  growth does not count), against a reference: the baseline scenario in a comparison, otherwise the
  scenario's own share in the year before its measures start.
"""

from __future__ import annotations

import math

import pandas as pd

KEY_ARRESTS = 10  # a year
SEIZURE_GROWTH = 0.30  # a year
ENGAGEMENT_GROWTH = 0.25


def first_year_met_from(met: pd.Series) -> int | None:
    """First year from which the target is met every year to the end of the window, or None."""
    years = list(met.index)
    for i, year in enumerate(years):
        if met.iloc[i:].all():
            return int(year)
    return None


def engagement_share(yearly: pd.DataFrame) -> pd.Series:
    """Share of households in prevention programs, by year."""
    return yearly["engaged_households"] / yearly["households"]


def assess(yearly: pd.DataFrame, years: tuple[int, int], reference_share: pd.Series) -> dict:
    """Target metrics of one run (national yearly table indexed by year) over ``years``.

    ``reference_share`` is the engagement share to compare with, by year.
    """
    window = yearly.loc[years[0] : years[1]]
    arrests = window["key_arrests"]
    growth = yearly["seizures"].pct_change().loc[years[0] : years[1]]
    engagement = engagement_share(window) / reference_share.reindex(window.index) - 1
    return {
        "key_arrests_per_year": float(arrests.mean()),
        "key_arrests_met_from": first_year_met_from(arrests >= KEY_ARRESTS),
        "seizure_growth_per_year": float(growth.mean()),
        "seizure_growth_met_from": first_year_met_from(growth >= SEIZURE_GROWTH),
        "seizure_growth_years_met": int((growth >= SEIZURE_GROWTH).sum()),
        "years": len(window),
        "engagement_change": float(engagement.iloc[-1]),
        "engagement_met_from": first_year_met_from(engagement >= ENGAGEMENT_GROWTH),
    }


def signed_percent(change: float) -> str:
    """``+12%``, ``-3%``; a change that rounds to zero is ``+0%``, never ``-0%``."""
    if not math.isfinite(change):
        return "n/a"
    return f"{round(change * 100):+d}%"


def describe(assessment: dict) -> list[str]:
    """Plain sentences, e.g. 'meets 10 key arrests a year: yes, from 2027'."""

    def verdict(year: int | None) -> str:
        return f"yes, from {year}" if year is not None else "no"

    a = assessment
    return [
        f"arrests of key criminal figures: {a['key_arrests_per_year']:.1f} a year on average; "
        f"meets {KEY_ARRESTS} a year: {verdict(a['key_arrests_met_from'])}",
        f"drug seizures: {signed_percent(a['seizure_growth_per_year'])} a year on average; "
        f"meets +{SEIZURE_GROWTH:.0%} a year: {verdict(a['seizure_growth_met_from'])} "
        f"(in {a['seizure_growth_years_met']} of {a['years']} years)",
        f"community engagement: {signed_percent(a['engagement_change'])} at the end; "
        f"meets +{ENGAGEMENT_GROWTH:.0%}: {verdict(a['engagement_met_from'])}",
    ]
