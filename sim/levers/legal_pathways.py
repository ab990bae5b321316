"""Legal pathways: temporary US work visas (H-2A-like), circular by design.

Mechanism: ``visas_per_year`` extra visas are offered to aspiring households with a working-age member
to send and another staying, in the target departments (on top of the 3,964 H-2A visas a year of the
baseline, 2018). Uptake is realistic in two ways: only ``uptake`` of offers are taken up (recruitment,
paperwork, costs; assumed), and visas cannot exceed the eligible households. Temporary workers leave for
``legal.duration_months`` (8, seasonal), remit, and come back; they do not need a smuggler.
"""

from __future__ import annotations

from pydantic import Field

from sim.levers.base import COST_WHY, Lever, TargetedConfig, cost_scale, effect_scale, register


class LegalPathwaysConfig(TargetedConfig):
    visas_per_year: float = Field(ge=0, le=500_000, description="extra temporary work visas offered per year")
    uptake: float = Field(0.8, ge=0, le=1, description="share of offered visas taken up (assumed)")
    cost_usd_per_visa: float = Field(
        ge=0, le=100_000, description="public cost per visa used (recruitment, processing, protection), USD"
    )


@register
class LegalPathways(Lever):
    name = "legal_pathways"
    summary = "temporary work visas per year for aspiring households: legal, circular departures replace irregular ones"
    Config = LegalPathwaysConfig
    uncertain = (
        effect_scale(
            {"uptake": 0.0},
            0.6,
            1.2,
            "judgement: recruitment, paperwork and costs leave from about half to nearly all offered visas used",
        ),
        cost_scale(("cost_usd_per_visa",), 0.7, 2.0, COST_WHY),
    )

    def apply(self, env, params):
        c = self.config
        return self.offer(env.visas, c.visas_per_year, c.uptake, c.cost_usd_per_visa, env.month)
