"""Security cooperation against criminal organisations: task forces, intelligence, training, route operations.

See ``sim/crime.py`` for what organisations do in return.

* ``joint_task_forces``: joint operations a year in the target departments; each raises the monthly hazard
  that the organisations there lose leaders, members and shipments (``crime.operation_*``).
* ``anti_smuggling``: the same against smuggling networks on their routes only.
* ``information_sharing``: the share of operations backed by shared intelligence; at full sharing,
  operations hit leaders and shipments ``1 + crime.intelligence_gain`` times as often.
* ``capacity_building``: officers trained a year; after the training lag, effectiveness grows with the
  share of the police trained (``crime.training_gain``), which also slows organisations' recovery.

The agreement's targets these work towards: 10 arrests of key criminal figures a year and 30% more drug
seizures a year. All effect sizes are assumed: no evaluation of such operations in Guatemala was found. They are model
parameters (``crime.*``), so their plausible ranges are in ``sim/data/parameters.yaml``; these levers
declare only their unit costs as uncertain.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from sim.levers.base import COST_WHY, Lever, LeverConfig, TargetedConfig, cost_scale, register


class JointTaskForcesConfig(TargetedConfig):
    operations_per_year: float = Field(
        ge=0, le=100_000, description="joint operations a year across the target departments"
    )
    cost_usd_per_operation: float = Field(ge=0, le=100_000_000, description="cost of one operation, USD")


class Operations(Lever):
    """Operations a year spread over the target departments, added to the environment field ``counted_in``."""

    counted_in: ClassVar[str]

    def apply(self, env, params):
        operations = self.config.operations_per_year / 12 * self.intensity(env.month)
        if operations <= 0:
            return 0.0
        spread = self.split(operations, self.mask.astype(float))
        setattr(env, self.counted_in, getattr(env, self.counted_in) + spread)
        return operations * self.config.cost_usd_per_operation


@register
class JointTaskForces(Operations):
    name = "joint_task_forces"
    summary = "joint operations against criminal organisations: arrests of leaders and members, seizures"
    Config = JointTaskForcesConfig
    counted_in = "task_force_ops"
    uncertain = (cost_scale(("cost_usd_per_operation",), 0.7, 2.0, COST_WHY),)


class AntiSmugglingConfig(TargetedConfig):
    operations_per_year: float = Field(
        ge=0, le=100_000, description="operations a year on smuggling routes through the target departments"
    )
    cost_usd_per_operation: float = Field(ge=0, le=100_000_000, description="cost of one operation, USD")


@register
class AntiSmuggling(Operations):
    name = "anti_smuggling"
    summary = "operations on smuggling routes: smuggling networks lose capacity, fees and route risk rise"
    Config = AntiSmugglingConfig
    counted_in = "anti_smuggling_ops"
    uncertain = (cost_scale(("cost_usd_per_operation",), 0.7, 2.0, COST_WHY),)


class InformationSharingConfig(LeverConfig):
    level: float = Field(0.8, ge=0, le=1, description="share of operations backed by shared intelligence")
    cost_usd_per_year: float = Field(ge=0, le=1e10, description="cost of the intelligence cooperation, USD a year")


@register
class InformationSharing(Lever):
    name = "information_sharing"
    summary = (
        "shared intelligence: operations (joint task forces, anti-smuggling) hit leaders and shipments more often; "
        "without operations it changes nothing"
    )
    Config = InformationSharingConfig
    uncertain = (cost_scale(("cost_usd_per_year",), 0.7, 2.0, COST_WHY),)

    def apply(self, env, params):
        strength = self.intensity(env.month)
        env.intelligence = max(env.intelligence, self.config.level * strength)
        return self.config.cost_usd_per_year / 12 * strength


class CapacityBuildingConfig(LeverConfig):
    officers_per_year: float = Field(ge=0, le=100_000, description="police and prosecutors trained a year")
    training_months: int = Field(6, ge=0, le=60, description="months from training to effect")
    cost_usd_per_officer: float = Field(ge=0, le=1_000_000, description="cost of training one officer, USD")


@register
class CapacityBuilding(Lever):
    name = "capacity_building"
    summary = "training Guatemalan agencies: operations grow more effective over time, organisations recover slower"
    Config = CapacityBuildingConfig
    uncertain = (cost_scale(("cost_usd_per_officer",), 0.7, 2.0, COST_WHY),)

    def apply(self, env, params):
        c = self.config
        trained = c.officers_per_year / 12 * self.cumulative(env.month - c.training_months)
        share = min(trained / params.crime.police_officers, 1.0)
        env.effectiveness = env.effectiveness * (1 + params.crime.training_gain * share)
        return c.officers_per_year / 12 * self.intensity(env.month) * c.cost_usd_per_officer
