"""Monthly outcomes by department (and by program), scaled to real households and people.

The collector stores one row per month and department in preallocated arrays; :func:`monthly_table`
and :func:`program_table` turn them into tidy tables. Stocks are measured at the end of the month,
flows during it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calendar import format_month

# name: (unit, meaning)
METRICS: dict[str, tuple[str, str]] = {
    "aspiring": ("households", "households that aspire to migrate"),
    "departures_irregular": ("journeys", "irregular journeys started (first attempts and re-attempts)"),
    "departures_legal": ("people", "departures on temporary work visas"),
    "departures_poor": ("journeys", "irregular journeys started from households below the poverty line"),
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
    "engaged_households": ("households", "households taking part in prevention programs (community engagement)"),
    "population_home": ("people", "members living at home at the end of the month"),
    "households": ("households", "households represented (census 2018, grown or shrunk by population growth)"),
    "key_arrests": ("people", "arrests of leaders of criminal organisations (the agreement's key criminal figures)"),
    "member_arrests": ("people", "arrests of members of criminal organisations"),
    "seizures": ("shipments", "drug shipments seized"),
    "seized_volume": ("typical shipments", "volume index of drugs seized: shipments seized weighted by their size"),
    "recruits": ("people", "young people recruited by criminal organisations"),
    "criminal_capacity": ("index", "capacity of the criminal organisations present, 1 = their usual strength"),
    "smuggling_fee": ("USD", "smuggler fee for a journey from the department"),
    "homicide_rate": ("per 100k a year", "homicide rate"),
    "victimisation_rate": ("% of households a year", "households victim of a crime (extortion, robbery, assault)"),
}
NAMES = list(METRICS)
STOCKS = (
    "aspiring",
    "stock_abroad",
    "emigrant_households",
    "receiving_remittances",
    "engaged_households",
    "population_home",
    "households",
)
# counted for the whole population already (organisations are not sampled), so not scaled by household weights
UNSCALED = ("key_arrests", "member_arrests", "seizures", "seized_volume", "recruits")
# levels, not counts: kept as they are per department; national values are household-weighted means
RATES = ("criminal_capacity", "smuggling_fee", "homicide_rate", "victimisation_rate")


def over_years(name: str) -> str:
    """How a metric's years combine into one number: flows summed, stocks the last, rates averaged (pandas name)."""
    return "last" if name in STOCKS else "mean" if name in RATES else "sum"


SCALED = [k for k, name in enumerate(NAMES) if name not in UNSCALED and name not in RATES]  # sample counts
FLOWS_OUT = ("arrivals", "departures_legal")
FLOWS_IN = ("returns", "removals", "legal_returns")
PROGRAM_METRICS = ("participants", "participant_departures")


def security_levels(env) -> dict[str, np.ndarray]:
    """The month's rates by department that organisations shape (see ``sim.crime.Underworld.shape``)."""
    return {
        "criminal_capacity": env.criminal_capacity,
        "smuggling_fee": env.fee,
        "homicide_rate": env.homicide,
        "victimisation_rate": 100 * (1 - (1 - env.victimisation) ** 12),
    }


class Collector:
    """Department sums of each metric for every month of a run, already scaled by household weights."""

    def __init__(self, first_month: int, n_months: int, n_departments: int, programs: list[str]) -> None:
        self.first_month = first_month
        self.values = np.zeros((n_months, n_departments, len(NAMES)))
        self.programs = programs
        self.program_values = np.zeros((n_months, n_departments, len(programs), len(PROGRAM_METRICS)))

    def record(
        self, month: int, per_dept: dict[str, np.ndarray], per_program: dict[str, tuple], weight: np.ndarray
    ) -> None:
        i = month - self.first_month
        values = self.values[i]
        values[:] = np.stack([per_dept[name] for name in NAMES], axis=1)
        values[:, SCALED] *= weight[:, None]
        for p, label in enumerate(self.programs):
            self.program_values[i, :, p] = np.stack(per_program[label], axis=1) * weight[:, None]

    def national(self, month: int, name: str) -> float:
        return float(self.values[month - self.first_month, :, NAMES.index(name)].sum())


