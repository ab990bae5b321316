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
from collections import namedtuple
from collections.abc import Sequence
from dataclasses import dataclass, field, fields

import numpy as np

from sim.households import NEVER, Households

TARGETS = ("any", "poor", "aspiring", "children", "returnees")
# how a monthly effect combines over the programs a household is in this month, and its value in none
COMBINE = {
    "or": ("the household has it if any of its programs gives it", 0.0),
    "add": ("the programs' values are summed", 0.0),
    "fading": ("summed, each fading as exp(-months since the program's start / its decay_months)", 0.0),
    "multiply": ("the programs' factors are multiplied", 1.0),
}


def _effect(default: float | bool, combine: str, meaning: str):
    """A field of :class:`Effect`: its default, how it combines (COMBINE, ``once`` or ``setting``) and meaning."""
    return field(default=default, metadata={"combine": combine, "meaning": meaning})


@dataclass(frozen=True)
class Effect:
    """What an active enrolment does (zero/neutral values do nothing), each field with how programs combine.

    Everything derived from these fields (the compiled step's table, :class:`Effects`, :func:`effects_one`,
    the agents' ``effects``) follows this declaration, so a new effect is one field here plus what it does.
    """

    employed: bool = _effect(False, "or", "the household counts as employed")
    income_usd: float = _effect(0.0, "add", "USD per month added to income")
    income_share: float = _effect(0.0, "add", "share of own income added")
    aspiration: float = _effect(0.0, "fading", "log-odds added to aspiration")
    perceived_risk: float = _effect(0.0, "fading", "added to the perceived chance an attempt fails")
    decay_months: float = _effect(0.0, "setting", "aspiration and risk effects fade over this many months; 0: never")
    reattempt_factor: float = _effect(1.0, "multiply", "multiplies the chance an apprehended migrant tries again")
    visa_priority: float = _effect(1.0, "multiply", "weight in the allocation of work visas")
    engaged: bool = _effect(False, "or", "counts as community engagement (prevention programs)")
    savings_usd: float = _effect(0.0, "once", "USD added to savings at enrolment")
    debt_usd: float = _effect(0.0, "once", "USD added to debt at enrolment")


@dataclass(frozen=True)
class Program:
    label: str  # the lever's label in the scenario: one program per lever instance
    target: str  # one of TARGETS
    months: int  # how long the effect lasts
    effect: Effect
    lag: int = 0  # months from enrolment to effect
    needs_worker: bool = False  # only households with a worker at home


# the effects that act every month of an enrolment, in declaration order, and how each combines
MONTHLY: dict[str, str] = {f.name: f.metadata["combine"] for f in fields(Effect) if f.metadata["combine"] in COMBINE}
# the compiled step's table of effects: the monthly ones grouped by how they combine, then the others
PACKED = (
    *(name for kind in COMBINE for name, combine in MONTHLY.items() if combine == kind),
    *(f.name for f in fields(Effect) if f.name not in MONTHLY),
)
# where each effect is in that table, and where each group of monthly effects ends (``end_or``, ...)
Layout = namedtuple("Layout", [*PACKED, *(f"end_{kind}" for kind in COMBINE)])
LAYOUT = Layout(
    *range(len(PACKED)),
    *(sum(1 for combine in MONTHLY.values() if list(COMBINE).index(combine) <= k) for k in range(len(COMBINE))),
)
# the programs as the compiled step takes them: a row of effects (PACKED) and the settings of each program
Table = namedtuple("Table", ["effects", "target", "needs_worker", "lag", "months"])
# this month's effects on every household, one array per monthly effect (what rules' numpy forms read)
Effects = namedtuple("Effects", MONTHLY)


def pack(programs: Sequence[Program]) -> Table:
    """The programs' effects and settings as arrays for the compiled step."""
    effects = np.array(
        [[float(getattr(p.effect, name)) for name in PACKED] for p in programs], dtype=np.float64
    ).reshape(len(programs), len(PACKED))

    def setting(values: list) -> np.ndarray:
        return np.array(values, dtype=np.int64)

    return Table(
        effects,
        setting([TARGETS.index(p.target) for p in programs]),
        setting([p.needs_worker for p in programs]),
        setting([p.lag for p in programs]),
        setting([p.months for p in programs]),
    )


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


def effects(h: Households, programs: Sequence[Program], month: int) -> Effects:
    """The effects of every active enrolment this month, column by column (for rules' numpy forms)."""
    n = h.n
    out = {
        name: np.zeros(n, bool) if kind == "or" else np.full(n, COMBINE[kind][1], np.float32)
        for name, kind in MONTHLY.items()
    }
    for program in programs:
        k = h.program_labels.index(program.label)
        start = h.program_start[:, k]
        active = (start <= month) & (month < h.program_until[:, k])
        e = program.effect
        fade = np.exp(-(month - start.astype(np.float32)) / np.float32(e.decay_months)) if e.decay_months > 0 else 1
        for name, kind in MONTHLY.items():
            value = getattr(e, name)
            if kind == "or":
                out[name] |= active & value
            elif kind == "add":
                out[name] += np.float32(value) * active
            elif kind == "fading":
                out[name] += np.where(active, np.float32(value) * fade, np.float32(0))
            else:
                out[name] *= np.where(active, np.float32(value), np.float32(1))
    return Effects(**out)


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
    """The same for one household whose ``hh.programs[label]`` is ``[start, until]``."""
    out = {name: False if kind == "or" else COMBINE[kind][1] for name, kind in MONTHLY.items()}
    for program in programs:
        start, until = hh.programs[program.label]
        if not start <= month < until:
            continue
        e = program.effect
        fade = math.exp(-(month - start) / e.decay_months) if e.decay_months > 0 else 1.0
        for name, kind in MONTHLY.items():
            value = getattr(e, name)
            if kind == "or":
                out[name] |= value
            elif kind == "add":
                out[name] += value
            elif kind == "fading":
                out[name] += value * fade
            else:
                out[name] *= value
    return out
