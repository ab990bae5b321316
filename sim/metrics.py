"""Monthly outcomes by department (and by program), scaled to real households and people.

The collector stores one row per month and department in preallocated arrays; :func:`monthly_table`
and :func:`program_table` turn them into tidy tables. Stocks are measured at the end of the month,
flows during it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sim.calendar import format_month
from sim.units import GROUP_NAMES, GROUPS


@dataclass(frozen=True)
class Metric:
    """One output column: what it counts and how it may be added up."""

    name: str
    unit: str
    meaning: str
    kind: Literal["flow", "stock", "rate"]  # counted during the month / at its end / a level (see COMBINE)
    scaled: bool = True  # a count over sampled households, scaled by their weights to real households or people
    better: Literal["higher", "lower"] | None = None  # the direction that serves the agreement's goals, if one does

    @property
    def over_years(self) -> str:
        """How months and years combine into one number (a pandas aggregation name): see COMBINE."""
        return COMBINE[self.kind][0]


# how a kind of metric combines over months and years, and what that means
COMBINE = {
    "flow": ("sum", "counted during the month: months and years are summed"),
    "stock": ("last", "counted at the end of the month: a year is its last month"),
    "rate": ("mean", "a level: averaged over months, and over departments weighted by households"),
}
_RECORDS = (
    Metric("aspiring", "households", "households that aspire to migrate", "stock", better="lower"),
    Metric(
        "departures_irregular",
        "journeys",
        "people setting out irregularly (first attempts and re-attempts: a person who tries again counts again; "
        "each member of a family unit counts)",
        "flow",
        better="lower",
    ),
    Metric("departures_legal", "people", "departures on temporary work visas", "flow", better="higher"),
    Metric(
        "departures_protected",
        "people",
        "departures with protection granted in Guatemala (refugee status or parole: Safe Mobility Offices, CAM)",
        "flow",
        better="higher",
    ),
    Metric(
        "departures_poor",
        "journeys",
        "people setting out irregularly from households below the poverty line",
        "flow",
        better="lower",
    ),
    Metric("apprehended_mexico", "events", "people stopped in Mexico (returned home), once per attempt", "flow"),
    Metric(
        "apprehended_us",
        "events",
        "people encountered at the US border (caught or surrendering), once per attempt, as CBP counts",
        "flow",
    ),
    Metric("deaths", "people", "deaths on the journey", "flow", better="lower"),
    Metric(
        "arrivals",
        "people",
        "irregular migrants who entered the US: undetected, or released into proceedings or to sponsors",
        "flow",
        better="lower",
    ),
    Metric("returns", "people", "members abroad who came home voluntarily", "flow"),
    Metric(
        "removals",
        "people",
        "members abroad removed from the US interior (including those denied asylum after release)",
        "flow",
    ),
    Metric("legal_returns", "people", "temporary workers back at the end of their visa", "flow"),
    Metric("stock_abroad", "people", "household members abroad at the end of the month (irregular and visa)", "stock"),
    Metric(
        "emigrant_households",
        "households",
        "households with a member who left since the run started and is still abroad (census PEI measure)",
        "stock",
    ),
    Metric("remittances_usd", "USD", "remittances received this month", "flow"),
    Metric("receiving_remittances", "households", "households receiving remittances this month", "stock"),
    Metric(
        "engaged_households",
        "households",
        "households taking part in prevention programs (community engagement)",
        "stock",
        better="higher",
    ),
    Metric("population_home", "people", "members living at home at the end of the month", "stock"),
    Metric(
        "households",
        "households",
        "households represented (census 2018, grown or shrunk by population growth)",
        "stock",
    ),
    Metric(
        "key_arrests",
        "people",
        "arrests of leaders of criminal organisations (the agreement's key criminal figures)",
        "flow",
        scaled=False,
        better="higher",
    ),
    Metric("member_arrests", "people", "arrests of members of criminal organisations", "flow", scaled=False),
    Metric("seizures", "shipments", "drug shipments seized", "flow", scaled=False, better="higher"),
    Metric(
        "seized_volume",
        "typical shipments",
        "volume index of drugs seized: shipments seized weighted by their size",
        "flow",
        scaled=False,
        better="higher",
    ),
    Metric(
        "recruits", "people", "young people recruited by criminal organisations", "flow", scaled=False, better="lower"
    ),
    Metric(
        "criminal_capacity",
        "index",
        "capacity of the criminal organisations present, 1 = their usual strength",
        "rate",
        scaled=False,
        better="lower",
    ),
    Metric("smuggling_fee", "USD", "smuggler fee for a journey from the department", "rate", scaled=False),
    Metric("homicide_rate", "per 100k a year", "homicide rate", "rate", scaled=False, better="lower"),
    Metric(
        "victimisation_rate",
        "% of households a year",
        "households victim of a crime (extortion, robbery, assault)",
        "rate",
        scaled=False,
        better="lower",
    ),
)
# by group (sim.units), in the kernel's order (sim.kernel.BY_GROUP)
_BY_GROUP = {
    "journeys": ("people", "people setting out irregularly (a re-attempt counts again)", "lower"),
    "encounters": ("events", "people encountered at the US border, once per attempt (CBP's encounters)", None),
    "arrivals": ("people", "people who entered the US undetected", "lower"),
    "removals": ("people", "people removed at the border or returned to Mexico to wait (MPP)", None),
    "expulsions": ("events", "people expelled at the border (Title 42); they may try again", None),
    "releases": ("people", "people released into immigration proceedings or placed with sponsors", None),
}


def group_metric(what: str, group: str) -> str:
    """The metric counting ``what`` (one of BY_GROUP) for ``group`` (one of GROUPS), e.g. ``journeys_family``."""
    return f"{what}_{group}"


_RECORDS += tuple(
    Metric(group_metric(what, group), unit, f"{meaning}: {name}", "flow", better=better)
    for what, (unit, meaning, better) in _BY_GROUP.items()
    for group, name in zip(GROUPS, GROUP_NAMES, strict=True)
)
BY_GROUP = tuple(_BY_GROUP)  # what is counted by group: the metric ``<what>_<group>`` for each group of GROUPS
# every metric by name, in the order of the monthly table's columns
METRICS: dict[str, Metric] = {m.name: m for m in _RECORDS}
NAMES = list(METRICS)
STOCKS = [m.name for m in _RECORDS if m.kind == "stock"]
RATES = [m.name for m in _RECORDS if m.kind == "rate"]
SCALED = [k for k, m in enumerate(_RECORDS) if m.scaled]  # columns scaled by household weights
PROGRAM_METRICS = ("participants", "participant_departures")
# the outflow the agreement speaks of: everyone who leaves, irregularly, on a work visa or with protection
OUTFLOW = ("departures_irregular", "departures_legal", "departures_protected")


def outflow(table: pd.DataFrame) -> pd.Series:
    """Irregular journeys started, visa departures and protected departures, row by row."""
    return table[list(OUTFLOW)].sum(axis=1)


def over_years(name: str) -> str:
    """How a metric's years combine into one number: flows summed, stocks the last, rates averaged (pandas name)."""
    return METRICS[name].over_years


def outputs_table() -> str:
    """The metrics as Markdown, from their records: how each kind adds up, then one row per metric."""
    lines = [f"- *{kind}*: {meaning}" for kind, (_, meaning) in COMBINE.items()]
    lines += [
        "- *scaled*: yes for counts over the sampled households, scaled by their weights to the whole country; "
        "no for what is counted for the whole population already (the organisations are not sampled) and levels",
        "- *better*: the direction that serves the agreement's goals, where one does",
        "",
        "| column | unit | kind | scaled | better | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for m in _RECORDS:
        lines.append(
            f"| `{m.name}` | {m.unit} | {m.kind} | {'yes' if m.scaled else 'no'} | {m.better or ''} | {m.meaning} |"
        )
    return "\n".join(lines)


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
