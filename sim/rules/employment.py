"""Employment and income push: households without work or far below the poverty line aspire more.

Evidence: economic motives dominate stated reasons (64% of intenders, LAPOP 2021; 71%, Creative
Associates 2019; 64% of returnees, OIM 2016) and municipal income is a key determinant of Guatemalan
emigration (Kemme & Benavides 2021). A job-program job counts beyond its wage: it answers the main
stated reason for leaving with a local prospect. Without that term (``program_job: 0``) the wage's
capability effect offsets most of its aspiration effect (the "migration hump") and job programs change
outflow by a few percent at most. Magnitudes are assumed until calibration.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field

from sim.rules.base import Rule, RuleParams, register


class EmploymentParams(RuleParams):
    unemployed: float = Field(ge=-5, le=5, description="log-odds added when the main earner has no work")
    income: float = Field(
        ge=-5, le=5, description="log-odds per log unit of income per person at home over the poverty line"
    )
    program_job: float = Field(ge=-5, le=5, description="log-odds added while a member holds a job-program job")


@register
class Employment(Rule):
    name = "employment"
    kind = "aspiration"
    Params = EmploymentParams

    def vectorised(self, h, env):
        p = self.params
        per_person = np.maximum(h.income, np.float32(1)) / np.maximum(h.members_home, 1)
        relative = np.log(per_person / np.float32(env.poverty_line))
        in_program = h.program_until > env.month
        return (
            np.float32(p.unemployed) * ~h.employed
            + np.float32(p.income) * relative
            + np.float32(p.program_job) * in_program
        )

    def one(self, hh, d, env):
        p = self.params
        per_person = max(hh.income, 1.0) / max(hh.members_home, 1)
        return (
            p.unemployed * (not hh.employed)
            + p.income * math.log(per_person / env.poverty_line)
            + p.program_job * (hh.program_until > env.month)
        )
