"""Community health: clinics and health workers cover households; a small aspiration effect.

Mechanism: ``households_per_year`` households gain health cover for ``effect_months``; covered
households' aspiration falls by ``aspiration_shift``. The evidence that health services change
migration is thin (health is rarely a stated reason: OIM 2016 lists economic 64%, family 9%, violence
3%), so the default is small and assumed.
"""

from __future__ import annotations

from pydantic import Field

from sim.levers.base import COST_WHY, cost_scale, effect_scale, register
from sim.levers.enrolment import EnrolmentConfig, EnrolmentLever, Target
from sim.programs import Effect


class CommunityHealthConfig(EnrolmentConfig):
    households_per_year: float = Field(ge=0, le=3_000_000, description="households newly covered per year")
    effect_months: int = Field(60, ge=1, le=240, description="months a household stays covered")
    targeting: Target = Field("poor", description="who is covered: poor (default), any, aspiring, children, returnees")
    aspiration_shift: float = Field(-0.1, ge=-5, le=5, description="log-odds added while covered (assumed small)")
    cost_usd_per_household: float = Field(
        ge=0, le=100_000, description="cost of covering one household for the whole period, USD"
    )


@register
class CommunityHealth(EnrolmentLever):
    name = "community_health"
    summary = "health cover for households: a small fall in aspiration"
    Config = CommunityHealthConfig
    per_year_field = "households_per_year"
    unit_cost_field = "cost_usd_per_household"
    uncertain = (
        effect_scale(
            {"aspiration_shift": 0.0},
            0.0,
            2.0,
            "judgement: health is rarely a stated reason to leave (OIM 2016), so from none to twice the small default",
        ),
        cost_scale(("cost_usd_per_household",), 0.7, 2.0, COST_WHY),
    )

    def effect(self):
        return Effect(aspiration=self.config.aspiration_shift)
