"""Conditions of the US labour market and of sending money home."""

from __future__ import annotations

from pydantic import Field

from sim.conditions.base import Condition, ConditionConfig, register


class UsLabourDemandConfig(ConditionConfig):
    multiplier: float = Field(
        ge=0.2,
        le=3,
        description="US labour demand for Guatemalan workers relative to the observed level (1 = unchanged)",
    )


@register
class UsLabourDemand(Condition):
    """Stronger or weaker US demand for migrant labour: the pull of the US and what migrants earn.

    The ``us_pull`` rule turns the demand index into aspiration; remittances per migrant scale with
    ``remittances.us_demand_elasticity``. Both assumed.
    """

    name = "us_labour_demand"
    summary = "US labour demand (wage gap) rises or falls: pull and remittances follow"
    Config = UsLabourDemandConfig

    def apply(self, env, params):
        strength = self.intensity(env.month)
        factor = 1 + (self.config.multiplier - 1) * strength
        env.us_demand *= factor
        env.remittance *= factor**params.remittances.us_demand_elasticity


class RemittanceCostConfig(ConditionConfig):
    percent: float = Field(ge=0, le=50, description="cost of sending money home, percent of the amount sent")


@register
class RemittanceCost(Condition):
    """Fees and exchange margins on remittances: households receive less of what is sent."""

    name = "remittance_cost"
    summary = "cost of sending remittances (percent): households receive less"
    Config = RemittanceCostConfig

    def apply(self, env, params):
        env.remittance_kept *= 1 - self.config.percent / 100 * self.intensity(env.month)
