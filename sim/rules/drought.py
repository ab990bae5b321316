"""Drought: farming households hit by a dry season aspire more to leave, for about a year.

Evidence: 70.7% more emigration after growing seasons drier than the historical average (Linke et al.
2023); drought raises emigration the following year (Britos et al. 2023). The default log(1.707) puts
that ratio on aspiration at severity 1; the income loss (liquidity) works the other way through
capability, as Britos et al. find for heat.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from sim.features import Term
from sim.rules.base import Rule, RuleParams, register


class DroughtParams(RuleParams):
    recent_drought: float = Field(
        ge=-3,
        le=5,
        description="log-odds for agricultural households per unit of drought severity in the last 12 months",
    )


@register
class Drought(Rule):
    name = "drought"
    kind = "aspiration"
    Params = DroughtParams

    def vectorised(self, h, env):
        severity = np.asarray(env.drought_recent, dtype=np.float32)
        return h.per_household(np.float32(self.params.recent_drought) * severity) * h.agricultural

    def one(self, hh, d, env):
        return self.params.recent_drought * env.drought_recent[d] * hh.agricultural

    def compiled(self, env):
        return Term({"agricultural": self.params.recent_drought * np.asarray(env.drought_recent)})
