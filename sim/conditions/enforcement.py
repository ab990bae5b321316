"""Mexican migration enforcement, decided in Mexico rather than by the agreement."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import Field

from sim.conditions.base import Condition, ConditionConfig, register

P_MAX = 0.95


class MexicoEnforcementConfig(ConditionConfig):
    # the baseline dates Mexico's periods (Programa Frontera Sur 2014, the 2019 deployment): a period outside a
    # run's window is part of the record, not a wrong date
    history: ClassVar[bool] = True

    multiplier: float = Field(ge=0.2, le=4, description="factor on the probability an attempt is stopped in Mexico")


@register
class MexicoEnforcement(Condition):
    """Mexico stops more (or fewer) migrants in transit; capped at 0.95."""

    name = "mexico_enforcement"
    summary = "apprehension in Mexico rises or falls"
    Config = MexicoEnforcementConfig

    def apply(self, env, params):
        factor = 1 + (self.config.multiplier - 1) * self.intensity(env.month)
        env.p_mexico = np.minimum(P_MAX, env.p_mexico * factor)
