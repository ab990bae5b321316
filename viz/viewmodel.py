"""What the app's pages compute, apart from drawing: scenarios offered, the custom scenario, result tables.

Nothing here imports Solara, so every number the page shows can be tested without a browser. The custom
scenario is built as plain data and validated by the same schema as scenario files: a value outside a
lever's range (from a slider or sent straight to the server) is refused with the schema's own message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.calibration.free import FREE
from sim.compare import HEADLINE, Comparison
from sim.comparison_columns import summary as totals  # the page's totals: departures, costs and the targets
from sim.comparison_report import comparison_report, rounded
from sim.departments import load_departments
from sim.portfolio import (  # noqa: F401  (the app's custom scenario: the pages and their tests use these here)
    BASELINE,
    CUSTOM,
    CustomLever,
    LeverControl,
    custom_scenario,
    lever_controls,
    shipped_scenarios,
)
from sim.scenario import Scenario


def offered_scenarios(folders: str = "") -> dict[str, Scenario]:
    """The shipped scenarios, then those of ``folders`` (``os.pathsep``-separated, e.g. an optimisation's front)."""
    offered = shipped_scenarios()
    for folder in filter(None, folders.split(os.pathsep)):
        for name, scenario in shipped_scenarios(Path(folder)).items():
            offered.setdefault(name, scenario)  # a shipped scenario keeps its name
    return offered


PREVIEW_AFTER = 1.0  # seconds: a comparison done sooner shows only its answer
PREVIEW_EVERY = 2.0  # seconds between two previews


def preview_due(elapsed: float, last: float | None) -> bool:
    """Whether to show the seeds done so far, ``elapsed`` seconds into a comparison (``last``: the last preview).

    Each preview redraws the page (tables and charts, on the server and in the browser): for a comparison of
    a few seconds, previews after every seed delayed the whole answer by most of a second (measured in
    Chromium: a custom scenario's five seeds 2.8 s with previews after every seed, 2.0 s without).
    """
    return elapsed >= PREVIEW_AFTER and (last is None or elapsed - last >= PREVIEW_EVERY)


def outflow_per_year(result: Comparison, years: tuple[int, int]) -> pd.DataFrame:
    """Irregular departures per scenario and year: mean and 90% interval over seeds."""
    return result.per_year(HEADLINE, years)


def department_map_values(result: Comparison, years: tuple[int, int], scenario: str) -> pd.DataFrame:
    """Per department for one scenario: projected departures, change against the first scenario, INE code."""
    table = result.per_department(HEADLINE, years)
    mine = table[table.scenario == scenario].set_index("department")
    departments = load_departments()
    frame = pd.DataFrame({"department": list(departments.name), "ine_code": departments.code})
    frame["departures"] = frame.department.map(mine["total"]).to_numpy()
    frame["change"] = -frame.department.map(mine["averted"]).to_numpy()
    baseline = frame["departures"] - frame["change"]
    frame["change_percent"] = 100 * frame["change"] / baseline.where(baseline > 0)
    frame["households"] = departments.households
    frame["departures_per_1000_households"] = (
        1000 * frame["departures"] / frame["households"] / (years[1] - years[0] + 1)
    )
    frame["id"] = frame["ine_code"] * 100  # the map's department ids (INE code x 100)
    return frame


@dataclass(frozen=True)
class Context:
    """What a comparison was run with, beyond its numbers: for the page and the downloads."""

    households_per_agent: float
    descriptions: dict[str, str]  # scenario name -> description (the custom one says what was chosen)


def comparison_csv(result: Comparison, years: tuple[int, int], context: Context | None = None) -> bytes:
    """The comparison as one tidy CSV: per scenario and year, then the window's totals (``year`` = 'total').

    With ``context``, each row also says the seeds, the scale and the scenario's description. The yearly rows are
    ``per_year.csv``'s, the totals the page's table, rounded as ``totals.csv`` is (:mod:`sim.comparison_report`).
    """
    yearly = comparison_report(result, years).tables["per_year.csv"].rename(columns={"mean": "departures_irregular"})
    yearly.insert(1, "row", "year")
    table = rounded(totals(result, years)).rename(columns={"total": "departures_irregular", "total_low": "low"})
    table = table.rename(columns={"total_high": "high"})
    table.insert(1, "row", "total")
    table.insert(2, "year", f"{years[0]}-{years[1]}")
    both = pd.concat([yearly, table], ignore_index=True)
    if context is not None:
        both["seeds"] = len(result.seeds)
        both["households_per_agent"] = context.households_per_agent
        both["description"] = both.scenario.map(context.descriptions)
    return both.to_csv(index=False).encode()


def comparison_png(result: Comparison, years: tuple[int, int]) -> bytes:
    """The chart ``migsim compare`` writes (matplotlib), as PNG bytes."""
    return comparison_report(result, years).chart_png()


def comparison_zip(result: Comparison, years: tuple[int, int]) -> bytes:
    """Every file ``migsim compare`` writes, zipped: unpacked, ``migsim reproduce`` reruns and checks it."""
    return comparison_report(result, years).as_zip()


READ_ME = (
    "**How to read this.** Each scenario is simulated with the same seeds (the same households, the same "
    "chances and the same parameter values, drawn for each seed from the calibration's posterior), so chance "
    "is paired away and the difference between two scenarios is the policies' effect under the model's "
    "assumptions. Lines are the mean over seeds and the shaded band the 90% interval: it covers chance and the "
    f"{len(FREE)} calibrated parameters, not the assumed ones. *Irregular departures* are journeys started "
    "without a visa: a migrant stopped on the way who tries again counts again. *Arrivals in the US averted* "
    "counts the journeys that no longer get through. Departures on temporary work visas are legal and counted "
    "apart. *Averted* is the first scenario's count minus this one's, seed by seed. Costs are the scenario "
    "files' assumed costs in US dollars.\n\n"
    f"**Caveats.** {len(FREE)} behavioural parameters are calibrated to the 2018 census, Border Patrol "
    "apprehensions and a survey; the rest, every programme cost and all crime parameters are assumed (see the "
    "README, *What is calibrated, what is assumed*). What border enforcement does to journeys rests on smugglers' "
    "fees rising with it, at Gathmann's (2008) estimate for Mexican migrants (0.14: US$1 billion a year of agents "
    "raises fees about 4%), and the operations against smuggling networks on assumed fee and route-risk "
    "responses; without them both still cut arrivals in the US but not journeys. The model "
    "reproduces the 2018 census by department and, fitted to 2017, the split of 2019's Border Patrol "
    "apprehensions into single adults, families and children, but not their number: US border agencies "
    "counted three to five times more Guatemalans than the model does in 2019 and 2021-2024 (see the README, "
    "the backcast). Read the numbers as what the assumptions imply, not as forecasts."
)
