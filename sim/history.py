"""Observed conditions over time, read from the sourced national series (``national_series.csv``).

Each series is a yearly or fiscal-year table interpolated to months and held flat beyond its data:

* **Smuggler fee** (USD per person): level from the EMIF Sur 2010-2019 Northern Triangle average
  (US$4,559, placed mid-2014), MPI/WFP 2021 (US$7,500) and Conapo 2022 for Guatemalans (US$12,400);
  before 2014 the level follows the shape of the Mexican MMP coyote-fee series (1980-2009), rescaled
  to meet US$4,559, because no Guatemalan series exists.
* **Border Patrol staffing**: USBP agents in southwest-border sectors, FY1992-FY2019, as an index on
  FY2018; it scales the US apprehension probability.
* **National homicide rate** (PNC): 2009 peak 46, 2018 22.4, 2020-2024 15-17 per 100k, as an index on
  2018; held at the 2009 peak before 2009 (no earlier point in the data).
* **Remittance per migrant** (USD per month): Banguat totals over the number of senders
  (1.8 million in 2016, 2.1 million in 2022); 2010 scaled by OIM's per-household 2010/2016 ratio.
* **US labour demand**: the 2019 US unemployment rate over the month's (BLS: yearly means placed mid-year,
  and the monthly rates of 2020-2023, when the pandemic moved it within months), so 1 in 2019, 0.38 in 2010,
  0.25 in April 2020, 0.68 in 2021 and 0.92 in 2024, held at 2024's beyond. Border
  crossings have long tracked the US labour market (e.g. Hanson & Spilimbergo 1999).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from sim.calendar import decimal_year
from sim.departments import read_csv


@cache
def _series(name: str) -> dict[int, float]:
    return {int(r["year"]): float(r["value"]) for r in read_csv("national_series.csv") if r["series"] == name}


@cache
def _survey(name: str, year: str) -> float:
    return next(float(r["value"]) for r in read_csv("surveys.csv") if r["indicator"] == name and r["year"] == year)


def _interp(times: np.ndarray, points: dict[float, float]) -> np.ndarray:
    xs = np.array(sorted(points))
    return np.interp(times, xs, [points[x] for x in xs])


def fee_points() -> dict[float, float]:
    """Anchor points (decimal year -> USD) of the smuggler fee path described in the module docstring."""
    emif = _survey("coyote_fee_nt_avg_emif_sur_2010_2019_usd", "")
    mmp = _series("coyote_fee_mexico_us_crossing_MMP")
    points = {year + 0.5: emif * fee / mmp[max(mmp)] for year, fee in mmp.items() if year >= 1995}
    points[2014.5] = emif
    points[2021.5] = _survey("coyote_fee_nt_avg_usd", "")
    points[2022.5] = _survey("coyote_fee_guatemalans_total_usd", "2022")
    return points


def remittance_points() -> dict[float, float]:
    """USD per month per migrant: Banguat yearly total / senders."""
    banguat = _series("remittances_banguat")
    per_2016 = banguat[2016] * 1e6 / 12 / _survey("iom_people_sending_remittances", "2016")
    per_2022 = (
        banguat[2022] * 1e6 / 12 / 2.1e6
    )  # 2.1 million senders: surveys.csv iom_avg_monthly_remittance_per_recipient_usd note
    ratio_2010 = _survey("iom_avg_monthly_remittance_per_household_usd", "2010") / _survey(
        "iom_avg_monthly_remittance_per_household_usd", "2016"
    )
    return {2010.5: per_2016 * ratio_2010, 2016.5: per_2016, 2022.5: per_2022}


def us_unemployment_points() -> dict[float, float]:
    """US unemployment (%): yearly means at mid-year, and the months of 2020-2023, when the pandemic moved it."""
    monthly = {}
    for row in read_csv("us_unemployment_monthly.csv"):
        year, month = map(int, row["month"].split("-"))
        monthly[year + (month - 0.5) / 12] = float(row["unemployment_rate"])
    covered = {int(t) for t in monthly}
    yearly = {y + 0.5: v for y, v in _series("us_unemployment_rate_bls").items() if y not in covered}
    return yearly | monthly


@dataclass(frozen=True)
class History:
    """Monthly values of each observed series for months ``first .. first + len - 1``."""

    first: int
    fee: np.ndarray
    staffing: np.ndarray  # index, FY2018 = 1
    homicide: np.ndarray  # index, 2018 = 1
    remittance: np.ndarray
    us_demand: np.ndarray  # index, 2019 = 1

    @classmethod
    def from_data(cls, first: int, last: int) -> History:
        months = np.arange(first, last + 1)
        years = np.array([decimal_year(m) for m in months])
        fiscal_year = months // 12 + (months % 12 >= 9)  # October starts the next US fiscal year
        agents = _series("usbp_agents_southwest_border_sectors")
        staffing = np.array([agents[min(max(fy, min(agents)), max(agents))] for fy in fiscal_year]) / agents[2018]
        homicide_points = {y + 0.5: v for y, v in _series("homicide_rate_national_PNC").items()}
        homicide = _interp(years, homicide_points) / homicide_points[2018.5]
        unemployment = us_unemployment_points()
        us_demand = unemployment[2019.5] / _interp(years, unemployment)
        return cls(
            first, _interp(years, fee_points()), staffing, homicide, _interp(years, remittance_points()), us_demand
        )

    def at(self, month: int) -> int:
        """Position of ``month`` in the arrays."""
        return month - self.first
