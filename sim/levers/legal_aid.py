"""Legal aid and reintegration for returnees: fewer re-attempts, more use of legal pathways.

Mechanism: ``households_per_year`` households with a returned or deported member receive legal aid and
reintegration support for ``effect_months``: apprehended migrants try again less often
(``reattempt_factor``), the household aspires less (``aspiration_shift``), and it is ``visa_priority``
times as likely as others to obtain a temporary work visa if it aspires. All three are assumed; IGM
counts about 55,000-80,000 deportees a year (2021-2025, national_series.csv), the pool this serves.
"""

from __future__ import annotations

from pydantic import Field

from sim.levers.base import COST_WHY, cost_scale, effect_scale, register
from sim.levers.enrolment import EnrolmentConfig, EnrolmentLever
from sim.programs import Effect


class LegalAidConfig(EnrolmentConfig):
    households_per_year: float = Field(ge=0, le=500_000, description="returnee households assisted per year")
    effect_months: int = Field(24, ge=1, le=240, description="months the support lasts")
    reattempt_factor: float = Field(
        0.5, ge=0, le=1, description="factor on the chance an apprehended member tries again (assumed)"
    )
    aspiration_shift: float = Field(-0.3, ge=-5, le=5, description="log-odds added while assisted (assumed)")
    visa_priority: float = Field(3.0, ge=1, le=20, description="weight in the allocation of work visas (assumed)")
    cost_usd_per_household: float = Field(ge=0, le=100_000, description="cost of assisting one household, USD")


@register
class LegalAid(EnrolmentLever):
    name = "legal_aid"
    summary = "legal aid and reintegration for returnee households: fewer re-attempts, more legal pathways"
    Config = LegalAidConfig
    per_year_field = "households_per_year"
    unit_cost_field = "cost_usd_per_household"
    uncertain = (
        effect_scale(
            {"reattempt_factor": 1.0, "aspiration_shift": 0.0, "visa_priority": 1.0},
            0.0,
            1.5,
            "judgement: no evaluation of legal aid or reintegration on re-migration was found",
        ),
        cost_scale(("cost_usd_per_household",), 0.7, 2.0, COST_WHY),
    )

    def target(self):
        return "returnees"

    def effect(self):
        c = self.config
        return Effect(reattempt_factor=c.reattempt_factor, aspiration=c.aspiration_shift, visa_priority=c.visa_priority)
