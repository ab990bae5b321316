"""Employment and income push: households without work or far below the poverty line aspire more.

Evidence: economic motives dominate stated reasons (64% of intenders, LAPOP 2021; 71%, Creative
Associates 2019; 64% of returnees, OIM 2016) and municipal income is a key determinant of Guatemalan
emigration (Kemme & Benavides 2021). Magnitudes are assumed until calibration. (What a job-program job
does beyond its wage is the job_programs lever's ``aspiration_shift``.)
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field

from sim.features import Term
from sim.rules.base import Rule, RuleParams, register


class EmploymentParams(RuleParams):
    unemployed: float = Field(ge=-5, le=5, description="log-odds added when the main earner has no work")
    income: float = Field(
        ge=-5, le=5, description="log-odds per log unit of income per person at home over the poverty line"
    )


@register
class Employment(Rule):
    name = "employment"
    kind = "aspiration"
    Params = EmploymentParams

    def vectorised(self, h, env):
        p = self.params
        per_person = np.maximum(h.income, np.float32(1)) / np.maximum(h.members_home, 1)
        relative = np.log(per_person / np.float32(env.poverty_line))
        return np.float32(p.unemployed) * ~h.employed + np.float32(p.income) * relative

    def one(self, hh, d, env):
        p = self.params
        per_person = max(hh.income, 1.0) / max(hh.members_home, 1)
        return p.unemployed * (not hh.employed) + p.income * math.log(per_person / env.poverty_line)

    def compiled(self, env):
        p = self.params
        coefficients = {
            "place": -p.income * math.log(env.poverty_line),
            "not_employed": p.unemployed,
            "log_income": p.income,
            "log_members_home": -p.income,
        }
        return Term(coefficients)
