"""Border enforcement: the Border Patrol agents a budget buys, acting as history's staffing does.

Mechanism: ``cost_usd_per_year`` buys ``agents_per_billion_usd`` agents for each US$1 billion a year (5,834:
the CBO's US$171,400 per additional officer-year, ``sim/data/enforcement_costs.csv``), added to the
southwest-border agents of the month: history's staffing (:mod:`sim.history`) times FY2018's 16,608, so
FY2019's 16,731 from FY2019 on (the last year of CBP's staffing table). The US apprehension probability of
those who evade scales with staffing through ``journey.staffing_elasticity`` exactly as history's staffing
does (capped at 0.95); those who surrender to claim asylum are encountered whatever it is (:mod:`sim.border`),
so enforcement dollars do not change their outcomes. Optional factors, 1 by default and assumed when set:
``technology_multiplier`` counts surveillance technology or barriers beyond agents as if staffing were that
much larger, and ``mexico_multiplier`` scales apprehension in Mexico (enforcement the US pays Mexico for).
Smugglers pass enforcement on in their fee (elasticity ``journey.fee_enforcement_elasticity``, Gathmann 2008),
and migrants already in the US return home less often (``returns.enforcement_elasticity``), as border
militarisation turned circular Mexican migration into settlement (Massey, Durand & Pren 2015, 2016).
Awareness of enforcement does not change aspiration much (Hiskey et al. 2018).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import Field

from sim.departments import read_csv
from sim.levers.base import Lever, LeverConfig, effect_scale, register

P_MAX = 0.95


def _enforcement_cost(series: str, fiscal_year: int) -> float:
    """One sourced number of ``enforcement_costs.csv``."""
    rows = read_csv("enforcement_costs.csv")
    return next(float(r["value"]) for r in rows if r["series"] == series and int(r["fiscal_year"]) == fiscal_year)


AGENTS_PER_BILLION_USD = _enforcement_cost("agents_per_usd_billion_per_year_DERIVED", 2013)  # 1e9 / US$171,400
AGENTS_FY2018 = _enforcement_cost("usbp_agents_southwest_border_sectors", 2018)  # history's staffing index is on it


class BorderEnforcementConfig(LeverConfig):
    # the multiplier this lever had before its effect followed its dollars (issue #22)
    replaced_keys: ClassVar[dict[str, str]] = {"apprehension_multiplier": "cost_usd_per_year"}

    cost_usd_per_year: float = Field(
        ge=0,
        le=1e11,
        description="budget for more Border Patrol agents at the US southwest border, USD per year: "
        "what it buys sets the effect",
    )
    agents_per_billion_usd: float = Field(
        AGENTS_PER_BILLION_USD,
        ge=0,
        le=20_000,
        description="agents on the southwest border a year of US$1 billion buys (CBO: US$171,400 per officer-year)",
    )
    technology_multiplier: float = Field(
        1.0,
        ge=1,
        le=3,
        description="surveillance technology or barriers beyond agents, as a factor on staffing (assumed; 1: agents only)",
    )
    mexico_multiplier: float = Field(
        1.0, ge=1, le=3, description=f"factor on the probability of apprehension in Mexico (capped at {P_MAX})"
    )


@register
class BorderEnforcement(Lever):
    name = "border_enforcement"
    summary = "more Border Patrol agents for the budget: those who evade are caught more often; fees rise; fewer return"
    Config = BorderEnforcementConfig
    budgets = ("cost_usd_per_year",)
    uncertain = (
        effect_scale(
            {"agents_per_billion_usd": 0.0, "technology_multiplier": 1.0, "mexico_multiplier": 1.0},
            0.7,
            1.1,
            "what a dollar buys (enforcement_costs.csv): 5,834 agents per US$1 billion a year at the CBO's marginal "
            "US$171,400 per officer-year (2013 dollars); 4,180 at the Border Patrol's all-in average of FY2019 "
            "(US$4.7 billion for 19,648 agents), about what the CBO figure comes to in today's dollars (judgement); "
            "6,264 at CBP's first-year cost of a new agent (US$159,642, FY2009): 0.72 to 1.07 times the default. "
            "How apprehension responds to agents is journey.staffing_elasticity, whose own range worlds sample",
        ),
    )

    def apply(self, env, params):
        c = self.config
        strength = self.intensity(env.month)
        bought = c.cost_usd_per_year / 1e9 * c.agents_per_billion_usd * strength
        staffing = (1 + bought / (env.staffing * AGENTS_FY2018)) * (1 + (c.technology_multiplier - 1) * strength)
        mexico = 1 + (c.mexico_multiplier - 1) * strength
        env.p_us = np.minimum(P_MAX, env.p_us * staffing**params.journey.staffing_elasticity)
        env.p_mexico = np.minimum(P_MAX, env.p_mexico * mexico)
        enforcement = staffing * mexico
        env.fee = env.fee * enforcement**params.journey.fee_enforcement_elasticity
        env.return_rate = env.return_rate * enforcement**-params.returns.enforcement_elasticity
        return c.cost_usd_per_year / 12 * strength
