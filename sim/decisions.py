"""Aspiration, then capability, then the decision to leave (irregularly, or with a visa).

Aspiration is a logistic function of the sum of the aspiration rules' terms; a household aspires when
its persistent propensity quantile ``latent`` is below that probability. It leaves irregularly if it
also can raise the smuggler fee (the capability rules' USD add up to the fee), has a working-age member
to send and one to stay, and acts this month (``aspiration.action_rate`` a year). Apprehended migrants
whose fee still covers attempts try again; temporary work visas go to aspiring households at random
(weighted by legal aid's priority), from each visa pool's departments. Visas are circular: households
whose temporary worker came back recently are rehired first and wait for the next season rather than
pay a smuggler (``legal.rehire_months``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.economy import working_age_home
from sim.environment import Environment, VisaPool, monthly
from sim.households import Households
from sim.parameters import Parameters
from sim.rules import Rule


@dataclass
class Decisions:
    aspiring: np.ndarray
    reattempt: np.ndarray
    irregular: np.ndarray  # new irregular journeys (fee paid this month)
    legal: np.ndarray


def aspiration(h: Households, env: Environment, rules: list[Rule], intercept: float) -> np.ndarray:
    """Probability of aspiring, per household (float32)."""
    utility = np.full(h.n, intercept, dtype=np.float32)
    for rule in rules:
        if rule.kind == "aspiration":
            utility += rule.vectorised(h, env)
    return np.float32(1) / (np.float32(1) + np.exp(-utility))


def capability(h: Households, env: Environment, rules: list[Rule]) -> np.ndarray:
    """USD each household can raise towards the fee (float32)."""
    resources = np.zeros(h.n, dtype=np.float32)
    for rule in rules:
        if rule.kind == "capability":
            resources += rule.vectorised(h, env)
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


def decide(
    h: Households,
    env: Environment,
    params: Parameters,
    rules: list[Rule],
    weight: np.ndarray,
    u_latent: np.ndarray,
    u_act: np.ndarray,
    u_legal: np.ndarray,
) -> Decisions:
    a = params.aspiration
    fx = h.effects
    redraw = u_latent < np.float32(a.latent_redraw)
    if a.latent_redraw > 0:
        h.latent[redraw] = u_latent[redraw] / np.float32(a.latent_redraw)
    aspiring = h.latent < aspiration(h, env, rules, a.intercept)
    h.aspiring[:] = aspiring
    sendable = can_send(h)
    reattempt_p = np.float32(params.journey.reattempt_rate) * fx.reattempt_factor
    reattempt = (h.attempts_left > 0) & sendable & (u_act < reattempt_p)
    rehire = (env.month - h.legal_back.astype(np.int32)) < params.legal.rehire_months
    eligible_legal = (aspiring | rehire) & sendable & ~reattempt & (h.legal_abroad == 0)
    priority = np.where(
        eligible_legal,
        fx.visa_priority * np.where(rehire, np.float32(params.legal.rehire_priority), np.float32(1)),
        np.float32(0),
    )
    rate = visa_rate(env.visas, h.dept_sum(priority) * weight)
    legal = eligible_legal & (u_legal < np.minimum(priority * h.per_household(rate), np.float32(1)))
    act = u_act < np.float32(monthly(a.action_rate))
    candidates = aspiring & sendable & ~legal & ~rehire & (h.attempts_left == 0) & act
    irregular = candidates & (capability(h, env, rules) >= np.float32(env.fee))
    return Decisions(aspiring, reattempt, irregular, legal)
