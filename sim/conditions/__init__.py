"""Built-in conditions (uncertainties); importing this package registers them."""

from sim.conditions import border_regime, drought, enforcement, market, population  # noqa: F401
from sim.conditions.base import CONDITIONS, Condition, ConditionConfig, get_condition, register

__all__ = ["CONDITIONS", "Condition", "ConditionConfig", "get_condition", "register"]
