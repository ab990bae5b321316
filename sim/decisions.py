"""Aspiration, then capability, then the decision to leave: the rules' terms, column by column.

Aspiration is a logistic function of the sum of the aspiration rules' terms; a household aspires when
that sum exceeds its persistent ``threshold`` (the log-odds of a uniform quantile drawn for it, redrawn
now and then), i.e. when its quantile is below the probability. It leaves irregularly if it also can
raise the smuggler fee (the capability rules' USD add up to the fee), has a working-age member to send
and one to stay, and acts this month. The compiled step (``sim/kernel.py``) does this for every household
at once; these functions give the same quantities from the rules' numpy forms, for inspection and tests
(call :func:`sim.programs.effects` first to fill ``h.effects``).
"""

from __future__ import annotations

import numpy as np

from sim.economy import working_age_home
from sim.environment import Environment, VisaPool
from sim.households import Households
from sim.ruleset import RuleSet


def utility(h: Households, env: Environment, rules: RuleSet, intercept: float) -> np.ndarray:
    """Sum of the aspiration rules' weighted terms (log-odds), per household."""
    total = np.full(h.n, intercept, dtype=np.float64)
    for rule, weight in rules.weighted():
        if rule.kind == "aspiration":
            total += weight * rule.vectorised(h, env)
    return total


def aspiration(h: Households, env: Environment, rules: RuleSet, intercept: float) -> np.ndarray:
    """Probability of aspiring, per household."""
    return 1 / (1 + np.exp(-utility(h, env, rules, intercept)))


def capability(h: Households, env: Environment, rules: RuleSet) -> np.ndarray:
    """USD each household can raise towards the fee (weighted capability terms)."""
    resources = np.zeros(h.n, dtype=np.float64)
    for rule, weight in rules.weighted():
        if rule.kind == "capability":
            resources += weight * rule.vectorised(h, env)
    return resources


def can_send(h: Households) -> np.ndarray:
    """A working-age member can leave while someone stays home."""
    return (h.members_home >= 2) & (working_age_home(h) >= 1)


def visa_rate(pools: list[VisaPool], eligible_real: np.ndarray) -> np.ndarray:
    """Visas per unit of (priority-weighted) eligible real household, per department."""
    rate = np.zeros(len(eligible_real))
    for pool in pools:
        demand = float(eligible_real[pool.mask].sum())
        if demand > 0:
            rate += np.where(pool.mask, pool.slots / demand, 0.0)
    return rate
