"""Vocational training: trainees earn more and count as employed once the course is over.

Mechanism: ``trainees_per_year`` households with a working-age member at home enrol; after
``course_months`` the trainee's household earns ``earnings_gain`` more and counts as employed for
``effect_months``; a skill with local demand is also a reason to stay (``aspiration_shift``, half the
job-program default). Evidence: Latin American youth-training evaluations find modest gains in
earnings and formal employment (for example Attanasio, Kugler & Meghir 2011, Colombia); none for
Guatemala was found, so the defaults are assumed.
"""

from __future__ import annotations

from pydantic import Field

from sim.levers.base import COST_WHY, cost_scale, effect_scale, register
from sim.levers.enrolment import EnrolmentConfig, EnrolmentLever, Target
from sim.programs import Effect


class VocationalTrainingConfig(EnrolmentConfig):
    trainees_per_year: float = Field(
        ge=0, le=500_000, description="people trained per year across the target departments"
    )
    course_months: int = Field(6, ge=0, le=36, description="months of training before any effect (the lag)")
    effect_months: int = Field(36, ge=1, le=240, description="months the effect lasts after the course")
    earnings_gain: float = Field(
        0.12, ge=0, le=2, description="share added to the household's own income after the course (assumed)"
    )
    targeting: Target = Field("any", description="who enrols: any, poor, aspiring, children, returnees")
    aspiration_shift: float = Field(
        -0.5, ge=-5, le=5, description="log-odds added after the course, beyond the earnings (assumed)"
    )
    cost_usd_per_trainee: float = Field(ge=0, le=100_000, description="cost of training one person, USD")


@register
class VocationalTraining(EnrolmentLever):
    name = "vocational_training"
    summary = "people trained per year: after the course, earnings and employment rise"
    Config = VocationalTrainingConfig
    per_year_field = "trainees_per_year"
    unit_cost_field = "cost_usd_per_trainee"
    needs_worker = True
    lag_field = "course_months"
    uncertain = (
        effect_scale(
            {"earnings_gain": 0.0, "aspiration_shift": 0.0},
            0.25,
            1.5,
            "Latin American youth-training evaluations find modest earnings gains, some none (e.g. Attanasio, "
            "Kugler & Meghir 2011, Colombia); none for Guatemala (judgement)",
        ),
        cost_scale(("cost_usd_per_trainee",), 0.7, 2.0, COST_WHY),
    )

    def effect(self):
        c = self.config
        return Effect(employed=True, income_share=c.earnings_gain, aspiration=c.aspiration_shift)
