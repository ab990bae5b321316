"""Simulated moments: what one run from January 2002 says about each target."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

import sim
from sim.calendar import parse_month
from sim.calibration.free import overrides
from sim.calibration.targets import APPREHENSION_YEARS, CENSUS_MONTH, GROUP_COLUMNS, INTENTION_YEAR
from sim.departments import Departments, load_departments
from sim.metrics import NAMES
from sim.model import MigrationModel
from sim.parameters import default_parameters
from sim.population import synthesise
from sim.scenario import Scenario, load_scenario, validate_scenario

FIT_END = "2019-09"  # the last month of FY2019, the last apprehension target
PROJECTION_YEAR = 2030  # the year whose outflow the sensitivity analysis explains
SERIES_END = "2024-12"  # the backcast's runs: FY2024 and calendar 2024 complete
SERIES_FISCAL_YEARS = np.arange(2007, 2025)  # encounters by group, FY2007-FY2024
SERIES_YEARS = np.arange(2010, 2025)  # remittances and returns from Mexico, calendar years 2010-2024


BASELINE = Path(sim.__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"


def calibration_scenario(end: str = FIT_END, extra: dict[str, Any] | None = None) -> Scenario:
    """The shipped baseline (history from 2002), ending at ``end``, with ``extra`` keys (e.g. levers) merged in."""
    data = {**load_scenario(BASELINE).resolved(), "start": "2002-01", "end": end, **(extra or {})}
    return validate_scenario(data, source=f"{BASELINE.name} (calibration)")


def without_emigration_data(departments: Departments, hidden: tuple[int, ...]) -> Departments:
    """``departments`` with the census emigrants (and settled shares) of ``hidden`` ones at the others' rate per household."""
    if not hidden:
        return departments
    seen = np.ones(len(departments.households), bool)
    seen[list(hidden)] = False
    d = departments
    rate = d.emigrants[seen].sum() / d.households[seen].sum()
    settled = d.settled_share[seen].sum() / d.households[seen].sum()  # its pointer is census 2018 too
    return replace(
        d,
        emigrants=np.where(seen, d.emigrants, rate * d.households),
        settled_share=np.where(seen, d.settled_share, settled * d.households),
    )


def simulate(
    theta: np.ndarray,
    seeds: list[int],
    households_per_agent: float,
    end: str = FIT_END,
    levers: dict[str, Any] | None = None,
    hidden: tuple[int, ...] = (),
) -> dict[str, list[float]]:
    """Moments of the baseline (plus ``levers``) at free-parameter vector ``theta``, averaged over ``seeds``.

    ``hidden`` departments (positions 0-21) do not see their census emigration: their households start
    with kin abroad and members who left before 2002 at the other departments' rate, so a fit that holds them out learns nothing from them.
    """
    scenario = calibration_scenario(end, {"levers": levers} if levers else None)
    params = default_parameters().with_overrides(overrides(theta))
    departments = without_emigration_data(load_departments(), hidden)
    col = {name: NAMES.index(name) for name in NAMES}
    found: dict[str, list[np.ndarray]] = {}
    for seed in seeds:
        population = None
        if hidden:
            population = synthesise(
                departments,
                params.population,
                params.economy.victimisation_annual,
                households_per_agent,
                scenario.start,
                np.random.default_rng(seed),
            )
        model = MigrationModel(
            scenario, seed=seed, households_per_agent=households_per_agent, parameters=params, population=population
        )
        while model.running:
            model.step()
        values = model.collector.values  # month x department x metric
        months = np.arange(scenario.start, scenario.end + 1)
        census = parse_month(CENSUS_MONTH) - scenario.start
        moments = {
            "emigrant_share": values[census, :, col["emigrant_households"]] / values[census, :, col["households"]],
            "aspiring_share": np.array(
                [
                    values[months // 12 == INTENTION_YEAR, :, col["aspiring"]].sum(1).mean()
                    / values[months // 12 == INTENTION_YEAR, :, col["households"]].sum(1).mean()
                ]
            ),
        }
        fiscal_year = (months + 3) // 12  # October opens the next fiscal year
        caught = values[:, :, col["apprehended_us"]].sum(1)
        if scenario.end >= parse_month(f"{APPREHENSION_YEARS[-1]}-09"):
            moments["apprehensions"] = np.array([caught[fiscal_year == y].sum() for y in APPREHENSION_YEARS])
            # the shares of family-unit members and of children, in the order of Targets.group_shares
            shares = []
            for group in GROUP_COLUMNS:
                encountered = values[:, :, col[f"encounters_{group}"]].sum(1)
                shares.append(
                    [
                        encountered[fiscal_year == y].sum() / max(caught[fiscal_year == y].sum(), 1.0)
                        for y in APPREHENSION_YEARS
                    ]
                )
            moments["apprehension_groups"] = np.array(shares)
        if scenario.end >= parse_month(SERIES_END):
            moments.update(_series(values, months, col))
        if scenario.end >= parse_month(f"{PROJECTION_YEAR}-12"):
            departures = values[:, :, col["departures_irregular"]].sum(1)
            moments["outflow"] = np.array([departures[months // 12 == PROJECTION_YEAR].sum()])
        for name, value in moments.items():
            found.setdefault(name, []).append(value)
    return {name: np.mean(values, axis=0).tolist() for name, values in found.items()}


def _series(values: np.ndarray, months: np.ndarray, col: dict[str, int]) -> dict[str, np.ndarray]:
    """The yearly series the backcast compares with CBP, Banguat and Mexico's returns (sim.calibration.backcast)."""
    fiscal_year = (months + 3) // 12
    year = months // 12

    def by(column: str, years: np.ndarray, period: np.ndarray) -> np.ndarray:
        total = values[:, :, col[column]].sum(1)
        return np.array([total[period == y].sum() for y in years])

    found = {"series_encounters": by("apprehended_us", SERIES_FISCAL_YEARS, fiscal_year)}
    for group in ("adult", *GROUP_COLUMNS):
        found[f"series_encounters_{group}"] = by(f"encounters_{group}", SERIES_FISCAL_YEARS, fiscal_year)
    found["series_remittances"] = by("remittances_usd", SERIES_YEARS, year)
    found["series_mexico_returns"] = by("apprehended_mexico", SERIES_YEARS, year)
    # households the census found with an emigrant who were not emigrant households at the end of FY2017:
    # what the census can tell a fit that must not see later years
    emigrants = values[:, :, col["emigrant_households"]].sum(1)
    census, fy2017 = emigrants[months == parse_month(CENSUS_MONTH)][0], emigrants[months == parse_month("2017-09")][0]
    found["census_leak"] = np.array([max(census - fy2017, 0.0) / max(census, 1.0)])
    return found
