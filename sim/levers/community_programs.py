"""Community prevention programs and NGO partnerships: community engagement rises.

Mechanism: households join prevention programs (run by community organisations, or by NGO partners)
for ``effect_months``: they count as engaged (the agreement's target: +25% community engagement) and
aspire a little less (``aspiration_shift``, assumed). Engagement also lowers recruitment by criminal
organisations where that part of the model exists. Baseline engagement is ``population.engagement_baseline``.
"""

from __future__ import annotations

from pydantic import Field

from sim.levers.base import COST_WHY, cost_scale, effect_scale, register
from sim.levers.enrolment import EnrolmentConfig, EnrolmentLever, Target
from sim.programs import Effect

PREVENTION = (
    effect_scale(
        {"aspiration_shift": 0.0},
        0.0,
        1.5,
        "judgement: no evaluation of prevention programs' effect on migration was found",
    ),
)


class CommunityProgramsConfig(EnrolmentConfig):
    households_per_year: float = Field(
        ge=0, le=3_000_000, description="households joining prevention programs per year"
    )
    effect_months: int = Field(12, ge=1, le=240, description="months a household takes part")
    targeting: Target = Field("any", description="who joins: any (default), aspiring, poor, children, returnees")
    aspiration_shift: float = Field(-0.2, ge=-5, le=5, description="log-odds added while taking part (assumed)")
    cost_usd_per_household: float = Field(ge=0, le=100_000, description="cost per household per enrolment, USD")


@register
class CommunityPrograms(EnrolmentLever):
    name = "community_programs"
    summary = "prevention programs run with community organisations: engagement rises, aspiration falls a little"
    Config = CommunityProgramsConfig
    per_year_field = "households_per_year"
    unit_cost_field = "cost_usd_per_household"
    uncertain = (*PREVENTION, cost_scale(("cost_usd_per_household",), 0.7, 2.0, COST_WHY))

    def effect(self):
        return Effect(engaged=True, aspiration=self.config.aspiration_shift)


class NgoPartnershipsConfig(EnrolmentConfig):
    partnerships: float = Field(ge=0, le=10_000, description="NGO partnerships running prevention programs")
    households_per_partnership: float = Field(
        500, ge=1, le=100_000, description="households each partnership enrols per year"
    )
    effect_months: int = Field(12, ge=1, le=240, description="months a household takes part")
    targeting: Target = Field("any", description="who joins: any (default), aspiring, poor, children, returnees")
    aspiration_shift: float = Field(-0.2, ge=-5, le=5, description="log-odds added while taking part (assumed)")
    cost_usd_per_partnership_per_year: float = Field(
        ge=0, le=100_000_000, description="cost of one partnership per year, USD"
    )


@register
class NgoPartnerships(EnrolmentLever):
    name = "ngo_partnerships"
    summary = "partnerships with NGOs that run prevention programs: engagement rises, aspiration falls a little"
    Config = NgoPartnershipsConfig
    uncertain = (*PREVENTION, cost_scale(("cost_usd_per_partnership_per_year",), 0.7, 2.0, COST_WHY))

    def households_per_year(self):
        return self.config.partnerships * self.config.households_per_partnership

    def unit_cost(self):
        c = self.config
        return c.cost_usd_per_partnership_per_year / c.households_per_partnership  # per household enrolled

    def effect(self):
        return Effect(engaged=True, aspiration=self.config.aspiration_shift)
