"""Conditions: uncertainties outside policy, set in a scenario's ``conditions:`` like levers, at no cost.

US labour demand, drought, remittance costs, Mexican enforcement and population growth are conditions:
what the agreement does not decide but its results depend on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from pydantic import Field

from sim.registry import Registry
from sim.schedule import Activity, PlacedConfig, TimedConfig

if TYPE_CHECKING:
    from sim.environment import Environment
    from sim.parameters import Parameters


class ConditionConfig(TimedConfig):
    condition: str | None = Field(None, description="condition type, when the scenario label is not its name")


class PlacedConditionConfig(ConditionConfig, PlacedConfig):
    """A condition that hits chosen departments."""


class Condition(Activity):
    name: ClassVar[str]
    summary: ClassVar[str]
    Config: ClassVar[type[ConditionConfig]]

    def apply(self, env: Environment, params: Parameters) -> None:
        """Edit ``env`` for its month."""
        raise NotImplementedError


CONDITIONS = Registry("condition", "migsim.conditions", Condition)
register = CONDITIONS.register
get_condition = CONDITIONS.lookup
