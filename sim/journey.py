"""Journeys and returns: who is stopped in Mexico or at the US border, dies, arrives, or comes home."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.decisions import Decisions
from sim.environment import Environment
from sim.households import NEVER, Households
from sim.parameters import Parameters


@dataclass
class Returns:
    voluntary: np.ndarray
    removed: np.ndarray
    legal: np.ndarray  # households whose temporary workers came back (count: legal_members)
    legal_members: np.ndarray


@dataclass
class Outcomes:
    started: np.ndarray
    mexico: np.ndarray
    died: np.ndarray
    us: np.ndarray
    arrived: np.ndarray


def come_home(h: Households, env: Environment, u_return: np.ndarray) -> Returns:
    """At most one irregular member per household returns or is removed each month; visas end on time."""
    hazard = env.return_rate + env.removal_rate
    by_count = (1 - (1 - hazard) ** np.arange(128)).astype(np.float32)  # chance one of k members comes back
    p_any = by_count[h.members_abroad]
    back = u_return < p_any
    removed = back & (u_return < p_any * np.float32(env.removal_rate / hazard))
    h.members_abroad -= back
    h.members_home += back
    h.deportations += removed
    legal = (h.legal_abroad > 0) & (h.legal_return <= env.month)
    legal_members = np.where(legal, h.legal_abroad, 0).astype(np.int8)
    h.members_home += legal_members
    h.legal_abroad -= legal_members
    h.legal_return[legal] = NEVER
    h.legal_back[legal] = env.month
    return Returns(back & ~removed, removed, legal, legal_members)


def travel(h: Households, env: Environment, params: Parameters, d: Decisions, u_journey: np.ndarray) -> Outcomes:
    """Pay for new journeys, then resolve every attempt this month with one uniform draw each."""
    new = d.irregular
    fee = np.float32(env.fee)
    from_savings = np.where(new, np.minimum(h.savings, fee), np.float32(0))
    h.savings -= from_savings
    h.debt += np.where(new, fee - from_savings, np.float32(0))
    h.attempts_left[new] = params.journey.package_attempts

    started = new | d.reattempt
    h.attempts += started
    h.attempts_left -= started
    mexico_cut, death_cut, us_cut = (np.float32(c) for c in env.journey_thresholds())
    mexico = started & (u_journey < mexico_cut)
    died = started & ~mexico & (u_journey < death_cut)
    us = started & ~mexico & ~died & (u_journey < us_cut)
    arrived = started & (u_journey >= us_cut)
    h.deportations += mexico | us
    h.members_home -= died | arrived
    h.dead += died
    h.members_abroad += arrived
    h.last_arrival[arrived] = env.month
    h.attempts_left[died | arrived] = 0

    h.members_home -= d.legal
    h.legal_abroad += d.legal
    h.legal_return[d.legal] = env.month + params.legal.duration_months
    return Outcomes(started, mexico, died, us, arrived)
