"""Drought or crop loss in chosen departments: farm income falls, and emigration rises the year after.

Evidence: 70.7% more emigration to the US when the local growing season was drier than the historical
average (Linke et al. 2023, El Salvador, Guatemala and Honduras 2012-2018); drought raises emigration
the following year (Britos et al. 2023, Guatemala); a coffee-rust outbreak with 71% crop loss more than
doubled farmer migration (Dupre et al. 2022). In the model, during the drought agricultural households
lose ``crop_loss`` x severity of their income; for 12 months from its start their aspiration gains
``drought.recent_drought`` x severity (log(1.707) by default). Severity is given, or taken from the
CHIRPS May-August rainfall of 2015 or 2019 (``like_year``): severity = min(1, -z / 2.45), where -2.45 is
the driest department-season of 2015.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from sim.conditions.base import Condition, PlacedConditionConfig, register
from sim.departments import N_DEPARTMENTS, read_csv

DRIEST_Z = 2.45  # CHIRPS May-Aug z-score of the driest department in 2015 (departments_more_long.csv)
MEMORY_MONTHS = 12


@cache
def chirps_severity(year: int) -> np.ndarray:
    """Per-department severity of the May-August season of ``year`` from CHIRPS z-scores."""
    z = np.zeros(N_DEPARTMENTS)
    for row in read_csv("departments_more_long.csv"):
        if row["indicator"] == "rainfall_MayAug_zscore_CHIRPS" and row["year"] == str(year):
            z[int(row["ine_code"]) - 1] = float(row["value"])
    return np.clip(-z / DRIEST_Z, 0, 1)


class DroughtConfig(PlacedConditionConfig):
    severity: float | None = Field(
        None, ge=0, le=1, description="0 = normal rain, 1 = the driest season on record (2015 in the Dry Corridor)"
    )
    like_year: Literal[2015, 2019] | None = Field(
        None, description="take each department's severity from the CHIRPS rainfall of this year"
    )
    crop_loss: float = Field(
        0.5, ge=0, le=1, description="share of agricultural income lost at severity 1 while the drought lasts (assumed)"
    )

    @model_validator(mode="after")
    def _one_severity(self) -> DroughtConfig:
        if self.severity is None and self.like_year is None:
            raise ValueError("give severity: (0-1) or like_year: (2015 or 2019)")
        if self.severity is not None and self.like_year is not None:
            raise ValueError(
                f"give severity: ({self.severity:g}) or like_year: ({self.like_year}), not both (a child of a scenario "
                "with one of them removes it with `like_year: null` or `severity: null`)"
            )
        return self


@register
class Drought(Condition):
    name = "drought"
    summary = "drought in chosen departments: farm income falls; aspiration rises for a year"
    Config = DroughtConfig

    def severity(self) -> np.ndarray:
        c = self.config
        level = chirps_severity(c.like_year) if c.like_year else np.full(N_DEPARTMENTS, c.severity)
        return np.where(self.mask, level, 0.0)

    def apply(self, env, params):
        c = self.config
        env.crop_loss = np.maximum(env.crop_loss, c.crop_loss * self.severity() * self.intensity(env.month))
        end = c.end if c.end is not None else env.month
        if c.start <= env.month <= end + MEMORY_MONTHS:
            env.drought_recent = np.maximum(env.drought_recent, self.severity())
