"""Programs that enrol households: jobs, training, loans, health cover, awareness, prevention, legal aid.

A lever that reaches households (rather than a whole department) declares a :class:`Program`: whom it
may enrol, how long its effect lasts and after what lag, and what being enrolled does. Each month the
lever says how many real households to enrol per department (``env.enrol[label]``); this module picks
them at random among the eligible, keeps two columns per program (effect start and end month), and
turns active enrolments into per-household effects that the economy, the rules and the decision read.
The vectorised functions and their per-household twins (``*_one``) are kept side by side so they agree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.households import NEVER, Households

TARGETS = ("any", "poor", "aspiring", "children", "returnees")
GOLDEN = 0.6180339887498949  # shifts one uniform draw into a fresh one per program


@dataclass(frozen=True)
class Effect:
    """What an active enrolment does each month (zero/neutral values do nothing)."""

    employed: bool = False  # the household counts as employed
    income_usd: float = 0.0  # USD per month added to income
    income_share: float = 0.0  # share of own income added
    aspiration: float = 0.0  # log-odds added to aspiration
    perceived_risk: float = 0.0  # added to the perceived chance an attempt fails
    decay_months: float = 0.0  # aspiration and risk effects fade as exp(-months since start / decay); 0: no fading
    reattempt_factor: float = 1.0  # multiplies the chance an apprehended migrant tries again
    visa_priority: float = 1.0  # weight in the allocation of work visas
    engaged: bool = False  # counts as community engagement (prevention programs)
    savings_usd: float = 0.0  # one-off, at enrolment
    debt_usd: float = 0.0  # one-off, at enrolment


@dataclass(frozen=True)
class Program:
    label: str  # the lever's label in the scenario: one program per lever instance
    target: str  # one of TARGETS
    months: int  # how long the effect lasts
    effect: Effect
    lag: int = 0  # months from enrolment to effect
    needs_worker: bool = False  # only households with a working-age member at home

    @property
    def start_column(self) -> str:
        return f"{self.label}.start"

    @property
    def until_column(self) -> str:
        return f"{self.label}.until"


@dataclass
class Effects:
    """Sum of all active programs' effects, one value per household (recomputed every month)."""

    employed: np.ndarray
    income_usd: np.ndarray
    income_share: np.ndarray
    aspiration: np.ndarray
    perceived_risk: np.ndarray
    reattempt_factor: np.ndarray
    visa_priority: np.ndarray
    engaged: np.ndarray
    active: dict[str, np.ndarray]  # program label -> enrolled and in effect this month


def add_columns(h: Households, programs: Sequence[Program]) -> None:
    """Give every program its start and end columns, empty (NEVER), unless it has them already."""
    for program in programs:
        for column in (program.start_column, program.until_column):
            h.columns.setdefault(column, np.full(h.n, NEVER, dtype=np.int16))


def shifted(u: np.ndarray | np.float32, k: int) -> np.ndarray | np.float32:
    """The k-th program's own uniform draw, from the shared one (float32, identical in both forms).

    ``u + c - 1`` where the sum passes 1 is exactly ``(u + c) % 1`` for u, c in [0, 1), and cheaper.
    """
    v = u + np.float32(k * GOLDEN % 1)
    return v - (v >= np.float32(1))


def in_target(h: Households, target: str, poverty_line: float) -> np.ndarray:
    if target == "any":
        return np.ones(h.n, dtype=bool)
    if target == "poor":
        return h.income < np.float32(poverty_line) * np.maximum(h.members_home, 1)
    if target == "aspiring":
        return h.aspiring.copy()
    if target == "children":
        return h.children.copy()
    return h.deportations > 0  # returnees


def in_target_one(hh, target: str, poverty_line: float) -> bool:
    if target == "any":
        return True
    if target == "poor":
        return hh.income < poverty_line * max(hh.members_home, 1)
    if target == "aspiring":
        return bool(hh.aspiring)
    if target == "children":
        return bool(hh.children)
    return hh.deportations > 0


