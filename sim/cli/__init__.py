"""The ``migsim`` command: one module per group of commands, each adding its own options to the parser.

Commands import what they need when they run, so that ``migsim --help`` and a mistaken option answer at once.
The work itself is the library's: a command checks its options, calls ``sim``, and prints or writes the result.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from sim.cli import app, cache, calibration, exploring, listings, reproduce, simulate, sweeps
from sim.cli.console import err
from sim.cli.options import UserError
from sim.errors import RuleError, ScenarioError

__all__ = ["UserError", "build_parser", "main"]

COMMANDS = (  # in the order `migsim --help` lists them
    simulate.add_run,
    simulate.add_compare,
    exploring.add_hinges,
    exploring.add_optimise,
    listings.add_check,
    calibration.add_calibrate,
    calibration.add_validate,
    listings.add_levers,
    listings.add_params,
    cache.add_cache,
    listings.add_departments,
    sweeps.add_sweep,
    sweeps.add_sweep_report,
    listings.add_reference,
    reproduce.add_reproduce,
    app.add_app,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="migsim", description="Simulate Guatemalan households deciding whether to migrate, under policy scenarios."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: list[str] | None = None, *, handler: Callable[[argparse.Namespace], int | None] | None = None) -> int:
    """Entry point of the ``migsim`` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        code = (handler or args.func)(args)
    except (ScenarioError, UserError, RuleError) as exc:
        print(str(exc), file=sys.stderr)  # plain: one line per problem, never wrapped
        return 2
    except KeyboardInterrupt:
        err().print("interrupted; files already written are complete, nothing half-written was left")
        return 130
    return code or 0  # commands return nothing, or an exit code of their own (reproduce: 1 when numbers differ)
