"""Random draws as a function of (run key, month, purpose, household row): a counter-based generator.

Every uniform the monthly step uses is ``uniform(stream_key(run_key, month, purpose), row)``: a
SplitMix64 hash of the counter, no state carried from one draw to the next. So draws are made only
where they are needed, in any order, on any number of threads, and still come out the same; and two
scenarios run with the same seed see the same draw for the same household, month and purpose (common
random numbers), however differently their households behaved before. The run key comes from the seed
through ``numpy.random.SeedSequence``. SplitMix64 (Steele, Lea & Flood 2014) passes BigCrush.
"""

from __future__ import annotations

import numpy as np
from numba import njit

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
MIX1 = np.uint64(0xBF58476D1CE4E5B9)
MIX2 = np.uint64(0x94D049BB133111EB)
TO_UNIT = np.float32(2.0**-24)

# Purposes (streams). Programs use PROGRAM + their position; the border's draws come after any program's.
JOB, CRIME, RETURN, LATENT, ACT, LEGAL, JOURNEY, PROGRAM = range(8)
UNIT, BORDER, OUTCOME, ASYLUM = range(4096, 4100)  # who goes; surrender or evade; what the US does; asylum
SETTLED = 4100  # one of the members who left before 2002 dies, comes back or stops sending
PROTECTION = 4101  # a household eligible for in-country humanitarian processing is given a case


def run_key(seed: int) -> np.uint64:
    """A 64-bit key for the run, from the seed (a numpy uint64: numba must not see it as a signed int)."""
    return np.random.SeedSequence([seed, 0x6D696773]).generate_state(1, dtype=np.uint64)[0]


def month_stream(key: np.uint64, month: int, purpose: int) -> np.uint64:
    """:func:`stream_key` for Python callers, kept unsigned."""
    return np.uint64(stream_key(key, month, purpose))


@njit(cache=True, inline="always")
def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * MIX1
    z = (z ^ (z >> np.uint64(27))) * MIX2
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def stream_key(key: int, month: int, purpose: int) -> np.uint64:
    """The key of one month's draws for one purpose."""
    z = key + np.uint64(month) * GOLDEN + np.uint64(purpose + 1) * MIX2
    return _mix(_mix(z))


@njit(cache=True, inline="always")
def uniform(stream: np.uint64, row: int) -> np.float32:
    """Uniform on [0, 1) with 24 random bits (exact in float32) for household ``row``."""
    z = _mix(stream + (np.uint64(row) + np.uint64(1)) * GOLDEN)
    return np.float32(z >> np.uint64(40)) * TO_UNIT


@njit(cache=True)
def uniforms(stream: np.uint64, n: int) -> np.ndarray:
    """``uniform(stream, row)`` for rows 0..n-1 (for the reference implementation and inspection)."""
    out = np.empty(n, dtype=np.float32)
    for row in range(n):
        out[row] = uniform(stream, row)
    return out
