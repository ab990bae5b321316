"""The ``migsim`` command: run and compare scenarios, and list what a scenario may contain."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from sim.errors import ScenarioError
from sim.model import DEFAULT_HOUSEHOLDS_PER_AGENT
from sim.schema import allowed_text

DEFAULT_COMPARISON = ("baseline.yaml", "job_programs.yaml", "border_enforcement.yaml")
out = Console()
if not out.is_terminal:
    out = Console(width=160)  # piped or captured output: wide enough that tables are not cut
err = Console(stderr=True)


class UserError(Exception):
    """A mistake in the command line that deserves one line, not a traceback."""


def _fmt(value: float) -> str:
    return "-" if value != value else f"{value:,.0f}"  # NaN -> "-"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "scenario"


@contextmanager
def _progress(label: str, quiet: bool):
    """A Rich progress bar on stderr; yields ``update(done, total)``."""
    if quiet:
        yield None
        return
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _scale(args: argparse.Namespace) -> float:
    if args.households_per_agent < 1:
        raise UserError("--households-per-agent must be at least 1 (1 = every household is an agent)")
    return args.households_per_agent


def cmd_run(args: argparse.Namespace) -> None:
    from sim.runner import run
    from sim.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    with _progress(f"{scenario.name} (seed {args.seed})", args.quiet) as update:
        result = run(scenario, args.seed, households_per_agent=_scale(args), progress=update)
    folder = Path(args.out) / f"{_slug(scenario.name)}-seed{args.seed}"
    result.save(folder)
    national = result.national()
    table = Table(
        title=f"{scenario.name}: national totals per year (seed {args.seed}, "
        f"{result.metadata['agents']:,} agents for {result.metadata['households']:,} households)"
    )
    columns = {
        "outflow": "outflow",
        "departures_irregular": "irregular",
        "departures_legal": "visa",
        "apprehended_mexico": "stopped MX",
        "apprehended_us": "stopped US",
        "arrivals": "arrived",
        "returns": "returned",
        "removals": "removed",
        "stock_abroad": "abroad (Dec)",
        "cost_usd": "cost USD",
    }
    table.add_column("year", justify="right")
    for label in columns.values():
        table.add_column(label, justify="right")
    for year, row in national.iterrows():
        table.add_row(str(year), *(_fmt(row[c]) for c in columns))
    out.print(table)
    out.print(
        f"outflow = irregular journeys started + visa departures (people). Tables written to {folder}/ "
        f"(monthly.parquet by department, costs.parquet, metadata.json) in {result.metadata['wall_seconds']:.1f} s."
    )


def _default_scenarios() -> list[Path]:
    folder = Path("scenarios")
    found = [folder / name for name in DEFAULT_COMPARISON if (folder / name).exists()]
    if not found:
        raise UserError(
            "no scenario files given and none of scenarios/baseline.yaml, job_programs.yaml, "
            "border_enforcement.yaml found here; pass scenario files, e.g. migsim compare a.yaml b.yaml"
        )
    return found


def cmd_compare(args: argparse.Namespace) -> None:
    from sim.compare import compare
    from sim.scenario import load_scenario

    files = [Path(f) for f in args.scenarios] or _default_scenarios()
    scenarios = [load_scenario(f) for f in files]
    if args.seeds < 1:
        raise UserError("--seeds must be at least 1")
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    end_year = min(s.end for s in scenarios) // 12
    first_year = args.from_year or max(
        min((c.start // 12 for s in scenarios for _, c in s.levers), default=2026),
        max(s.start for s in scenarios) // 12,
    )
    last_year = args.to_year or end_year
    if not first_year <= last_year <= end_year:
        raise UserError(f"--from/--to must satisfy from <= to <= {end_year} (the scenarios' horizon)")
    with _progress(f"{len(scenarios)} scenarios x {len(seeds)} seeds", args.quiet) as update:
        result = compare(scenarios, seeds, households_per_agent=_scale(args), workers=args.workers, progress=update)
    window = (first_year, last_year)
    per_year = result.per_year("outflow", window)
    table = Table(
        title=f"Projected outflow per year (people leaving: irregular journeys started + work visas), "
        f"mean and 90% interval over {len(seeds)} seeds"
    )
    table.add_column("year", justify="right")
    for name in result.scenarios:
        table.add_column(name, justify="right")
    for year in range(first_year, last_year + 1):
        cells = []
        for name in result.scenarios:
            row = per_year[(per_year.scenario == name) & (per_year.year == year)].iloc[0]
            cells.append(f"{row['mean']:,.0f} [{row['low']:,.0f}-{row['high']:,.0f}]")
        table.add_row(str(year), *cells)
    out.print(table)
    totals = result.totals("outflow", window)
    summary = Table(title=f"{first_year}-{last_year} totals against '{result.scenarios[0]}' (paired by seed)")
    for label in ("scenario", "outflow", "averted vs baseline [90%]", "cost USD", "USD per departure averted"):
        summary.add_column(label, justify="left" if label == "scenario" else "right")
    for _, row in totals.iterrows():
        summary.add_row(
            row["scenario"],
            _fmt(row["total"]),
            f"{row['averted']:,.0f} [{row['averted_low']:,.0f} to {row['averted_high']:,.0f}]",
            _fmt(row["cost_usd"]),
            _fmt(row["cost_per_averted_usd"]),
        )
    out.print(summary)
    out.print(
        f"{result.yearly['seed'].nunique()} seeds x {len(scenarios)} scenarios at "
        f"{_scale(args):g} households per agent. A negative 'averted' means more departures than the baseline."
    )
    if args.out:
        folder = Path(args.out)
        folder.mkdir(parents=True, exist_ok=True)
        result.yearly.to_csv(folder / "comparison_yearly.csv", index=False)
        totals.to_csv(folder / "comparison_totals.csv", index=False)
        out.print(f"Tables written to {folder}/comparison_yearly.csv and comparison_totals.csv")


def cmd_validate(args: argparse.Namespace) -> None:
    from sim.scenario import load_scenario

    for file in args.scenarios:
        scenario = load_scenario(file)
        levers = ", ".join(scenario.lever_labels()) or "no levers"
        out.print(f"{file}: ok ({scenario.name}; {levers})")


def cmd_levers(args: argparse.Namespace) -> None:
    from sim.levers import LEVERS

    for name, lever in LEVERS.items():
        table = Table(title=f"{name}: {lever.summary}", title_justify="left")
        for label in ("key", "allowed", "default", "meaning"):
            table.add_column(label)
        for key, info in lever.Config.model_fields.items():
            default = "required" if info.is_required() else repr(info.default)
            table.add_row(key, allowed_text(info, with_meaning=False), default, info.description or "")
        out.print(table)


def cmd_params(args: argparse.Namespace) -> None:
    from sim.parameters import default_parameters, section_schemas

    params = default_parameters()
    table = Table(title="Model parameters (sim/data/parameters.yaml); override under `parameters:` in a scenario")
    for label in ("parameter", "value", "allowed", "meaning", "source"):
        table.add_column(label, overflow="fold")
    for section, schema in section_schemas().items():
        for key, info in schema.model_fields.items():
            table.add_row(
                f"{section}.{key}",
                f"{getattr(params[section], key):g}",
                allowed_text(info, with_meaning=False),
                info.description or "",
                params.sources[section][key],
            )
    out.print(table)


def cmd_departments(args: argparse.Namespace) -> None:
    from sim.departments import load_departments

    d = load_departments()
    table = Table(title="Departments (census 2018; poverty ENCOVI 2023; homicide: see source column)")
    for label in ("INE", "name", "households", "with emigrants %", "poverty %", "homicide /100k", "homicide source"):
        table.add_column(label, justify="left" if label in ("name", "homicide source") else "right")
    for i in range(len(d.code)):
        table.add_row(
            str(d.code[i]),
            d.name[i],
            f"{d.households[i]:,}",
            f"{100 * d.emigrant_household_share[i]:.1f}",
            f"{100 * d.poverty[i]:.1f}",
            f"{d.homicide_rate[i]:.1f}",
            d.homicide_source[i],
        )
    out.print(table)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="migsim", description="Simulate Guatemalan households deciding whether to migrate, under policy scenarios."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def scale_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--households-per-agent",
            type=float,
            default=DEFAULT_HOUSEHOLDS_PER_AGENT,
            metavar="H",
            help=f"real households each agent stands for (default {DEFAULT_HOUSEHOLDS_PER_AGENT}; 1 = full scale, "
            "3,275,931 agents)",
        )
        p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser(
        "run",
        help="simulate one scenario with one seed and write its tables",
        description="Simulate one scenario month by month; write monthly.parquet (month x department), "
        "costs.parquet and metadata.json; print national totals per year.",
    )
    p.add_argument("scenario", help="scenario YAML file, e.g. scenarios/baseline.yaml")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--out", default="results", help="folder for results (default results/)")
    scale_option(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "compare",
        help="compare scenarios over several seeds",
        description="Run each scenario with the same seeds and print projected outflow per year and "
        "totals against the first scenario (the baseline). Without files: "
        + ", ".join(f"scenarios/{n}" for n in DEFAULT_COMPARISON)
        + ".",
    )
    p.add_argument("scenarios", nargs="*", help="scenario files; the first is the baseline")
    p.add_argument("--seeds", type=int, default=5, help="number of seeds (default 5)")
    p.add_argument("--first-seed", type=int, default=0, help="first seed (default 0)")
    p.add_argument("--from", dest="from_year", type=int, help="first year shown (default: first lever's start year)")
    p.add_argument("--to", dest="to_year", type=int, help="last year shown (default: the horizon)")
    p.add_argument("--workers", type=int, default=None, help="parallel processes (default: all cores)")
    p.add_argument("--out", help="folder to write comparison_yearly.csv and comparison_totals.csv")
    scale_option(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser(
        "validate",
        help="check scenario files without running them",
        description="Validate scenario files; print one line per problem (file:line: key path: message).",
    )
    p.add_argument("scenarios", nargs="+", help="scenario files")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser(
        "levers",
        help="list policy levers and their settings",
        description="List every lever a scenario can use, with its keys, allowed ranges and defaults.",
    )
    p.set_defaults(func=cmd_levers)
    p = sub.add_parser(
        "params",
        help="list model parameters, values and sources",
        description="List every model parameter with its value, allowed range, meaning and source.",
    )
    p.set_defaults(func=cmd_params)
    p = sub.add_parser(
        "departments",
        help="list departments and their data",
        description="List the 22 departments with INE codes and the data the model uses.",
    )
    p.set_defaults(func=cmd_departments)
    return parser


def main(argv: list[str] | None = None, *, handler: Callable[[argparse.Namespace], None] | None = None) -> int:
    """Entry point of the ``migsim`` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        (handler or args.func)(args)
    except (ScenarioError, UserError) as exc:
        print(str(exc), file=sys.stderr)  # plain: one line per problem, never wrapped
        return 2
    except KeyboardInterrupt:
        err.print("interrupted; files already written are complete, nothing half-written was left")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
