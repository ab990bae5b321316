"""``migsim hinges`` (what each scenario's effect hinges on) and ``migsim optimise`` (the cheapest robust package)."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from sim.cli import options
from sim.cli.console import out, progress, say
from sim.cli.options import UserError
from sim.cli.scenario_files import DEFAULT_COMPARISON, default_scenarios, scenario_file


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number between 0 and 1, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be a number between 0 and 1 (0.1: the worst 10%), got {value:g}")
    return value


def _power_of_two(text: str) -> int:
    value = options.seeds(text)
    if value & (value - 1):
        raise argparse.ArgumentTypeError(f"must be a power of 2 (Sobol' sequences keep their balance), got {value}")
    return value


def add_hinges(sub) -> None:
    p = sub.add_parser(
        "hinges",
        help="what each scenario's effect hinges on: where it fails (PRIM), what it is sensitive to (Morris, Sobol')",
        description="Run the scenarios in --worlds plausible worlds and find, with PRIM, the worlds where each fails "
        "to avert journeys or arrivals against the first; then screen every uncertain number with Morris and measure "
        "the --top with Sobol' indices. Writes hinges.md, boxes.csv, screening.csv, indices.csv and "
        "world_effects.parquet. Without files: " + ", ".join(f"scenarios/{n}" for n in DEFAULT_COMPARISON) + ".",
    )
    p.add_argument("scenarios", nargs="*", help="scenario files; the first is the reference")
    p.add_argument("--worlds", type=options.seeds, default=200, help="plausible worlds for PRIM (default 200)")
    p.add_argument("--trajectories", type=options.seeds, default=4, help="Morris trajectories (default 4)")
    p.add_argument("--top", type=options.seeds, default=4, help="inputs measured with Sobol' (default 4)")
    p.add_argument("--samples", type=_power_of_two, default=16, help="Sobol' base samples, a power of 2 (default 16)")
    p.add_argument("--years", default="2026-2035", help="years over which effects are totalled (default 2026-2035)")
    p.add_argument("--seed", type=options.seed, default=0, help="first world's seed, and the designs' (default 0)")
    p.add_argument("--workers", type=options.workers, help="worker processes (default: one per core)")
    options.add_scheduler(p, "the worlds and the design points")
    p.add_argument(
        "--out", type=options.output_folder, default="results/hinges", help="folder (default results/hinges)"
    )
    options.add_scale(p, default=2000.0)
    p.set_defaults(func=cmd_hinges)


def add_optimise(sub) -> None:
    p = sub.add_parser(
        "optimise",
        help="search portfolios of levers for the cheapest robust package (a Pareto front)",
        description="Search how much of each lever (off to its schema's top, where and from when the shipped "
        "scenarios have it act) for the Pareto front of cost, journeys averted in the worst --quantile of --worlds "
        "plausible worlds, and the share of worlds meeting all three of the agreement's targets (NSGA-II). "
        "Resumable: the same command goes on from the evaluations stored in --out. Writes front.csv, front.png "
        "and front/front-NN.yaml, one scenario file per point, for `migsim compare` and the app.",
    )
    p.add_argument("--levers", help="comma-separated levers to search (default: the agreement package's)")
    p.add_argument(
        "--worlds", type=options.seeds, default=8, help="plausible worlds each portfolio runs in (default 8)"
    )
    p.add_argument("--quantile", type=_fraction, default=0.1, help="the worst worlds' share (default 0.1)")
    p.add_argument("--population", type=options.seeds, default=16, help="portfolios per generation (default 16)")
    p.add_argument("--generations", type=options.seeds, default=20, help="generations (default 20)")
    p.add_argument("--years", default="2026-2035", help="years over which effects and costs count")
    p.add_argument("--seed", type=options.seed, default=0, help="the worlds' first seed and the search's (default 0)")
    p.add_argument("--workers", type=options.workers, help="worker processes (default: one per core)")
    options.add_scheduler(p, "each generation's portfolios in their worlds")
    p.add_argument(
        "--out", type=options.output_folder, default="results/optimise", help="folder (default results/optimise)"
    )
    options.add_scale(p, default=2000.0)
    p.set_defaults(func=cmd_optimise)


def cmd_hinges(args: argparse.Namespace) -> None:
    from sim.scenario import load_scenario

    files = [scenario_file(f) for f in args.scenarios] or default_scenarios()
    scenarios = [load_scenario(f) for f in files]
    years = options.years_option(args.years)
    from sim.hinges import hinges
    from sim.hinges_report import write_report

    began = time.perf_counter()
    with progress("hinges", args.quiet) as update, options.on_scheduler(args.scheduler) as executor:
        try:
            found = hinges(
                scenarios,
                worlds=args.worlds,
                trajectories=args.trajectories,
                top=args.top,
                samples=args.samples,
                households_per_agent=args.households_per_agent,
                years=years,
                seed=args.seed,
                workers=args.workers,
                executor=executor,
                progress=(lambda stage, done, total: update(done, total)) if update else None,
            )
        except ValueError as exc:
            raise UserError(f"migsim hinges: {exc}") from None
    write_report(found, Path(args.out), years, files, args.households_per_agent)
    for line in found.sentences():
        out().print(line)
    say(f"in {time.perf_counter() - began:.0f} s; written to {args.out}/ (hinges.md and its tables)")


def cmd_optimise(args: argparse.Namespace) -> None:
    years = options.years_option(args.years)
    levers = [name.strip() for name in args.levers.split(",")] if args.levers else None
    from sim.robust_package import search

    began = time.perf_counter()
    with (
        progress(f"{args.generations} generations of {args.population} portfolios", args.quiet) as update,
        options.on_scheduler(args.scheduler) as executor,
    ):
        try:
            result = search(
                args.out,
                levers=levers,
                worlds=args.worlds,
                population=args.population,
                generations=args.generations,
                quantile=args.quantile,
                households_per_agent=args.households_per_agent,
                years=years,
                seed=args.seed,
                workers=args.workers,
                executor=executor,
                progress=update,
            )
        except ValueError as exc:
            raise UserError(f"migsim optimise: {exc}") from None
    _print_front(result.front, args)
    where = f"on {args.scheduler}" if args.scheduler else f"on {args.workers or os.cpu_count()} workers"
    say(
        f"{result.evaluations} portfolios evaluated now ({len(result.evaluated)} in all) in "
        f"{time.perf_counter() - began:.0f} s {where}; written to {args.out}/ "
        f"(front.csv, front.png, front/). Compare a point: migsim compare scenarios/baseline.yaml "
        f"{args.out}/front/front-01.yaml"
    )


def _print_front(front, args: argparse.Namespace) -> None:
    from rich.table import Table

    from sim.comparison_columns import whole

    table = Table(
        title=f"The Pareto front: cost against journeys averted in the worst {args.quantile:.0%} of {args.worlds} "
        "plausible worlds, and the share of worlds meeting every target"
    )
    for header in ("scenario file", "cost (USD million)", "journeys averted, worst worlds", "meets every target"):
        table.add_column(header, justify="left" if header == "scenario file" else "right")
    for rank, row in enumerate(front.to_dict("records"), 1):
        table.add_row(
            f"front/front-{rank:02d}.yaml",
            whole(row["cost_usd"] / 1e6),
            whole(row["robust_journeys_averted"]),
            f"{row['worlds_meeting_targets']:.0%}",
        )
    out().print(table)
