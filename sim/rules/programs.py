"""Programs: the aspiration shifts of the programs a household is enrolled in (jobs, mentoring, ...).

Each lever that enrols households sets its own shift and documents its evidence; this rule adds the
shifts of a household's active enrolments (fading where the lever says so), times ``weight``.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from sim.features import Term
from sim.rules.base import Rule, RuleParams, register


class ProgramsParams(RuleParams):
    weight: float = Field(ge=0, le=5, description="multiplier on the aspiration shifts set by each lever (1 = as set)")


@register
class Programs(Rule):
    name = "programs"
    kind = "aspiration"
    Params = ProgramsParams

    def vectorised(self, h, env):
        return np.float32(self.params.weight) * h.effects.aspiration

    def one(self, hh, d, env):
        return self.params.weight * hh.effects["aspiration"]

    def compiled(self, env):
        return Term({"program_aspiration": self.params.weight})
