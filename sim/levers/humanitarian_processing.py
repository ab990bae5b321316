"""Humanitarian processing in Guatemala: refugee and parole cases decided before anyone travels.

Mechanism: ``cases_per_year`` cases are granted, in the target departments, to households setting out this
month (whether or not they could pay a smuggler) that the screening would take: a member recently suffered
a crime (a fear of persecution to examine) or the household has kin in the US to join (family
reunification), as the Safe Mobility Offices (2023-2025) and the Central American Minors program
(2014-2017, 2021-2023) took them. The unit the household would have
sent irregularly (sim.units: an adult, a family unit or a child) flies instead, with no smuggler and no
border, and stays: protected members are never removed. Cases are households, not persons: a family case
counts once and sends all its members (``departures_protected`` counts persons).
"""

from __future__ import annotations

from pydantic import Field

from sim.levers.base import COST_WHY, Lever, TargetedConfig, cost_scale, effect_scale, register


class HumanitarianProcessingConfig(TargetedConfig):
    cases_per_year: float = Field(ge=0, le=200_000, description="cases (households) granted protection per year")
    uptake: float = Field(
        0.8, ge=0, le=1, description="share of granted cases that travel (the rest withdraw or are not found)"
    )
    cost_usd_per_case: float = Field(
        ge=0,
        le=200_000,
        description="public cost per case that travels (screening, vetting, travel, reception), USD",
    )


@register
class HumanitarianProcessing(Lever):
    name = "humanitarian_processing"
    summary = "refugee and parole cases decided in Guatemala: the unit a household would have sent flies instead"
    Config = HumanitarianProcessingConfig
    uncertain = (
        effect_scale(
            {"uptake": 0.0},
            0.6,
            1.2,
            "judgement: of 27,400 people referred by the Safe Mobility Offices 7,600 had arrived by 2024 "
            "(pathways.csv), so from about half to nearly all granted cases travel within the run",
        ),
        cost_scale(("cost_usd_per_case",), 0.7, 2.0, COST_WHY),
    )

    def apply(self, env, params):
        c = self.config
        return self.offer(env.protection, c.cases_per_year, c.uptake, c.cost_usd_per_case, env.month)
