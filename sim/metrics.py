"""Monthly outcomes by department, scaled to real households and people.

The collector stores one row per month and department in a preallocated array; :func:`monthly_table`
turns it into a tidy table. Stocks are measured at the end of the month, flows during it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calendar import format_month

# name: (unit, meaning)
METRICS: dict[str, tuple[str, str]] = {
    "aspiring": ("households", "households that aspire to migrate"),
    "departures_irregular": ("people", "irregular journeys started (first attempts and re-attempts)"),
    "departures_legal": ("people", "departures on temporary work visas"),
    "apprehended_mexico": ("events", "attempts stopped in Mexico (returned home)"),
    "apprehended_us": ("events", "attempts stopped at the US border (returned home)"),
    "deaths": ("people", "deaths on the journey"),
    "arrivals": ("people", "irregular migrants who reached the US"),
    "returns": ("people", "members abroad who came home voluntarily"),
    "removals": ("people", "members abroad removed from the US interior"),
    "legal_returns": ("people", "temporary workers back at the end of their visa"),
    "stock_abroad": ("people", "household members abroad at the end of the month (irregular and visa)"),
    "emigrant_households": (
        "households",
        "households with a member who left since the run started and is still abroad (census PEI measure)",
    ),
    "remittances_usd": ("USD", "remittances received this month"),
    "receiving_remittances": ("households", "households receiving remittances this month"),
    "program_jobs": ("households", "households holding a job-program job"),
    "population_home": ("people", "members living at home at the end of the month"),
}
NAMES = list(METRICS)
FLOWS_OUT = ("arrivals", "departures_legal")
FLOWS_IN = ("returns", "removals", "legal_returns")


class Collector:
    """Department sums of each metric for every month of a run, already scaled by household weights."""

    def __init__(self, first_month: int, n_months: int, n_departments: int) -> None:
        self.first_month = first_month
        self.values = np.zeros((n_months, n_departments, len(NAMES)))

    def record(self, month: int, per_dept: dict[str, np.ndarray], weight: np.ndarray) -> None:
        row = self.values[month - self.first_month]
        for k, name in enumerate(NAMES):
            row[:, k] = per_dept[name] * weight


def monthly_table(
    collector: Collector, codes: np.ndarray, names: tuple[str, ...], months: int | None = None
) -> pd.DataFrame:
    """Tidy table: one row per month and department, one column per metric."""
    values = collector.values[: months if months is not None else len(collector.values)]
    n_months, n_dept, _ = values.shape
    month_index = np.repeat(np.arange(collector.first_month, collector.first_month + n_months), n_dept)
    table = pd.DataFrame(values.reshape(n_months * n_dept, -1), columns=NAMES)
    table.insert(0, "month", [format_month(m) for m in month_index])
    table.insert(1, "year", month_index // 12)
    table.insert(2, "ine_code", np.tile(codes, n_months))
    table.insert(3, "department", pd.Categorical(np.tile(np.array(names), n_months), categories=list(names)))
    return table


def national_yearly(monthly: pd.DataFrame) -> pd.DataFrame:
    """National totals per year: flows summed over months, stocks taken in December (last month)."""
    stocks = ["stock_abroad", "emigrant_households", "population_home", "program_jobs", "aspiring"]
    by_month = monthly.groupby(["year", "month"], observed=True)[NAMES].sum().reset_index()
    flows = by_month.groupby("year")[[n for n in NAMES if n not in stocks]].sum()
    last = by_month.groupby("year")[stocks].last()
    return flows.join(last)[NAMES]
