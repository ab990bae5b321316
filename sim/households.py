"""Household state as numpy columns in department blocks (the Mesa agent viewing one row is in sim.model).

Households are stored sorted by department, so department ``d`` owns rows ``start[d]:start[d] + count[d]``.
Per-department sums are then ``np.add.reduceat`` and department values reach households with
``np.repeat`` (both were 10-20x faster than gathers and ``bincount`` over unsorted rows on these machines).
Columns are float32/int16/int8/bool to halve the bytes each step touches.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

NEVER = np.int16(-32768)  # month index meaning "never happened"

# name: (dtype, meaning). The order is the order of sim.model.HouseholdAgent.snapshot().
COLUMNS: dict[str, tuple[type, str]] = {
    "rural": (np.bool_, "household lives in a rural area"),
    "size": (np.int8, "members (at home, abroad or dead since the run started; not settled_abroad)"),
    "working_age": (np.int8, "members aged 15-64 at the start"),
    "members_home": (np.int8, "members living in Guatemala now"),
    "members_abroad": (np.int8, "members who left irregularly since the run started and have not come back"),
    "legal_abroad": (np.int8, "members abroad on a temporary work visa"),
    "dead": (np.int8, "members who died on the journey"),
    "head_education": (np.int8, "years of schooling of the household head"),
    "children": (np.bool_, "household has members under 15"),
    "employed": (np.bool_, "main earner has work"),
    "agricultural": (np.bool_, "main earner works in agriculture"),
    "base_income": (np.float32, "household income when the main earner is employed, USD per month"),
    "income": (np.float32, "household income this month, USD per month"),
    "savings": (np.float32, "liquid savings, USD"),
    "debt": (np.float32, "debt, mostly from smuggler fees, USD"),
    "victim_month": (np.int16, "month index of the last crime suffered (NEVER if none)"),
    "relatives_abroad": (
        np.int8,
        "extended kin in the US outside the household, not its own members (network ties, no remittances)",
    ),
    "remittances": (np.float32, "remittances received this month, USD"),
    "aspiring": (np.bool_, "household aspired to migrate in the month just simulated"),
    "threshold": (
        np.float32,
        "the household aspires when its aspiration log-odds exceed this (logit of a persistent quantile)",
    ),
    "attempts": (np.int8, "irregular journeys started since the run began"),
    "attempts_left": (np.int8, "attempts still covered by the smuggler fee already paid"),
    "deportations": (np.int8, "apprehensions (Mexico or US) and removals suffered"),
    "last_arrival": (np.int16, "month index a member last arrived in the US (NEVER if none)"),
    "legal_return": (np.int16, "month index temporary workers come back (NEVER if none abroad)"),
    "legal_back": (np.int16, "month index temporary workers last came back (NEVER if never)"),
    "engaged": (np.bool_, "household takes part in prevention programs without any new measure"),
    "minors": (np.int8, "members under 15 living at home (census 2018 age structure; nobody ages during a run)"),
    "elderly": (np.int8, "members aged 65 and over (they do not migrate)"),
    "minors_abroad": (np.int8, "members under 15 abroad, who left in a family unit or alone (in members_abroad)"),
    "unit": (np.int8, "who went on the last irregular journey (sim.units: 0 an adult alone, 1 a family, 2 a child)"),
    "expelled": (np.bool_, "the last journey ended in an expulsion (Title 42): the unit tries again soon"),
    "asylum_month": (np.int16, "month index the asylum cases of released members are denied and they are removed"),
    "asylum_adults": (np.int8, "adults abroad to be removed in asylum_month"),
    "asylum_minors": (np.int8, "children abroad to be removed in asylum_month"),
    "protected_abroad": (
        np.int8,
        "of members_abroad, those who left with protection granted in Guatemala (refugee status or parole): "
        "never removed",
    ),
    "settled_abroad": (
        np.int8,
        "members who left before 2002 and still live abroad (outside size): they send remittances and are ties",
    ),
}
# the columns as one named structure, as the compiled step (sim/kernel.py) takes them
Columns = namedtuple("Columns", COLUMNS)


def allocate(n: int, dtypes: dict[str, type]) -> dict[str, np.ndarray]:
    """Zeroed arrays of ``n`` rows, one per entry of ``dtypes``, carved out of one block of memory.

    The main pass walks some 30 columns side by side. Arrays allocated one by one often start at the
    same offset within a 4 KiB page, so the same rows of different columns compete for the same cache
    sets: at full scale that made the step up to 23% slower, depending on what had been allocated before.
    Here each array starts on its own cache line of a page.
    """
    offsets, total = {}, 0
    for k, (name, dtype) in enumerate(dtypes.items()):
        offsets[name] = -(-total // 4096) * 4096 + (5 * k % 64) * 64
        total = offsets[name] + n * np.dtype(dtype).itemsize
    raw = np.zeros(total + 4096, dtype=np.uint8)
    page = -raw.ctypes.data % 4096  # where the block's first page starts
    return {
        name: raw[page + offsets[name] : page + offsets[name] + n * np.dtype(dtype).itemsize].view(dtype)
        for name, dtype in dtypes.items()
    }


def new_columns(n: int) -> dict[str, np.ndarray]:
    """Every column of :data:`COLUMNS` for ``n`` households, zeroed (see :func:`allocate`)."""
    return allocate(n, {name: dtype for name, (dtype, _) in COLUMNS.items()})


def copied_columns(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A copy of ``columns`` laid out as :func:`new_columns` lays them out."""
    copies = new_columns(len(columns["size"]))
    for name, column in copies.items():
        column[:] = columns[name]
    return copies


