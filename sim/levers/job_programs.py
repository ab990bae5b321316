"""Job programs: jobs created in target departments employ and pay household members.

Mechanism: each month ``jobs_per_year / 12`` new jobs (times the ramp) are shared among the target
departments in proportion to their census occupied population, and go to households with a working-age
member at home in the target group: by default households where someone wants to migrate (as
youth-at-risk employment programs recruit), or households below the poverty line, or anyone. A job
makes the household employed and adds the wage to its income for ``job_duration_months``; the wage lowers
aspiration through the employment rule but raises savings and credit, so the job also carries an
``aspiration_shift``: a local prospect answers the main stated reason for leaving (lack of economic
opportunity: 64% of intenders, LAPOP 2021). That shift is assumed, and it decides the size of the
effect: at 0 the capability gain offsets most of the aspiration effect (the "migration hump",
Clemens 2014) and untargeted jobs change outflow very little. No Guatemalan evaluation was found.
"""

from __future__ import annotations

from pydantic import Field

from sim.levers.base import COST_WHY, cost_scale, effect_scale, register
from sim.levers.enrolment import EnrolmentConfig, EnrolmentLever, Target
from sim.programs import Effect
from sim.schedule import occupied_population


class JobProgramsConfig(EnrolmentConfig):
    jobs_per_year: float = Field(ge=0, le=500_000, description="jobs created per year across the target departments")
    job_duration_months: int = Field(24, ge=1, le=120, description="months each job lasts")
    wage_usd_per_month: float = Field(
        400,
        ge=0,
        le=5_000,
        description="wage of a program job, USD per month (default near Guatemala's minimum wage, assumed)",
    )
    targeting: Target = Field(
        "aspiring",
        description="who is hired: aspiring (wants to migrate), poor, any, children (has children), returnees",
    )
    aspiration_shift: float = Field(
        -1.0,
        ge=-5,
        le=5,
        description="log-odds added while holding the job, beyond the wage (assumed; see the lever's notes)",
    )
    cost_usd_per_job: float = Field(
        ge=0, le=1_000_000, description="cost of creating one job for its whole duration, USD"
    )


@register
class JobPrograms(EnrolmentLever):
    name = "job_programs"
    summary = "jobs created per year in target departments: employment and income rise"
    Config = JobProgramsConfig
    per_year_field = "jobs_per_year"
    unit_cost_field = "cost_usd_per_job"
    months_field = "job_duration_months"
    needs_worker = True
    uncertain = (
        effect_scale(
            {"aspiration_shift": 0.0},
            0.0,
            1.5,
            "judgement: the shift beyond the wage is assumed and decides the size of the effect; no Guatemalan "
            "evaluation was found, so from none (the wage alone) to half as much again",
        ),
        cost_scale(("cost_usd_per_job",), 0.7, 2.0, COST_WHY),
    )

    def share_by(self):
        return occupied_population()

    def effect(self):
        c = self.config
        return Effect(employed=True, income_usd=c.wage_usd_per_month, aspiration=c.aspiration_shift)
