"""US labour demand: the pull of jobs and wages in the US.

Evidence: economic reasons dominate (LAPOP 2021, OIM 2016), and border crossings have long tracked the
US labour market; no Guatemalan elasticity was found, so the coefficient is calibrated to the
apprehension series. The demand index follows the US unemployment rate to 2019 and is 1 from then on
(:mod:`sim.history`); the ``us_labour_demand`` condition moves it.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field

from sim.features import Term
from sim.rules.base import Rule, RuleParams, register


class UsPullParams(RuleParams):
    demand: float = Field(ge=-5, le=5, description="log-odds per log unit of the US labour demand index")


@register
class UsPull(Rule):
    name = "us_pull"
    kind = "aspiration"
    Params = UsPullParams

    def vectorised(self, h, env):
        return np.full(h.n, np.float32(self.params.demand * math.log(env.us_demand)), dtype=np.float32)

    def one(self, hh, d, env):
        return self.params.demand * math.log(env.us_demand)

    def compiled(self, env):
        return Term({"place": self.params.demand * math.log(env.us_demand)})
