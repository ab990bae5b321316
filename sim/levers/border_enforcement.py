"""Border enforcement: surveillance and patrols raise apprehension, smuggler fees, and settlement.

Mechanism: the US (and optionally Mexican) apprehension probability is multiplied (capped at 0.95);
smugglers pass the risk on in their fee (elasticity ``journey.fee_enforcement_elasticity``); and
migrants already in the US return home less often (``returns.enforcement_elasticity``), as border
militarisation turned circular Mexican migration into settlement (Massey, Durand & Pren 2015, 2016).
Awareness of enforcement does not change aspiration much (Hiskey et al. 2018).
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from sim.levers.base import Lever, LeverConfig, cost_scale, effect_scale, register

P_MAX = 0.95


class BorderEnforcementConfig(LeverConfig):
    apprehension_multiplier: float = Field(
        1.5,
        ge=1,
        le=3,
        description=f"factor on the probability of apprehension at the US border, which is capped at {P_MAX}: "
        "beyond the cap a larger factor adds nothing there (see the README)",
    )
    mexico_multiplier: float = Field(
        1.0, ge=1, le=3, description=f"factor on the probability of apprehension in Mexico (capped at {P_MAX})"
    )
    cost_usd_per_year: float = Field(
        ge=0, le=1e11, description="cost of the extra surveillance and patrols, USD per year"
    )


@register
class BorderEnforcement(Lever):
    name = "border_enforcement"
    summary = "apprehension at the US border (and in Mexico) rises; fees rise; fewer return home"
    Config = BorderEnforcementConfig
    uncertain = (
        effect_scale(
            {"apprehension_multiplier": 1.0, "mexico_multiplier": 1.0},
            0.3,
            1.2,
            "issue #22: US$1 billion a year buys about 5,800 agents at about US$171,000 per agent-year (CBO), +35% "
            "on the 16,731 southwest-border agents of FY2019, a multiplier near 1.16 through the staffing elasticity "
            "(0.5): about 0.3 of the excess of the shipped 1.5; up to 1.2 for technology beyond agents (judgement)",
        ),
        cost_scale(("cost_usd_per_year",), 0.8, 1.5, "judgement: what the stated effect costs; overruns likelier"),
    )

    def apply(self, env, params):
        c = self.config
        strength = self.intensity(env.month)
        us = 1 + (c.apprehension_multiplier - 1) * strength
        mexico = 1 + (c.mexico_multiplier - 1) * strength
        env.p_us = np.minimum(P_MAX, env.p_us * us)
        env.p_mexico = np.minimum(P_MAX, env.p_mexico * mexico)
        overall = us * mexico
        env.fee = env.fee * overall**params.journey.fee_enforcement_elasticity
        env.return_rate = env.return_rate * overall**-params.returns.enforcement_elasticity
        return c.cost_usd_per_year / 12 * strength
