"""Guatemala's 22 departments (INE codes 1-22) as arrays, read from the sourced tables in ``sim/data``.

Where a figure is missing for some departments a stand-in is used, and the stand-in is said here:

* **Homicide rate**: no source gives all 22 departments for one year. Each department takes its most
  recent full- or part-year rate found (GAM, PNC/Dialogos, CIEN counts over census population, InSight
  Crime); the 10 departments with none take the national PNC rate for 2018 (22.4 per 100k).
  ``homicide_source`` says which was used.
* **Rural share**: the census says 46% of people are rural, but the department split is not in the
  data. It is taken proportional to the department's agricultural employment share, scaled so that
  the national household-weighted share is 46%.
* **Poverty**: ENCOVI 2023 direct estimates for all 22 departments (population-weighted mean 56.0%,
  the official figure). Earlier poverty by department exists only for a few departments.
"""

from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

N_DEPARTMENTS = 22
NATIONAL_HOMICIDE_2018 = 22.4  # per 100k, PNC, national_series.csv homicide_rate_national_PNC 2018
RURAL_SHARE_2018 = 0.46  # census 2018, extra_facts.csv urban_population_share_census2018


def read_csv(name: str) -> list[dict[str, str]]:
    """Rows of a CSV file shipped in ``sim/data``."""
    with resources.files("sim.data").joinpath(name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class Departments:
    """One entry per department, ordered by INE code; shares are fractions (0-1)."""

    code: np.ndarray
    name: tuple[str, ...]
    households: np.ndarray
    population: np.ndarray
    literacy: np.ndarray
    school_attendance: np.ndarray
    unemployment: np.ndarray
    agricultural_share: np.ndarray
    emigrant_household_share: np.ndarray
    emigrants: np.ndarray
    settled_share: np.ndarray  # share of the Guatemalans who left before 2002 (sums to 1)
    poverty: np.ndarray
    rural_share: np.ndarray
    homicide_rate: np.ndarray
    homicide_source: tuple[str, ...]

    @property
    def household_size(self) -> np.ndarray:
        return self.population / self.households

    def index(self, key: str | int) -> int:
        """Position (0-21) of a department given by INE code or name; unknown names raise with the nearest."""
        if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            if 1 <= int(key) <= N_DEPARTMENTS:
                return int(key) - 1
            raise KeyError(f"INE department codes run from 1 to 22, got {key}")
        wanted = _fold(str(key))
        folded = [_fold(n) for n in self.name]
        if wanted in folded:
            return folded.index(wanted)
        near = difflib.get_close_matches(wanted, folded, n=1, cutoff=0.5)
        hint = f"; did you mean '{self.name[folded.index(near[0])]}'?" if near else ""
        raise KeyError(f"unknown department '{key}'{hint}")


def _fold(text: str) -> str:
    table = str.maketrans("áéíóúÁÉÍÓÚñÑ", "aeiouAEIOUnN")
    return text.translate(table).lower().replace(" ", "").replace("-", "")


def _homicide_stand_in(names: tuple[str, ...], population: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """Most recent department homicide rate in the partial tables, else the national 2018 rate."""
    found: dict[int, tuple[float, float, str]] = {}  # code -> (year, rate, source label)

    def offer(code: int, year: float, rate: float, label: str) -> None:
        if code not in found or year > found[code][0]:
            found[code] = (year, rate, label)

    for row in read_csv("departments_partial_long.csv"):
        if row["indicator"].startswith("homicide_rate"):
            year = float(row["year"]) if row["year"] else 0.0  # InSight Crime: year not stated, lowest priority
            offer(int(row["ine_code"]), year, float(row["value"]), f"{row['indicator']} {row['year']}".strip())
    for row in read_csv("departments_more_long.csv"):
        code = int(row["ine_code"])
        if row["indicator"] == "homicide_rate":
            offer(code, float(row["year"]), float(row["value"]), f"homicide_rate {row['year']}")
        elif row["indicator"].startswith("homicides_count"):
            rate = float(row["value"]) / population[code - 1] * 1e5
            offer(code, float(row["year"]), rate, f"{row['indicator']} {row['year']} / census population")
    rates = np.full(N_DEPARTMENTS, NATIONAL_HOMICIDE_2018)
    labels = ["stand-in: national PNC rate 2018"] * N_DEPARTMENTS
    for code, (_, rate, label) in found.items():
        rates[code - 1] = rate
        labels[code - 1] = label
    return rates, tuple(labels)


def _settled_shares() -> np.ndarray:
    """Each department's share of the Guatemalans who left before 2002, in INE order (sums to 1).

    Census 2002 printed the shares of international emigrants for the four departments with the most
    (Guatemala, Huehuetenango, Quetzaltenango, San Marcos: 53.6%); the rest are spread in proportion to
    census 2018 households receiving remittances, whose senders include those who left before 2002 (the
    only all-department pointer to older networks found; ``abroad_before_2002.csv``).
    """
    rows = read_csv("abroad_before_2002.csv")

    def by_department(indicator: str) -> dict[int, float]:
        return {int(r["ine_code"]): float(r["value"]) for r in rows if r["indicator"] == indicator}

    printed = by_department("share_of_international_emigrants_census2002_pct")
    receiving = by_department("households_receiving_remittances_census2018")
    codes = sorted(receiving)
    others = sum(v for code, v in receiving.items() if code not in printed)
    rest = 1 - sum(printed.values()) / 100
    return np.array([printed[c] / 100 if c in printed else rest * receiving[c] / others for c in codes])


@cache
def load_departments() -> Departments:
    """Read the department tables once per process."""
    rows = sorted(read_csv("departments.csv"), key=lambda r: int(r["ine_code"]))
    if [int(r["ine_code"]) for r in rows] != list(range(1, N_DEPARTMENTS + 1)):
        raise ValueError("departments.csv must hold INE codes 1-22 exactly once")

    def col(name: str, scale: float = 1.0) -> np.ndarray:
        return np.array([float(r[name]) for r in rows]) * scale

    names = tuple(r["department"] for r in rows)
    households = col("households_census2018").astype(np.int64)
    population = col("population_census2018").astype(np.int64)
    agricultural = col("agricultural_workers_census2018") / col("total_occupied_census2018")
    poverty = np.full(N_DEPARTMENTS, np.nan)
    for row in read_csv("departments_more_long.csv"):
        if row["indicator"] == "poverty_total_pct_ENCOVI2023_direct":
            poverty[int(row["ine_code"]) - 1] = float(row["value"]) / 100
    if np.isnan(poverty).any():
        raise ValueError("departments_more_long.csv lacks ENCOVI 2023 poverty for some department")
    rural = agricultural * RURAL_SHARE_2018 / np.average(agricultural, weights=households)
    homicide, homicide_source = _homicide_stand_in(names, population)
    return Departments(
        code=np.arange(1, N_DEPARTMENTS + 1),
        name=names,
        households=households,
        population=population,
        literacy=col("adult_literacy_rate_15plus_census2018", 0.01),
        school_attendance=col("school_attendance_rate_age13_15_census2018", 0.01),
        unemployment=col("unemployment_rate_15plus_census2018", 0.01),
        agricultural_share=agricultural,
        emigrant_household_share=col("households_with_emigrants_2002_2018") / households,
        emigrants=col("emigrants_reported_by_households_2002_2018"),
        settled_share=_settled_shares(),
        poverty=poverty,
        rural_share=np.clip(rural, 0.02, 0.95),
        homicide_rate=homicide,
        homicide_source=homicide_source,
    )


@cache
def facts() -> dict[str, float]:
    """Single sourced figures from ``extra_facts.csv`` (poverty lines, age structure, exchange rate)."""
    return {row["indicator"]: float(row["value"]) for row in read_csv("extra_facts.csv")}
