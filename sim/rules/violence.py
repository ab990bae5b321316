"""Violence push: department homicide and the household's own recent victimisation.

Evidence: crime victims are about 30% more likely to consider migrating (Wood et al. 2010, IMR 44(1));
Hiskey, Malone & Orces (2014) find victimisation ranks just after age and sex. For *department*
homicide the evidence is mixed (Clemens 2017: more child migration; an event-history study,
PMC3011825: in Guatemala rising violence reduced emigration), so that term is small by default.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field

from sim.environment import REFERENCE_HOMICIDE
from sim.features import Term
from sim.rules.base import Rule, RuleParams, register

VICTIM_MEMORY = 12  # months a crime keeps weighing on the decision


class ViolenceParams(RuleParams):
    homicide: float = Field(ge=-3, le=3, description="log-odds per log unit of department homicide over 22.4 per 100k")
    victimised: float = Field(ge=-3, le=3, description="log-odds added for a crime suffered in the last 12 months")


@register
class Violence(Rule):
    name = "violence"
    kind = "aspiration"
    Params = ViolenceParams

    def vectorised(self, h, env):
        p = self.params
        place = np.log(np.asarray(env.homicide, dtype=np.float32) / np.float32(REFERENCE_HOMICIDE))
        recent = (env.month - h.victim_month.astype(np.int32)) < VICTIM_MEMORY
        return h.per_household(np.float32(p.homicide) * place) + np.float32(p.victimised) * recent

    def one(self, hh, d, env):
        p = self.params
        recent = env.month - hh.victim_month < VICTIM_MEMORY
        return p.homicide * math.log(env.homicide[d] / REFERENCE_HOMICIDE) + p.victimised * recent

    def compiled(self, env):
        p = self.params
        place = p.homicide * np.log(np.asarray(env.homicide) / REFERENCE_HOMICIDE)
        return Term({"place": place, "recently_victimised": p.victimised}, {"victim_memory": VICTIM_MEMORY})