def enrol(
    h: Households, programs: Sequence[Program], env, u: np.ndarray, weight: np.ndarray, worker_home: np.ndarray
) -> None:
    """Enrol this month's households in each program, at random among the eligible of each department."""
    for k, program in enumerate(programs):
        wanted = env.enrol.get(program.label)
        if wanted is None or not wanted.any():
            continue
        start, until = h.columns[program.start_column], h.columns[program.until_column]
        eligible = in_target(h, program.target, env.poverty_line) & (until <= env.month)
        if program.needs_worker:
            eligible &= worker_home
        p = enrol_probability(wanted, h.dept_sum(eligible), weight)
        chosen = eligible & (shifted(u, k) < h.per_household(p))
        start[chosen] = env.month + program.lag
        until[chosen] = env.month + program.lag + program.months
        if program.effect.savings_usd:
            h.savings[chosen] += np.float32(program.effect.savings_usd)
        if program.effect.debt_usd:
            h.debt[chosen] += np.float32(program.effect.debt_usd)


def enrol_probability(wanted: np.ndarray, eligible_rows: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Chance an eligible row is enrolled, per department, so that ``wanted`` real households are."""
    rows = wanted / weight
    return np.divide(rows, eligible_rows, out=np.zeros_like(rows), where=eligible_rows > 0).clip(0, 1)


def decay(effect: Effect, months_since_start):
    if effect.decay_months <= 0:
        return 1.0
    return np.exp(-np.asarray(months_since_start, dtype=np.float32) / np.float32(effect.decay_months))


def effects(h: Households, programs: Sequence[Program], month: int) -> Effects:
    """Per-household sums of the effects of every active enrolment this month."""
    n = h.n
    out = Effects(
        np.zeros(n, bool),
        np.zeros(n, np.float32),
        np.zeros(n, np.float32),
        np.zeros(n, np.float32),
        np.zeros(n, np.float32),
        np.ones(n, np.float32),
        np.ones(n, np.float32),
        np.zeros(n, bool),
        {},
    )
    for program in programs:
        start = h.columns[program.start_column]
        active = (start <= month) & (month < h.columns[program.until_column])
        out.active[program.label] = active
        if not active.any():
            continue
        e = program.effect
        if e.employed:
            out.employed |= active
        if e.engaged:
            out.engaged |= active
        if e.income_usd:
            out.income_usd += np.float32(e.income_usd) * active
        if e.income_share:
            out.income_share += np.float32(e.income_share) * active
        if e.aspiration or e.perceived_risk:
            fade = np.where(active, decay(e, month - start.astype(np.int32)), np.float32(0))
            out.aspiration += np.float32(e.aspiration) * fade
            out.perceived_risk += np.float32(e.perceived_risk) * fade
        if e.reattempt_factor != 1:
            out.reattempt_factor *= np.where(active, np.float32(e.reattempt_factor), np.float32(1))
        if e.visa_priority != 1:
            out.visa_priority *= np.where(active, np.float32(e.visa_priority), np.float32(1))
    return out


def effects_one(hh, programs: Sequence[Program], month: int) -> dict[str, float]:
    """The same sums for one household whose ``hh.programs[label]`` is ``[start, until]``."""
    out = dict(
        employed=False,
        income_usd=0.0,
        income_share=0.0,
        aspiration=0.0,
        perceived_risk=0.0,
        reattempt_factor=1.0,
        visa_priority=1.0,
        engaged=False,
    )
    for program in programs:
        start, until = hh.programs[program.label]
        if not start <= month < until:
            continue
        e = program.effect
        out["employed"] |= e.employed
        out["engaged"] |= e.engaged
        out["income_usd"] += e.income_usd
        out["income_share"] += e.income_share
        fade = math.exp(-(month - start) / e.decay_months) if e.decay_months > 0 else 1.0
        out["aspiration"] += e.aspiration * fade
        out["perceived_risk"] += e.perceived_risk * fade
        out["reattempt_factor"] *= e.reattempt_factor
        out["visa_priority"] *= e.visa_priority
    return out
