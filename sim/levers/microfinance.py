"""Microfinance: small loans raise income, and also put cash in hand.

Mechanism: ``loans_per_year`` households (default: below the poverty line) receive ``loan_usd``; they
owe it (debt, repaid from savings flows at the model's debt interest); the invested part earns
``monthly_return`` for ``effect_months``; a ``liquid_share`` stays as cash. Capability side-effect:
cash and income raise what a household can put towards a smuggler fee, so for the poorest, who want to
leave but cannot pay, a loan can *raise* migration (the migration hump: Clemens 2014; liquidity-
constrained households migrated more with cash transfers in Mexico, Angelucci 2015). Compare
``departures_poor`` with the baseline to see it. Defaults are assumed; no Guatemalan estimate was found.
"""

from __future__ import annotations

from pydantic import Field

from sim.levers.base import COST_WHY, cost_scale, effect_scale, register
from sim.levers.enrolment import EnrolmentConfig, EnrolmentLever, Target
from sim.programs import Effect


class MicrofinanceConfig(EnrolmentConfig):
    loans_per_year: float = Field(ge=0, le=1_000_000, description="loans made per year across the target departments")
    loan_usd: float = Field(600, ge=0, le=50_000, description="size of one loan, USD (assumed typical microloan)")
    effect_months: int = Field(12, ge=1, le=120, description="months the investment earns a return")
    monthly_return: float = Field(
        0.03, ge=0, le=0.5, description="monthly return on the invested part of the loan (assumed)"
    )
    liquid_share: float = Field(
        0.25, ge=0, le=1, description="share of the loan kept as cash rather than invested (assumed)"
    )
    targeting: Target = Field("poor", description="who borrows: poor (default), any, aspiring, children, returnees")
    cost_usd_per_loan: float = Field(ge=0, le=50_000, description="public cost per loan (subsidy, administration), USD")


@register
class Microfinance(EnrolmentLever):
    name = "microfinance"
    summary = "loans per year: income and cash rise (and so, for the poorest, the ability to pay a smuggler)"
    Config = MicrofinanceConfig
    per_year_field = "loans_per_year"
    unit_cost_field = "cost_usd_per_loan"
    uncertain = (
        effect_scale(
            {"monthly_return": 0.0},
            0.0,
            1.5,
            "judgement: the return on a small loan's investment may be near zero; no Guatemalan estimate was found",
        ),
        cost_scale(("cost_usd_per_loan",), 0.7, 2.0, COST_WHY),
    )

    def effect(self):
        c = self.config
        invested = (1 - c.liquid_share) * c.loan_usd
        return Effect(
            income_usd=c.monthly_return * invested, savings_usd=c.liquid_share * c.loan_usd, debt_usd=c.loan_usd
        )