@dataclass
class Households:
    """All household columns plus the department block layout and super-individual weights."""

    start: np.ndarray  # (22,) first row of each department block
    count: np.ndarray  # (22,) rows per department
    weight: np.ndarray  # (22,) real households per row (float64), so count * weight == census households
    columns: dict[str, np.ndarray] = field(default_factory=dict)  # one array per entry of COLUMNS
    program_labels: list[str] = field(default_factory=list)  # programs (lever labels), one column each below
    # months each program's effect starts and ends, households x programs (a household's programs are adjacent)
    program_start: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int16))
    program_until: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int16))
    effects: object = None  # program effects (sim.programs.Effects) for the rules' numpy forms, when computed

    def __post_init__(self) -> None:
        if self.program_start.shape != (self.n, len(self.program_labels)):
            self.program_start = np.zeros((self.n, len(self.program_labels)), dtype=np.int16)
            self.program_until = np.zeros((self.n, len(self.program_labels)), dtype=np.int16)
        self.row_department = np.repeat(np.arange(len(self.count), dtype=np.int8), self.count)
        self.bounds = np.append(self.start, self.n).astype(np.int64)  # department d: rows bounds[d]:bounds[d + 1]
        # what one month's passes hand each other, allocated once: fresh arrays every month cost page faults
        # (about 2.5 ms a month at full scale, 3% of a step)
        scratch = allocate(
            self.n,
            {
                "priority": np.float32,
                "flags": np.uint8,
                "busy": np.bool_,
                "group": np.uint8,
                "log_income": np.float64,
                "logged_income": np.float32,
            },
        )
        self.priority = scratch["priority"]  # claim on a work visa
        self.flags = scratch["flags"]  # decisions of pass 2 for pass 3 (sim.kernel F_*)
        self.busy = scratch["busy"]  # in some program: set until pass 1 has looked (sim.kernel.count_pass)
        self.busy[:] = True
        self.group = scratch["group"]  # program target groups and worker at home (sim.kernel.count_pass)
        # log of the income in logged_income (zeros: log(max(0, 1)) = 0), renewed when income changes:
        # most households' income is the same from one month to the next, and the logarithm was 15% of pass 2
        self.log_income = scratch["log_income"]
        self.logged_income = scratch["logged_income"]

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.__dict__["columns"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def n(self) -> int:
        return int(self.count.sum())

    @property
    def department(self) -> np.ndarray:
        """Department position (0-21) of every row."""
        return self.row_department

    def per_household(self, values: np.ndarray, dtype: type = np.float32) -> np.ndarray:
        """Broadcast one value per department to its block of households."""
        return np.repeat(np.asarray(values, dtype=dtype), self.count)

    def dept_sum(self, values: np.ndarray) -> np.ndarray:
        """Sum a per-household array within each department block (float64, exact for counts).

        Masks are counted block by block with ``count_nonzero``, about 10x faster than ``reduceat``.
        """
        values = np.asarray(values)
        if values.dtype == np.bool_:
            return np.array([np.count_nonzero(values[a:b]) for a, b in pairwise(self.bounds)], dtype=np.float64)
        sums = np.add.reduceat(values, self.start, dtype=np.float64)
        sums[self.count == 0] = 0.0  # reduceat returns the element at start for empty blocks
        return sums

    def copy(self) -> Households:
        return Households(
            self.start,
            self.count,
            self.weight,
            copied_columns(self.columns),
            list(self.program_labels),
            self.program_start.copy(),
            self.program_until.copy(),
        )

    def check(self) -> None:
        """Raise if a column has the wrong length or dtype (used after synthesis and by tests)."""
        for name, (dtype, _) in COLUMNS.items():
            column = self.columns[name]
            if column.shape != (self.n,) or column.dtype != dtype:
                raise ValueError(f"column {name}: shape {column.shape} dtype {column.dtype}")
