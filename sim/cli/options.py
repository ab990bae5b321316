"""Option types shared by the commands: each checks its value and says what is allowed, before any work starts."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from concurrent.futures import CancelledError, Executor
from contextlib import contextmanager
from pathlib import Path

from sim import COARSEST, DEFAULT_HOUSEHOLDS_PER_AGENT


class UserError(Exception):
    """A mistake in the command line that deserves one line, not a traceback."""


def _whole(text: str, low: int, high: int | None = None) -> int:
    """An integer option within [low, high], or argparse's usage error saying what is allowed."""
    allowed = f"a whole number from {low}" + (f" to {high}" if high is not None else " up")
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {allowed}, got {text!r}") from None
    if value < low or (high is not None and value > high):
        raise argparse.ArgumentTypeError(f"must be {allowed}, got {value}")
    return value


def seed(text: str) -> int:
    from sim import limits

    return _whole(text, 0, limits.MAX_SEED)  # seeds number the runs' random streams; tables hold them in 64 bits


def seeds(text: str) -> int:
    from sim import limits

    return _whole(text, 1, limits.MAX_SEEDS)  # seeds to run


def workers(text: str) -> int:
    from sim import limits

    return _whole(text, 1, limits.MAX_WORKERS)  # worker processes, all started at once


def worlds(text: str) -> int:
    from sim import limits

    return _whole(text, 0, limits.MAX_WORLDS)  # plausible worlds; 0: none


def port(text: str) -> int:
    return _whole(text, 1, 65535)


def output_folder(text: str) -> Path:
    """An --out folder that exists or can be made: checked before any simulation, not after it."""
    from sim.files import unwritable_folder

    problem = unwritable_folder(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return Path(text)


def households_per_agent(text: str) -> float:
    """The scale option: 1 (every household an agent) up to a scale at which every department still has agents."""
    allowed = f"a number from 1 (full scale) to {COARSEST:,}"
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {allowed}, got {text!r}") from None
    if not 1 <= value <= COARSEST:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"must be {allowed} (coarser leaves departments without agents), got {text}")
    return value


def parameter_setting(text: str) -> tuple[str, str, object]:
    """``crime.fee_elasticity=0`` as (section, key, value); the value read as YAML reads it (0 -> int)."""
    import yaml

    path, equals, value = text.partition("=")
    section, dot, key = path.strip().partition(".")
    if not (equals and dot and section and key and value.strip()):
        raise argparse.ArgumentTypeError(f"expects SECTION.KEY=VALUE, e.g. crime.fee_elasticity=0, got {text!r}")
    return section, key.strip(), yaml.safe_load(value)


def years_option(text: str | None) -> tuple[int, int] | None:
    """``--years`` as (first, last), earlier year first; None when not given."""
    if text is None:
        return None
    try:
        first, dash, last = text.partition("-")
        window = int(first), int(last if dash else first)  # "2026-" is a mistake, not 2026 alone
    except ValueError:
        raise UserError(f"--years must look like 2026-2035, got {text!r}") from None
    if window[0] > window[1]:
        raise UserError(
            f"--years must run from the earlier year to the later, e.g. {window[1]}-{window[0]}; got {text}"
        )
    return window


def add_scale(parser: argparse.ArgumentParser, default: float = DEFAULT_HOUSEHOLDS_PER_AGENT) -> None:
    """--households-per-agent (the model's default scale unless said) and --quiet, for the commands that simulate."""
    parser.add_argument(
        "--households-per-agent",
        type=households_per_agent,
        default=default,
        metavar="H",
        help=f"real households each agent stands for (default {default:g}; 1 = full scale, 3,275,931 agents)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def dask_executor(address: str | None):
    """(client, executor) of the Dask scheduler at ``--scheduler address``; (None, None) without one.

    A bad address or a scheduler out of reach is a UserError (one line, exit 2).
    """
    if not address:
        return None, None
    from sim import cluster

    try:
        client = cluster.connect(address)
    except cluster.ClusterProblem as exc:
        raise UserError(str(exc)) from None
    return client, client.get_executor()


def add_scheduler(parser: argparse.ArgumentParser, what: str) -> None:
    """--scheduler: a Dask scheduler's address to run ``what`` on."""
    parser.add_argument(
        "--scheduler",
        help=f"address of a Dask scheduler to run {what} on, e.g. tcp://127.0.0.1:8786 (needs migsim[cluster]); "
        "the results are identical to a local run",
    )


@contextmanager
def on_scheduler(address: str | None) -> Iterator[Executor | None]:
    """The executor of the Dask scheduler at ``--scheduler address`` (None without one), closed afterwards.

    A scheduler lost on the way is one line saying how to go on: runs its workers finished are in the cache.
    """
    client, executor = dask_executor(address)
    try:
        yield executor
    except CancelledError:  # only an executor cancels: the Dask scheduler went away
        raise UserError(
            f"the Dask scheduler at {address} was lost; run the same command to go on (runs its workers cached "
            "are not run again; without --scheduler: on this machine)"
        ) from None
    finally:
        if client is not None:
            from sim import cluster

            cluster.close(client)
