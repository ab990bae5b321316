"""Programs that enrol households: jobs, training, loans, health cover, awareness, prevention, legal aid.

A lever that reaches households (rather than a whole department) declares a :class:`Program`: whom it
may enrol, how long its effect lasts and after what lag, and what being enrolled does. Each month the
lever says how many real households to enrol per department (``env.enrol[label]``); the step picks them
at random among the eligible (``sim/kernel.py``), and keeps, per program and household, the months its
effect starts and ends (``Households.program_start`` / ``program_until``). This module holds the
definitions, their packing for the compiled step, and the same effects written for numpy (inspection)
and for one household (the reference implementation).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import astuple, dataclass, fields

import numpy as np

from sim.households import NEVER, Households

TARGETS = ("any", "poor", "aspiring", "children", "returnees")


@dataclass(frozen=True)
class Effect:
    """What an active enrolment does each month (zero/neutral values do nothing). Field order = kernel's E_*."""

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


def pack(programs: Sequence[Program]) -> tuple[np.ndarray, np.ndarray]:
    """Effects (float) and settings (int: target, needs worker, lag, months) as arrays for the compiled step."""
    effects = np.array([[float(v) for v in astuple(p.effect)] for p in programs], dtype=np.float64).reshape(
        len(programs), len(fields(Effect))
    )
    settings = np.array(
        [[TARGETS.index(p.target), p.needs_worker, p.lag, p.months] for p in programs], dtype=np.int64
    ).reshape(len(programs), 4)
    return effects, settings


def add_columns(h: Households, programs: Sequence[Program]) -> None:
    """Give every program its start and end columns (NEVER), keeping those the households already have."""
    for program in programs:
        if program.label in h.program_labels:
            continue
        h.program_labels.append(program.label)
        empty = np.full((h.n, 1), NEVER, dtype=np.int16)
        h.program_start = np.concatenate([h.program_start, empty], axis=1)
        h.program_until = np.concatenate([h.program_until, empty], axis=1)


def order_columns(h: Households, programs: Sequence[Program]) -> None:
    """Keep only the columns of ``programs``, in their order (the kernel indexes them by position)."""
    index = [h.program_labels.index(p.label) for p in programs]
    h.program_labels = [p.label for p in programs]
    h.program_start = np.ascontiguousarray(h.program_start[:, index]).reshape(h.n, len(programs))
    h.program_until = np.ascontiguousarray(h.program_until[:, index]).reshape(h.n, len(programs))


@dataclass
class Effects:
    """Sum of all active programs' effects, one value per household."""

    employed: np.ndarray
    income_usd: np.ndarray
    income_share: np.ndarray
    aspiration: np.ndarray
    perceived_risk: np.ndarray
    reattempt_factor: np.ndarray
    visa_priority: np.ndarray
    engaged: np.ndarray


def effects(h: Households, programs: Sequence[Program], month: int) -> Effects:
    """The effects of every active enrolment this month, column by column (for rules' numpy forms)."""
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
    )
    for program in programs:
        k = h.program_labels.index(program.label)
        start = h.program_start[:, k]
        active = (start <= month) & (month < h.program_until[:, k])
        e = program.effect
        out.employed |= active & e.employed
        out.engaged |= active & e.engaged
        out.income_usd += np.float32(e.income_usd) * active
        out.income_share += np.float32(e.income_share) * active
        fade = np.exp(-(month - start.astype(np.float32)) / np.float32(e.decay_months)) if e.decay_months > 0 else 1
        out.aspiration += np.where(active, np.float32(e.aspiration) * fade, np.float32(0))
        out.perceived_risk += np.where(active, np.float32(e.perceived_risk) * fade, np.float32(0))
        out.reattempt_factor *= np.where(active, np.float32(e.reattempt_factor), np.float32(1))
        out.visa_priority *= np.where(active, np.float32(e.visa_priority), np.float32(1))
    return out


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


def enrol_probability(wanted: np.ndarray, eligible_rows: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Chance an eligible row is enrolled, per department, so that ``wanted`` real households are."""
    rows = wanted / weight
    return np.divide(rows, eligible_rows, out=np.zeros_like(rows), where=eligible_rows > 0).clip(0, 1)


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