def _strings(labels: list[str], index: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """A string column of ``labels[index]``: converting each row's string took most of a run's table time."""
    return pd.array(labels, dtype="str").take(index)


def _month_columns(first_month: int, n_months: int, repeat: int) -> dict[str, object]:
    months = np.arange(first_month, first_month + n_months)
    rows = np.repeat(np.arange(n_months), repeat)
    return {"month": _strings([format_month(m) for m in months], rows), "year": months[rows] // 12}


def _departments(positions: np.ndarray, names: tuple[str, ...]) -> pd.Categorical:
    """Department names as a categorical, from their positions (building it from strings took 40 ms a run)."""
    return pd.Categorical.from_codes(positions, categories=list(names))


def monthly_table(collector: Collector, codes: np.ndarray, names: tuple[str, ...]) -> pd.DataFrame:
    """Tidy table: one row per month and department, one column per metric."""
    n_months, n_dept, _ = collector.values.shape
    columns = _month_columns(collector.first_month, n_months, n_dept)
    columns["ine_code"] = np.tile(codes, n_months)
    columns["department"] = _departments(np.tile(np.arange(n_dept), n_months), names)
    values = collector.values.reshape(n_months * n_dept, -1)
    return pd.DataFrame(columns | {name: values[:, i] for i, name in enumerate(NAMES)})


def program_table(collector: Collector, codes: np.ndarray, names: tuple[str, ...]) -> pd.DataFrame:
    """Tidy table: one row per month, department and program (lever label)."""
    n_months, n_dept, n_prog, _ = collector.program_values.shape
    rows = n_months * n_dept * n_prog
    columns = _month_columns(collector.first_month, n_months, n_dept * n_prog)
    columns["ine_code"] = np.tile(np.repeat(codes, n_prog), n_months)
    columns["department"] = _departments(np.tile(np.repeat(np.arange(n_dept), n_prog), n_months), names)
    columns["program"] = _strings(collector.programs, np.tile(np.arange(n_prog), n_months * n_dept))
    values = collector.program_values.reshape(rows, len(PROGRAM_METRICS))
    return pd.DataFrame(columns | {name: values[:, i] for i, name in enumerate(PROGRAM_METRICS)})


def cost_table(costs: np.ndarray, first_month: int, labels: list[str], names: list[str]) -> pd.DataFrame:
    """Tidy table: one row per month and lever, what it cost (USD) that month."""
    n_months, n_levers = costs.shape
    columns = _month_columns(first_month, n_months, n_levers)
    lever = np.tile(np.arange(n_levers), n_months)
    columns |= {"lever_label": _strings(labels, lever), "lever": _strings(names, lever)}
    return pd.DataFrame(columns | {"cost_usd": costs.reshape(-1).astype(np.float64)})


def national_yearly(monthly: pd.DataFrame) -> pd.DataFrame:
    """National totals per year.

    Flows are summed over months, stocks taken in December (the last month), rates averaged over months and
    departments weighted by households.
    """
    counts = [n for n in NAMES if n not in RATES]
    by_month = monthly.groupby(["year", "month"], observed=True)[counts].sum().reset_index()
    flows = by_month.groupby("year")[[n for n in counts if n not in STOCKS]].sum()
    last = by_month.groupby("year")[list(STOCKS)].last()
    weighted = (
        monthly[list(RATES)].mul(monthly["households"], axis=0).assign(year=monthly["year"], w=monthly["households"])
    )
    sums = weighted.groupby("year").sum()
    rates = sums[list(RATES)].div(sums["w"], axis=0)
    return flows.join(last).join(rates)[NAMES]


def department_yearly(monthly: pd.DataFrame) -> pd.DataFrame:
    """Per year and department: flows summed over months, stocks taken in December, rates averaged over months."""
    keys = ["year", "ine_code", "department"]
    grouped = monthly.groupby(keys, observed=True, sort=True)
    flows = grouped[[n for n in NAMES if n not in STOCKS and n not in RATES]].sum()
    last = grouped[list(STOCKS)].last()
    rates = grouped[list(RATES)].mean()
    return flows.join(last).join(rates)[NAMES].reset_index()
