"""Bounds on the work one command may ask for, checked before anything runs.

Without them a typo is not refused but attempted: ``--seeds 100000`` silently started 200,000 runs, a grid
of 5 factors x 100 levels x 1,000 replications (10^10 runs) ran out of memory after 30 s of listing its
runs, and a seed past 64 bits failed after simulating, leaving tables without their ``metadata.json``.
Each bound is far above what the shipped examples use; a message says what was asked and what is allowed.
"""

from __future__ import annotations

MAX_SEED = 2**63 - 1  # seeds are stored as signed 64-bit integers in every table and record
MAX_SEEDS = 1_000  # a comparison keeps each seed's yearly tables in memory: about 0.7 GB at 1,000 x 4 scenarios
MAX_WORLDS = 1_000  # plausible worlds of a comparison: each runs every scenario, as a seed does
MAX_RUNS = 100_000  # a sweep lists its runs (each with its scenario) in memory: about 0.3 GB at 100,000
MAX_WORKERS = 256  # worker processes are started all at once


def seeds_problem(first: int, count: int) -> str | None:
    """What is wrong with the seeds ``first`` .. ``first + count - 1``, if anything."""
    last = first + count - 1
    if last > MAX_SEED:
        return (
            f"--first-seed {first} with --seeds {count} reaches seed {last}; seeds go up to {MAX_SEED:,} "
            "(64 bits): choose a smaller --first-seed"
        )
    return None


def runs_problem(points: int, replications: int) -> str | None:
    """What is wrong with an experiment of ``points`` design points x ``replications``, if anything."""
    runs = points * replications
    if runs > MAX_RUNS:
        return (
            f"{points:,} design points x {replications:,} replications = {runs:,} runs; a sweep has at most "
            f"{MAX_RUNS:,}: use fewer levels, samples or replications, or split it into several experiments"
        )
    return None
