"""Aspiration, then capability, then the decision to leave (irregularly, or with a visa slot).

Aspiration is a logistic function of the sum of the aspiration rules' terms; a household aspires when
its persistent propensity quantile ``latent`` is below that probability. It leaves irregularly if it
also can raise the smuggler fee (the capability rules' USD add up to the fee), has a working-age member
to send and one to stay, and acts this month (``aspiration.action_rate`` a year). Apprehended migrants
whose fee still covers attempts try again; temporary work visas go to aspiring households at random.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.economy import working_age_home
from sim.environment import Environment, monthly
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


def legal_probability(eligible_real: float, slots: float) -> float:
    return min(1.0, slots / eligible_real) if eligible_real > 0 else 0.0


def decide(
    h: Households,
    env: Environment,
    params: Parameters,
    rules: list[Rule],
    u_latent: np.ndarray,
    u_act: np.ndarray,
    u_legal: np.ndarray,
) -> Decisions:
    a = params.aspiration
    redraw = u_latent < np.float32(a.latent_redraw)
    if a.latent_redraw > 0:
        h.latent[redraw] = u_latent[redraw] / np.float32(a.latent_redraw)
    aspiring = h.latent < aspiration(h, env, rules, a.intercept)
    h.aspiring[:] = aspiring
    sendable = can_send(h)
    reattempt = (h.attempts_left > 0) & sendable & (u_act < np.float32(params.journey.reattempt_rate))
    eligible_legal = aspiring & sendable & ~reattempt & (h.legal_abroad == 0)
    p_legal = legal_probability(float(h.dept_sum(eligible_legal) @ h.weight), env.legal_slots)
    legal = eligible_legal & (u_legal < np.float32(p_legal))
    act = u_act < np.float32(monthly(a.action_rate))
    candidates = aspiring & sendable & ~legal & (h.attempts_left == 0) & act
    irregular = candidates & (capability(h, env, rules) >= np.float32(env.fee))
    return Decisions(aspiring, reattempt, irregular, legal)
