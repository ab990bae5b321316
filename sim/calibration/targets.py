"""Observed targets, read from ``calibration/targets/`` (numbers with their sources, weights with reasons)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

import sim
from sim.departments import read_csv

DEFAULT_FOLDER = Path(sim.__file__).resolve().parent.parent / "calibration" / "targets"
APPREHENSION_YEARS = np.arange(2007, 2020)  # fiscal years FY2007-FY2019 (October to September)
INTENTION_YEAR = 2012
CENSUS_MONTH = "2018-07"  # the census ran 23 July - 16 August 2018


@dataclass(frozen=True)
class Targets:
    households: np.ndarray  # census 2018 households by department (INE order)
    emigrant_share: np.ndarray  # share of households with an emigrant since 2002, by department
    apprehensions: np.ndarray  # USBP southwest-border apprehensions of Guatemalans, FY2007-FY2019
    # the shares of those apprehensions that were family-unit members and unaccompanied children (NaN: no data)
    group_shares: dict[str, np.ndarray]
    intention: float  # share intending to emigrate (LAPOP 2012), as a fraction
    weights: dict[str, float]
    reasons: dict[str, str]

    @property
    def national_share(self) -> float:
        return float(self.emigrant_share @ self.households / self.households.sum())


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


FAMILY_SERIES = "cbp_family_unit_apprehensions_guatemalans"
GROUP_COLUMNS = {"family": "family_unit_members", "child": "unaccompanied_children"}  # sim.units -> border_series


def _group_shares(folder: Path, totals: np.ndarray) -> dict[str, np.ndarray]:
    """Family-unit members' and unaccompanied children's shares of the USBP apprehensions, FY2007-FY2019."""
    from sim.calibration.border_series import us_border

    table = us_border(folder).query("measure == 'usbp_apprehensions'")
    by_group = table.pivot_table(index="fiscal_year", columns="group", values="value")
    by_group = by_group.reindex(APPREHENSION_YEARS)
    shares = {group: by_group[column].to_numpy(dtype=float) / totals for group, column in GROUP_COLUMNS.items()}
    # FY2012's 340 family-unit members (Brookings/Duke 2022, in national_series.csv): the one count from before
    # the releases of 2015, which dates the families' rise
    for row in read_csv("national_series.csv"):
        year = int(row["year"])
        if (
            row["series"] == FAMILY_SERIES
            and year in APPREHENSION_YEARS
            and np.isnan(shares["family"][year - APPREHENSION_YEARS[0]])
        ):
            shares["family"][year - APPREHENSION_YEARS[0]] = float(row["value"]) / totals[year - APPREHENSION_YEARS[0]]
    return shares


def load_targets(folder: Path = DEFAULT_FOLDER) -> Targets:
    """The targets in ``folder``; a clear error when the folder is missing (e.g. an install without the repo)."""
    spec_file = folder / "targets.yaml"
    if not spec_file.exists():
        raise FileNotFoundError(
            f"calibration targets not found at {folder}: calibration needs the repository's calibration/targets/"
        )
    spec = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
    census = sorted(_rows(folder / spec["census_departments"]["file"]), key=lambda r: int(r["ine_code"]))
    households = np.array([float(r["households"]) for r in census])
    with_emigrants = np.array([float(r["households_with_emigrants"]) for r in census])
    series = {int(r["fiscal_year"]): float(r["apprehensions"]) for r in _rows(folder / spec["apprehensions"]["file"])}
    survey = next(
        r for r in _rows(folder / spec["intention"]["file"]) if r["indicator"] == "intend_to_live_or_work_abroad"
    )
    apprehensions = np.array([series[y] for y in APPREHENSION_YEARS])
    return Targets(
        households=households,
        emigrant_share=with_emigrants / households,
        apprehensions=apprehensions,
        group_shares=_group_shares(folder, apprehensions),
        intention=float(survey["value"]) / 100,
        weights={name: float(part["weight"]) for name, part in spec.items()},
        reasons={name: " ".join(part["reason"].split()) for name, part in spec.items()},
    )
