"""A migsim plugin: relative deprivation (a decision rule) and savings groups (a lever).

Nothing here edits migsim: the rule and the lever subclass migsim's own bases, declare their parameters
with pydantic, and are found through the entry points in pyproject.toml.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field
from scipy.special import ndtri

from sim.departments import load_departments
from sim.levers import TargetedConfig
from sim.levers.enrolment import EnrolmentLever
from sim.parameters import default_parameters
from sim.population import poverty_line_usd
from sim.programs import Effect
from sim.rules import Rule, RuleParams


def department_median_income() -> np.ndarray:
    """Median income per person of each department, USD a month: the lognormal migsim draws incomes from."""
    sigma = default_parameters().population.income_sigma
    return poverty_line_usd() * np.exp(-sigma * ndtri(load_departments().poverty))


class RelativeDeprivationParams(RuleParams):
    gap: float = Field(
        0.6,
        ge=0,
        le=5,
        description="log-odds per log unit that income per person falls short of the department's median",
    )


class RelativeDeprivation(Rule):
    """Relative deprivation: households poorer than their neighbours aspire more to migrate.

    The new economics of labour migration holds that a household compares itself with its reference group:
    falling behind the community raises the pull of migration, whatever the absolute income (Stark & Taylor
    1989, 1991, Mexico). The term is ``gap`` times how far, in log units, income per person at home falls
    short of the department's median; zero at or above the median. The size is an assumption to test.
    """

    name = "relative_deprivation"
    kind = "aspiration"
    Params = RelativeDeprivationParams

    def __init__(self, params: RelativeDeprivationParams) -> None:
        super().__init__(params)
        self.median = department_median_income()

    def vectorised(self, h, env):
        per_person = np.maximum(h.income, 1.0) / np.maximum(h.members_home, 1)
        shortfall = np.log(h.per_household(self.median, np.float64) / per_person)
        return self.params.gap * np.maximum(shortfall, 0.0)

    def one(self, hh, d, env):
        per_person = max(hh.income, 1.0) / max(hh.members_home, 1)
        return self.params.gap * max(math.log(self.median[d] / per_person), 0.0)


class SavingsGroupsConfig(TargetedConfig):
    members_per_year: float = Field(ge=0, le=1_000_000, description="households joining savings groups per year")
    cycle_months: int = Field(12, ge=1, le=60, description="months of a savings cycle")
    share_out_usd: float = Field(
        150, ge=0, le=10_000, description="savings a household takes out at the end of a cycle, USD"
    )
    income_share: float = Field(0.03, ge=0, le=1, description="income gain from small investments during the cycle")
    cost_usd_per_member: float = Field(ge=0, le=10_000, description="cost of training and supervising one member, USD")


class SavingsGroups(EnrolmentLever):
    """Savings groups (village savings and loan associations) for poor households.

    Members save together and lend to each other; evaluations find more savings and small business gains
    (Karlan, Savonitto, Thuysbaert & Udry 2017, PNAS, Ghana, Malawi and Uganda). Modelled as a program for
    households below the poverty line: a small income gain for the cycle and the share-out as savings.
    """

    name = "savings_groups"
    summary = "savings groups for poor households: a little more income and savings"
    Config = SavingsGroupsConfig
    per_year_field = "members_per_year"
    unit_cost_field = "cost_usd_per_member"
    months_field = "cycle_months"
    example = {"start": "2026-01", "departments": "all", "members_per_year": 10000, "cost_usd_per_member": 40}

    def target(self):
        return "poor"

    def effect(self):
        c = self.config
        return Effect(income_share=c.income_share, savings_usd=c.share_out_usd)
