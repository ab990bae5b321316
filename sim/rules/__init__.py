"""Built-in decision rules; importing this package registers them.

In this order: the compiled step adds up their department terms in it (any order is right; this one keeps
results identical to those of earlier versions, which added them in it).
"""

from sim.rules import (  # noqa: F401, I001
    violence,
    network,
    us_pull,
    journey_risk,
    employment,
    education,
    drought,
    programs,
    capability,
)
from sim.rules.base import RULES, Rule, RuleParams, get_rule, register

__all__ = ["RULES", "Rule", "RuleParams", "get_rule", "register"]
