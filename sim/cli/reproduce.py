"""``migsim reproduce``: rerun a saved run, comparison or sweep and say whether every number is identical."""

from __future__ import annotations

import argparse
import os
import sys

from sim.cli import options
from sim.cli.console import err, say
from sim.cli.options import UserError


def add_reproduce(sub) -> None:
    p = sub.add_parser(
        "reproduce",
        help="rerun a saved run, comparison or sweep from its recorded inputs and check the numbers are identical",
        description="Rerun what FOLDER holds (written by `migsim run`, `migsim compare` or `migsim sweep`) with the "
        "scenarios, seeds, scale and parameter values it recorded, and compare its tables exactly (a sweep: every "
        "finished run). "
        "Exit code 0 when identical, 1 when anything differs.",
    )
    p.add_argument("run", metavar="FOLDER", help="e.g. results/baseline-seed0, results/compare or a sweep folder")
    p.add_argument(
        "--workers",
        type=options.workers,
        default=os.cpu_count() or 1,
        help="a sweep's runs: local worker processes (default: one per core; 1 runs in this process)",
    )
    p.set_defaults(func=cmd_reproduce)


def cmd_reproduce(args: argparse.Namespace) -> int:
    from sim.reproduce import reproduce

    try:
        report = reproduce(args.run, workers=args.workers)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    for note in report.notes:
        err().print(f"note: {note}", markup=False, highlight=False)
    if report.identical:
        parts = [rows for name, rows in report.rows.items() if name.startswith("parts/")]
        tables = ", ".join(f"{name} ({rows:,} rows)" for name, rows in report.rows.items())
        if parts:  # a sweep: one part per run, and what gathers them
            tables = f"{len(parts)} runs' parts ({sum(parts):,} rows)"
            if "results.parquet" in report.rows:
                tables += f", results.parquet ({report.rows['results.parquet']:,} rows)"
        say(f"{report.folder}: identical: {tables}")
        return 0
    for difference in report.differences:
        print(f"differs: {difference}", file=sys.stderr)  # one line each, never wrapped
    return 1
