"""Job programs: jobs created in target departments employ and pay household members.

Mechanism: each month ``jobs_per_year / 12`` new program jobs (times the ramp) are shared among the
target departments in proportion to their census occupied population, and go to households with a
working-age member at home in the target group: by default households where someone wants to migrate
(as youth-at-risk employment programs recruit), or households below the poverty line, or anyone. A job sets the household as employed and adds the wage to its income for
``job_duration_months``; the employment rule then lowers its aspiration, while its savings (and so its
capability) rise. Untargeted jobs therefore change outflow little (the "migration hump": Clemens
2014): compare ``targeting: any`` with the default. No Guatemalan evaluation
of the size of this effect was found; it is what the employment rule's coefficients imply.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from sim.departments import read_csv
from sim.environment import PROGRAM_TARGETS
from sim.levers.base import Lever, TargetedConfig, register


class JobProgramsConfig(TargetedConfig):
    jobs_per_year: float = Field(ge=0, le=500_000, description="jobs created per year across the target departments")
    job_duration_months: int = Field(24, ge=1, le=120, description="months each job lasts")
    wage_usd_per_month: float = Field(
        400,
        ge=0,
        le=5_000,
        description="wage of a program job, USD per month (default near Guatemala's minimum wage, assumed)",
    )
    targeting: Literal["aspiring", "poor", "any"] = Field(
        "aspiring",
        description="who is hired: households wanting to migrate, households below the poverty line, or anyone",
    )
    cost_usd_per_job: float = Field(
        ge=0, le=1_000_000, description="cost of creating one job for its whole duration, USD"
    )


def _occupied() -> np.ndarray:
    rows = sorted(read_csv("departments.csv"), key=lambda r: int(r["ine_code"]))
    return np.array([float(r["total_occupied_census2018"]) for r in rows])


@register
class JobPrograms(Lever):
    name = "job_programs"
    summary = "jobs created per year in target departments: employment and income rise"
    Config = JobProgramsConfig

    def __init__(self, label, config):
        super().__init__(label, config)
        occupied = np.where(config.department_mask(), _occupied(), 0.0)
        self.share = occupied / occupied.sum()

    def apply(self, env, params):
        c = self.config
        jobs = c.jobs_per_year / 12 * self.intensity(env.month) * self.share
        env.program_jobs = env.program_jobs + jobs
        env.program_wage = np.where(jobs > 0, c.wage_usd_per_month, env.program_wage)
        env.program_months = np.where(jobs > 0, c.job_duration_months, env.program_months)
        env.program_target = np.where(jobs > 0, PROGRAM_TARGETS.index(c.targeting), env.program_target)
        return float(jobs.sum() * c.cost_usd_per_job)
