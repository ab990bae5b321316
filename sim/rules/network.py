"""Networks abroad: kin in the US and a community used to migrating raise aspiration.

Evidence: transnational ties are one of three key drivers of intention (Creative Associates 2019,
Orozco 2021); diffusion through networks makes migration snowball (Clemens 2017; Massey's cumulative
causation). Magnitudes are assumed until calibration.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field

from sim.features import LOG1P, Term, ties
from sim.rules.base import Rule, RuleParams, register


class NetworkParams(RuleParams):
    ties: float = Field(ge=-3, le=3, description="log-odds per log(1 + relatives and members abroad)")
    prevalence: float = Field(
        ge=-10, le=20, description="log-odds per unit share of department households with a member abroad"
    )


@register
class Network(Rule):
    name = "network"
    kind = "aspiration"
    Params = NetworkParams

    def vectorised(self, h, env):
        p = self.params
        place = h.per_household(np.float32(p.prevalence) * np.asarray(env.prevalence, dtype=np.float32))
        return np.float32(p.ties) * LOG1P[np.minimum(ties(h), 255)] + place

    def one(self, hh, d, env):
        p = self.params
        count = hh.relatives_abroad + hh.settled_abroad + hh.members_abroad + hh.legal_abroad
        return p.ties * math.log1p(count) + p.prevalence * env.prevalence[d]

    def compiled(self, env):
        p = self.params
        return Term({"place": p.prevalence * env.prevalence, "log_ties": p.ties})
