"""Education: parents leave where schooling for their children is scarce; schooled heads move more.

Evidence: 14% of intenders cite lack of educational opportunity (LAPOP 2021). The positive selection
on the head's schooling is a common finding for Central America; both magnitudes are assumed.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from sim.features import Term
from sim.rules.base import Rule, RuleParams, register


class EducationParams(RuleParams):
    school_gap: float = Field(
        ge=-5, le=5, description="log-odds per unit of (1 - school attendance at 13-15) for households with children"
    )
    head_schooling: float = Field(ge=-1, le=1, description="log-odds per year of the head's schooling")


@register
class Education(Rule):
    name = "education"
    kind = "aspiration"
    Params = EducationParams

    def vectorised(self, h, env):
        p = self.params
        gap = h.per_household(np.float32(p.school_gap) * (1 - np.asarray(env.school_attendance, dtype=np.float32)))
        return gap * h.children + np.float32(p.head_schooling) * h.head_education

    def one(self, hh, d, env):
        p = self.params
        return p.school_gap * (1 - env.school_attendance[d]) * hh.children + p.head_schooling * hh.head_education

    def compiled(self, env):
        p = self.params
        gap = p.school_gap * (1 - np.asarray(env.school_attendance))
        return Term({"children": gap, "head_education": p.head_schooling})
