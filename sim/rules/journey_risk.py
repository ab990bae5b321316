"""Perceived risk and cost of the journey: a dangerous or dear crossing deters some aspiration.

Evidence: awareness of stricter US enforcement "had no effect" on considering emigration (Hiskey et al.
2018), so the risk term is small by default; enforcement works mostly through capability and the
journey itself. Awareness campaigns add to a household's perceived risk (``public_awareness``). Cost is
weighed against a year of household income. Magnitudes are assumed.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field

from sim.features import Term
from sim.rules.base import Rule, RuleParams, register


class JourneyRiskParams(RuleParams):
    risk: float = Field(
        ge=-10, le=10, description="log-odds per unit probability that an attempt fails (apprehension or death)"
    )
    cost: float = Field(
        ge=-3, le=3, description="log-odds per log unit of the smuggler fee over a year of household income"
    )


@register
class JourneyRisk(Rule):
    name = "journey_risk"
    kind = "aspiration"
    Params = JourneyRiskParams

    def vectorised(self, h, env):
        p = self.params
        fee = h.per_household(env.fee, np.float64)
        burden = np.log(fee / (12 * np.maximum(h.income, np.float32(1))))
        risk = h.per_household(env.perceived_failure, np.float64) + h.effects.perceived_risk
        return np.float32(p.risk) * risk + np.float32(p.cost) * burden

    def one(self, hh, d, env):
        p = self.params
        risk = env.perceived_failure[d] + hh.effects["perceived_risk"]
        return p.risk * risk + p.cost * math.log(env.fee[d] / (12 * max(hh.income, 1.0)))

    def compiled(self, env):
        p = self.params
        place = p.risk * env.perceived_failure + p.cost * np.log(env.fee / 12)
        return Term({"place": place, "perceived_risk": p.risk, "log_income": -p.cost})
