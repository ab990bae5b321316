"""Education investment: school places for 13-15-year-olds, and mentoring for young people.

Mechanism: ``school_places_per_year`` places open after ``build_months`` (construction and hiring) and
stay open; each raises the department's school attendance at 13-15 by one child of the age group
(three single-year cohorts: 3/15 of the census 0-14 share, 33.4%, of the population). The education
rule then lowers aspiration for households with children (14% of intenders cite lack of education,
LAPOP 2021). ``mentored_per_year`` households with children join youth mentoring, which lowers
aspiration by ``mentoring_shift`` while it lasts (assumed). The effect builds over years, as places
accumulate.
"""

from __future__ import annotations

from pydantic import Field

from sim.departments import facts, load_departments
from sim.levers.base import COST_WHY, cost_scale, effect_scale, register
from sim.levers.enrolment import EnrolmentConfig, EnrolmentLever
from sim.programs import Effect

MAX_ATTENDANCE = 0.99


def cohort_13_15() -> float:
    """Share of the population aged 13-15: three of the fifteen single years in the census 0-14 share."""
    return facts()["population_share_age_0_14_census2018"] * 3 / 15


class EducationInvestmentConfig(EnrolmentConfig):
    school_places_per_year: float = Field(
        ge=0, le=500_000, description="school places for 13-15-year-olds opened per year"
    )
    build_months: int = Field(24, ge=0, le=120, description="months from spending to an open place")
    cost_usd_per_place: float = Field(
        ge=0, le=100_000, description="cost of opening one place (building, teacher), USD"
    )
    mentored_per_year: float = Field(
        0, ge=0, le=500_000, description="households with children joining youth mentoring per year"
    )
    effect_months: int = Field(24, ge=1, le=240, description="months a mentoring enrolment lasts")
    mentoring_shift: float = Field(-0.3, ge=-5, le=5, description="log-odds added while mentored (assumed)")
    cost_usd_per_mentee: float = Field(
        0, ge=0, le=100_000, description="cost of mentoring one household's young people, USD"
    )


@register
class EducationInvestment(EnrolmentLever):
    name = "education_investment"
    summary = "school places and youth mentoring: school attendance rises over years; mentored youth aspire less"
    Config = EducationInvestmentConfig
    per_year_field = "mentored_per_year"
    unit_cost_field = "cost_usd_per_mentee"
    uncertain = (
        effect_scale({"mentoring_shift": 0.0}, 0.0, 1.5, "judgement: no evaluation of mentoring's effect was found"),
        cost_scale(("cost_usd_per_place", "cost_usd_per_mentee"), 0.7, 2.0, COST_WHY),
    )

    def apply(self, env, params):
        c = self.config
        cost = super().apply(env, params)
        opened = c.school_places_per_year / 12 * self.cumulative(env.month - c.build_months)
        if opened > 0:
            cohort = load_departments().population * cohort_13_15()
            places = self.split(opened, cohort)
            env.school_attendance = (env.school_attendance + places / cohort).clip(max=MAX_ATTENDANCE)
        return cost + c.school_places_per_year / 12 * self.intensity(env.month) * c.cost_usd_per_place

    def target(self):
        return "children"

    def effect(self):
        return Effect(aspiration=self.config.mentoring_shift)
