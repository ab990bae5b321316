"""Population growth: the number of households grows (or shrinks) around the census of July 2018."""

from __future__ import annotations

from pydantic import Field

from sim.calendar import parse_month
from sim.conditions.base import Condition, ConditionConfig, register

CENSUS = parse_month("2018-07")


class PopulationGrowthConfig(ConditionConfig):
    annual_rate: float = Field(
        ge=-0.05,
        le=0.05,
        description="yearly growth of the number of households (the census's 2002-2018 intercensal rate was 0.018)",
    )


@register
class PopulationGrowth(Condition):
    """Every household the model simulates stands for ``(1 + rate) ** years`` households away from July 2018.

    Rates, shares and the behaviour of each household are unchanged; counts scale, and so does the
    share of households a program of a given size reaches. The count is held at its ``start`` level
    before ``start`` and at its ``end`` level after ``end``; ``ramp_months`` is not used.
    """

    name = "population_growth"
    summary = "number of households grows at a yearly rate from the census of July 2018"
    Config = PopulationGrowthConfig

    def apply(self, env, params):
        c = self.config
        month = max(env.month, c.start) if c.end is None else min(max(env.month, c.start), c.end)
        env.scale *= (1 + c.annual_rate) ** ((month - CENSUS) / 12)
