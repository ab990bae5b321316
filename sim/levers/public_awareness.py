"""Public awareness campaigns about the dangers of the journey: small, fading effects.

Mechanism: ``people_reached_per_year`` people (turned into households at the census mean of 4.55
people per household) hear the campaign; the perceived chance that an attempt fails rises by
``risk_shift`` and fades with ``decay_months``. The journey-risk rule turns that into lower aspiration.
The evidence is weak: no evaluation of campaigns about the journey's dangers was found, and the nearest
result is about another message (awareness of stricter US deterrence "had no effect" on considering
emigration, Hiskey et al. 2018, in Honduras), so the defaults are small and short-lived.
"""

from __future__ import annotations

from pydantic import Field

from sim.departments import load_departments
from sim.levers.base import COST_WHY, cost_scale, effect_scale, register
from sim.levers.enrolment import EnrolmentConfig, EnrolmentLever, Target
from sim.programs import Effect


class PublicAwarenessConfig(EnrolmentConfig):
    people_reached_per_year: float = Field(ge=0, le=20_000_000, description="people reached per year")
    risk_shift: float = Field(
        0.1, ge=0, le=1, description="rise in the perceived chance an attempt fails (assumed small)"
    )
    decay_months: float = Field(6, ge=0.5, le=120, description="months for the effect to fade to 37% (e-folding)")
    effect_months: int = Field(24, ge=1, le=240, description="months after which the campaign is forgotten")
    targeting: Target = Field("any", description="who is reached: any (default), aspiring, poor, children, returnees")
    cost_usd_per_person: float = Field(ge=0, le=10_000, description="cost per person reached, USD")


@register
class PublicAwareness(EnrolmentLever):
    name = "public_awareness"
    summary = "campaigns on the dangers of the journey: perceived risk rises a little, then fades"
    Config = PublicAwarenessConfig
    per_year_field = "people_reached_per_year"
    unit_cost_field = "cost_usd_per_person"
    uncertain = (
        effect_scale(
            {"risk_shift": 0.0},
            0.0,
            1.5,
            "awareness of US deterrence had no effect on considering emigration (Hiskey et al. 2018), so from none; "
            "no evaluation of campaigns on the journey's dangers was found",
        ),
        cost_scale(("cost_usd_per_person",), 0.7, 2.0, COST_WHY),
    )

    def households_per_year(self):
        d = load_departments()
        return self.config.people_reached_per_year / (d.population.sum() / d.households.sum())

    def unit_cost(self):
        d = load_departments()
        return self.config.cost_usd_per_person * d.population.sum() / d.households.sum()

    def effect(self):
        c = self.config
        return Effect(perceived_risk=c.risk_shift, decay_months=c.decay_months)
