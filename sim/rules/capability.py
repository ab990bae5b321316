"""Capability: the US dollars a household can raise to pay a smuggler (savings, credit, kin abroad).

A household that aspires migrates irregularly only if these terms add up to the fee. 71.5% of
Guatemalan migrants borrow to pay a smuggler (CEPAL, via Centroamerica360), so credit against income
and loans from relatives abroad matter as much as savings; this is what keeps the poorest, least
connected departments (Alta Verapaz) from migrating although they would most like to.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from sim.features import Term, ties
from sim.rules.base import Rule, RuleParams, register


class SavingsParams(RuleParams):
    usable_share: float = Field(ge=0, le=1, description="share of savings a household would put into the journey")


@register
class Savings(Rule):
    name = "savings"
    kind = "capability"
    Params = SavingsParams

    def vectorised(self, h, env):
        return np.float32(self.params.usable_share) * h.savings

    def one(self, hh, d, env):
        return self.params.usable_share * hh.savings

    def compiled(self, env):
        return Term({"savings": self.params.usable_share})


class CreditParams(RuleParams):
    income_months: float = Field(
        ge=0, le=60, description="months of household income a local lender would advance, less debt owed"
    )


@register
class Credit(Rule):
    name = "credit"
    kind = "capability"
    Params = CreditParams

    def vectorised(self, h, env):
        return np.maximum(np.float32(self.params.income_months) * h.income - h.debt, np.float32(0))

    def one(self, hh, d, env):
        return max(self.params.income_months * hh.income - hh.debt, 0.0)

    def compiled(self, env):
        return Term({"credit": 1.0}, {"credit_months": self.params.income_months})


class NetworkCreditParams(RuleParams):
    usd_per_tie: float = Field(ge=0, le=20000, description="USD a relative or member abroad lends towards the fee")
    max_ties: int = Field(ge=0, le=10, description="most ties that contribute")


@register
class NetworkCredit(Rule):
    name = "network_credit"
    kind = "capability"
    Params = NetworkCreditParams

    def vectorised(self, h, env):
        p = self.params
        return np.float32(p.usd_per_tie) * np.minimum(ties(h), p.max_ties).astype(np.float32)

    def one(self, hh, d, env):
        p = self.params
        ties = hh.relatives_abroad + hh.settled_abroad + hh.members_abroad + hh.legal_abroad
        return p.usd_per_tie * min(ties, p.max_ties)

    def compiled(self, env):
        p = self.params
        return Term({"lending_ties": p.usd_per_tie}, {"max_ties": p.max_ties})
