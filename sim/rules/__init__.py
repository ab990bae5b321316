"""Built-in decision rules; importing this package registers them."""

from sim.rules import capability, education, employment, journey_risk, network, violence  # noqa: F401
from sim.rules.base import RULES, Rule, RuleParams, get_rule, register

__all__ = ["RULES", "Rule", "RuleParams", "get_rule", "register"]
