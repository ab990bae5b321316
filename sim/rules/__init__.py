"""Built-in decision rules; importing this package registers them."""

from sim.rules import (  # noqa: F401
    capability,
    drought,
    education,
    employment,
    journey_risk,
    network,
    programs,
    us_pull,
    violence,
)
from sim.rules.base import RULES, Rule, RuleParams, get_rule, register

__all__ = ["RULES", "Rule", "RuleParams", "get_rule", "register"]
