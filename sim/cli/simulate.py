"""``migsim run`` (one scenario, one seed) and ``migsim compare`` (scenarios over seeds, against the first)."""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from sim import DEFAULT_HOUSEHOLDS_PER_AGENT, DEFAULT_WORLDS
from sim.calendar import format_month
from sim.cli import options
from sim.cli.console import out, progress, say
from sim.cli.options import UserError
from sim.cli.scenario_files import DEFAULT_COMPARISON, default_scenarios, scenario_file

RUN_COLUMNS = {  # national yearly table's column -> its header in `migsim run`
    "outflow": "outflow",
    "departures_irregular": "irregular",
    "departures_legal": "visa",
    "departures_protected": "protected",
    "apprehended_mexico": "stopped MX",
    "apprehended_us": "stopped US",
    "arrivals": "arrived",
    "returns": "returned",
    "removals": "removed",
    "stock_abroad": "abroad (Dec)",
    "key_arrests": "key arrests",
    "seizures": "seizures",
    "smuggling_fee": "fee USD",
    "cost_usd": "cost USD",
}


def add_run(sub) -> None:
    p = sub.add_parser(
        "run",
        help="simulate one scenario with one seed and write its tables",
        description="Simulate one scenario month by month; write monthly.parquet (month x department), "
        "programs.parquet (month x department x program), costs.parquet and metadata.json into "
        "OUT/<scenario name>-seed<N>; print national totals per year, and journeys, encounters, arrivals, removals, "
        "expulsions and releases by group (single adults, family-unit members, unaccompanied children).",
    )
    p.add_argument("scenario", help="scenario YAML file, e.g. scenarios/baseline.yaml")
    p.add_argument("--seed", type=options.seed, default=0, help="random seed (default 0)")
    p.add_argument("--out", type=options.output_folder, default="results", help="folder for results (default results/)")
    options.add_scale(p)
    p.set_defaults(func=cmd_run)


def add_compare(sub) -> None:
    p = sub.add_parser(
        "compare",
        help="compare scenarios over several seeds",
        description="Run each scenario with the same seeds and print irregular departures per year, totals "
        "against the first scenario (the baseline: departures averted, arrivals in the US averted, cost, cost per "
        "departure averted, community engagement), who goes and what the US border does by group (single adults, "
        "family-unit members, unaccompanied children), departures by department and the agreement's targets; write the "
        "tables and a chart. Without files: " + ", ".join(f"scenarios/{n}" for n in DEFAULT_COMPARISON) + ".",
    )
    p.add_argument("scenarios", nargs="*", help="scenario files; the first is the baseline")
    p.add_argument("--seeds", type=options.seeds, default=10, help="number of seeds (default 10)")
    p.add_argument("--first-seed", type=options.seed, default=0, help="first seed (default 0)")
    p.add_argument(
        "--worlds",
        type=options.worlds,
        default=DEFAULT_WORLDS,
        help=f"plausible worlds (default {DEFAULT_WORLDS}; 0: none): every scenario runs again in each, with every "
        "assumed number drawn from its plausible range (a Latin hypercube, the same worlds for every scenario), to "
        "say in how many worlds each scenario averts journeys and arrivals and meets each target",
    )
    p.add_argument(
        "--years",
        help="whole years shown and totalled, e.g. 2026-2035 (default: from the year the scenarios first differ, "
        "or 2026 if they differ from the start or never, to the last year all cover)",
    )
    p.add_argument(
        "--workers",
        type=options.workers,
        help="worker processes for the seeds (default: one per core when 4 seeds or more are not in the cache, "
        "where starting them pays off; else 1, in this process, where the step itself uses every core)",
    )
    options.add_scheduler(p, "the seeds and worlds")
    p.add_argument(
        "--set",
        type=options.parameter_setting,
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="a model parameter for every scenario, over its file's, e.g. --set crime.fee_elasticity=0 (repeatable; "
        "`migsim params` lists them): to see how much a result rests on an assumed value",
    )
    p.add_argument(
        "--fixed-parameters",
        action="store_true",
        help="every seed runs the calibrated point (default: each seed draws its parameters from the calibration's "
        "posterior, so intervals cover parameter uncertainty as well as chance)",
    )
    p.add_argument(
        "--out",
        type=options.output_folder,
        default="results/compare",
        help="folder for tables and chart (default results/compare)",
    )
    options.add_scale(p)
    p.set_defaults(func=cmd_compare)


def cmd_run(args: argparse.Namespace) -> None:
    import pandas as pd
    from rich.table import Table

    from sim.agreement_targets import assess, describe, engagement_share
    from sim.comparison_columns import whole
    from sim.runner import run
    from sim.scenario import load_scenario

    scenario = load_scenario(scenario_file(args.scenario))
    with progress(f"{scenario.name} (seed {args.seed})", args.quiet) as update:
        result = run(scenario, args.seed, households_per_agent=args.households_per_agent, progress=update)
    scale = "" if args.households_per_agent == DEFAULT_HOUSEHOLDS_PER_AGENT else f"-1to{args.households_per_agent:g}"
    folder = Path(args.out) / f"{_slug(scenario.name)}-seed{args.seed}{scale}"
    result.save(folder)
    national = result.national()
    table = Table(
        title=f"{scenario.name}: national totals per year (seed {args.seed}, "
        f"{result.metadata['agents']:,} agents for {result.metadata['households']:,} households)"
    )
    table.add_column("year", justify="right")
    # protected departures only when the scenario has humanitarian cases: the table is wide already
    columns = {c: label for c, label in RUN_COLUMNS.items() if c != "departures_protected" or national[c].any()}
    for label in columns.values():
        table.add_column(label, justify="right")
    for year, row in national.iterrows():
        table.add_row(str(year), *(whole(row[c]) for c in columns))
    out().print(table)
    starts = [c.start // 12 for _, c in scenario.levers]
    _print_groups(national, min(starts) if starts else int(national.index.min()), bool(starts))
    # the agreement's targets over the whole years from the first lever on, against the year before it
    first_whole, last_whole = (scenario.start + 11) // 12, (scenario.end + 1) // 12 - 1
    reference_year = max(min(starts) - 1 if starts else first_whole, first_whole)
    window = (reference_year + 1, last_whole) if reference_year < last_whole else (reference_year,) * 2
    if first_whole <= reference_year <= last_whole:
        reference = pd.Series(engagement_share(national).loc[reference_year], index=national.index)
        for sentence in describe(assess(national, window, reference)):
            say(f"{window[0]}-{window[1]}: {sentence}")
        say(
            f"(engagement against {reference_year}, "
            + ("the year before the first lever" if starts else "the first whole year")
            + "; `migsim compare` measures it against the first scenario instead)"
        )
    partial = [f"{y} covers {n} months" for y, n in _months_per_year(scenario).items() if n < 12]
    if partial:
        say(f"({'; '.join(partial)}: its totals are for those months only)")
    out().print(
        "outflow = irregular journeys started + visa departures + protected departures. Parameters: the calibrated point (`migsim compare` "
        f"gives each seed its own posterior draw instead). Tables written to {folder}/ "
        f"(monthly.parquet by department, programs.parquet, costs.parquet, metadata.json) in {result.metadata['wall_seconds']:.1f} s."
    )


def _print_groups(national, since: int, from_lever: bool) -> None:
    """The run's journeys and what the US border did with them, by group, from ``since`` to the run's end."""
    from sim.by_group import run_totals
    from sim.cli.render import column_table
    from sim.comparison_columns import RUN_BY_GROUP

    title = (
        f"Who goes and what the US border does, {since}-{national.index.max()}"
        + (" (from the first lever's year)" if from_lever else "")
        + ": people; a re-attempt counts again. Of those encountered: released into proceedings or to sponsors, "
        "expelled (Title 42), or removed at the border"
    )
    out().print(column_table(title, RUN_BY_GROUP, run_totals(national.loc[since:])))


def cmd_compare(args: argparse.Namespace) -> None:
    # options and files are checked before the heavier imports, so that a mistake is reported at once
    from sim.scenario import load_scenario

    files = [scenario_file(f) for f in args.scenarios] or default_scenarios()
    scenarios = [_with_parameters(load_scenario(f), args.set) for f in files]
    _distinct_names(scenarios, files)
    from sim.runner import shared_past

    prefix, fork = shared_past(scenarios)
    # default: from the year they first differ; 2026 when they never do (a scenario against a copy of itself)
    differ = prefix is not None and fork <= min(s.end for s in scenarios)
    years = _years(args.years, scenarios, fork // 12 if differ else 2026)
    scale = args.households_per_agent

    from sim import limits
    from sim.compare import posterior_draws_for
    from sim.comparison_report import CHART, comparison_report

    problem = limits.seeds_problem(args.first_seed, max(args.seeds, args.worlds))  # worlds take seeds too
    if problem:
        raise UserError(problem)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    draws = None if args.fixed_parameters else posterior_draws_for(seeds)
    with options.on_scheduler(args.scheduler) as executor:
        result, in_worlds, seconds = _simulate_comparison(args, scenarios, seeds, draws, executor)
    if in_worlds is not None:
        _print_worlds(in_worlds, years)
    _print_comparison(result, years, fixed_parameters=args.fixed_parameters)
    folder = Path(args.out)
    comparison_report(result, years, files, in_worlds).write(folder)
    out().print(
        f"{len(seeds)} seeds"
        + (f" and {args.worlds} plausible worlds" if args.worlds else "")
        + f" x {len(scenarios)} scenarios at {scale:g} households per agent in {seconds:.1f} s. "
        + ("Every scenario with " + ", ".join(f"{s}.{k}={v}" for s, k, v in args.set) + ". " if args.set else "")
        + "'Averted' counts irregular journeys not started; negative means more than the baseline; visa and protected "
        f"departures are legal and counted apart. Written to {folder}/: yearly.parquet and departments_yearly.parquet (every seed), "
        f"totals.csv, targets.csv, per_year.csv, per_department.csv, by_group.csv (journeys, encounters, arrivals, "
        f"removals, expulsions and releases by group), {CHART}, metadata.json (what produced them)"
        + (
            "; worlds.csv (shares of worlds), beats.csv (chances of beating), worlds.parquet (each world's numbers), "
            "worlds_yearly.parquet."
            if args.worlds
            else "."
        )
    )


def _simulate_comparison(args: argparse.Namespace, scenarios: list, seeds: list[int], draws, executor):
    """The seeds' comparison, then the plausible worlds' (None without --worlds), and the seconds both took."""
    from sim.compare import compare, posterior_draws_for
    from sim.worlds import sample

    began = time.perf_counter()
    scale = args.households_per_agent
    with progress(f"{len(scenarios)} scenarios x {len(seeds)} seeds", args.quiet) as update:
        result = compare(
            scenarios,
            seeds,
            households_per_agent=scale,
            workers=args.workers,
            executor=executor,
            progress=update,
            draws=draws,
        )
    in_worlds = None
    if args.worlds:
        worlds = sample(args.worlds, first_seed=args.first_seed)
        world_draws = None if args.fixed_parameters else posterior_draws_for(worlds.seeds)
        with progress(f"{len(scenarios)} scenarios x {args.worlds} plausible worlds", args.quiet) as update:
            in_worlds = compare(
                scenarios,
                worlds.seeds,
                households_per_agent=scale,
                workers=args.workers,
                executor=executor,
                progress=update,
                draws=world_draws,
                worlds=worlds,
            )
    return result, in_worlds, time.perf_counter() - began


def _print_worlds(in_worlds, years: tuple[int, int]) -> None:
    """What each scenario does across plausible worlds, in plain words, then the chances of beating each other."""
    from rich.table import Table

    from sim.cli.render import column_table
    from sim.comparison_columns import WORLDS
    from sim.worlds import beats, shares

    title = (
        f"{years[0]}-{years[1]} against '{in_worlds.scenarios[0]}' in {len(in_worlds.seeds)} plausible worlds (every "
        "assumed number drawn from its range, `migsim params --uncertain`; each world with a seed and a posterior draw)"
    )
    out().print(column_table(title, WORLDS, shares(in_worlds, years)))
    chances = beats(in_worlds, years)
    ranking = Table(title="Chance that the row's scenario averts more journeys than the column's (share of worlds)")
    ranking.add_column("scenario")
    for name in chances.columns:
        ranking.add_column(name, justify="right")
    for name, row in chances.iterrows():
        ranking.add_row(str(name), *("" if v != v else f"{v:.0%}" for v in row))  # NaN: the diagonal
    out().print(ranking)


def _print_comparison(result, years: tuple[int, int], fixed_parameters: bool) -> None:
    """Departures per year, the totals, departures by department and the agreement's targets, as tables."""
    from rich.table import Table

    from sim.by_group import by_group, per_group_rows
    from sim.cli.render import column_table
    from sim.compare import HEADLINE
    from sim.comparison_columns import BY_GROUP, TARGETS, TOTALS, shown, summary, whole

    base, seeds = result.scenarios[0], len(result.seeds)
    per_year = result.per_year(HEADLINE, years)
    table = Table(
        title="Irregular departures per year (journeys started: a re-attempt counts again; mean [90% interval] over "
        + (f"{seeds} seeds)" if fixed_parameters else f"{seeds} seeds, each with its posterior draw)")
    )
    table.add_column("year", justify="right")
    for name in result.scenarios:
        table.add_column(name, justify="right")
    for year in range(years[0], years[1] + 1):
        cells = []
        for name in result.scenarios:
            row = per_year[(per_year.scenario == name) & (per_year.year == year)].iloc[0]
            cells.append(f"{row['mean']:,.0f} [{row['low']:,.0f}-{row['high']:,.0f}]")
        table.add_row(str(year), *cells)
    out().print(table)

    rows = summary(result, years)
    out().print(column_table(f"{years[0]}-{years[1]} against '{base}' (paired by seed)", shown(TOTALS, rows), rows))
    title = (
        f"Who goes and what the US border does, {years[0]}-{years[1]} (people, mean over seeds; journeys averted "
        f"against '{base}', paired by seed; what each scenario averts of every outcome, with intervals: by_group.csv)"
    )
    out().print(column_table(title, BY_GROUP, per_group_rows(by_group(result, years))))

    by_dept = result.per_department(HEADLINE, years)
    dept_table = Table(
        title=f"Irregular departures {years[0]}-{years[1]} by department: '{base}' and averted by each scenario"
    )
    dept_table.add_column("department")
    dept_table.add_column(base, justify="right")
    for name in result.scenarios[1:]:
        dept_table.add_column(f"averted: {name}", justify="right")
    base_rows = by_dept[by_dept.scenario == base].set_index("department")
    for department, row in base_rows.iterrows():
        cells = [
            whole(by_dept[(by_dept.scenario == n) & (by_dept.department == department)]["averted"].iloc[0])
            for n in result.scenarios[1:]
        ]
        dept_table.add_row(str(department), whole(row["total"]), *cells)
    out().print(dept_table)

    title = (
        f"The agreement's targets, {years[0]}-{years[1]} (mean over seeds, and in brackets the seeds that meet "
        f"the target on their own; engagement against '{base}')"
    )
    out().print(column_table(title, TARGETS, rows))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "scenario"


def _years(text: str | None, scenarios: list, default_first: int) -> tuple[int, int]:
    """The window of whole years every scenario covers.

    A year that one of them covers only in part would compare half a year of departures with a whole one.
    """
    first_possible = max((s.start + 11) // 12 for s in scenarios)
    last_possible = min((s.end + 1) // 12 - 1 for s in scenarios)
    if first_possible > last_possible:
        spans = "; ".join(f"'{s.name}' {format_month(s.start)} to {format_month(s.end)}" for s in scenarios)
        raise UserError(f"these scenarios share no whole calendar year to compare ({spans})")
    if text is None:
        return min(max(default_first, first_possible), last_possible), last_possible
    window = options.years_option(text)
    if not first_possible <= window[0] <= window[1] <= last_possible:
        raise UserError(
            f"--years must lie within {first_possible}-{last_possible} (the whole years every scenario covers), "
            f"got {text}"
        )
    return window


def _months_per_year(scenario) -> dict[int, int]:
    years: dict[int, int] = {}
    for month in range(scenario.start, scenario.end + 1):
        years[month // 12] = years.get(month // 12, 0) + 1
    return years


def _distinct_names(scenarios: list, files: list[Path]) -> None:
    """Tables and charts tell scenarios apart by name: two with one name cannot be compared."""
    seen: dict[str, Path] = {}
    for scenario, file in zip(scenarios, files, strict=True):
        if scenario.name in seen:
            raise UserError(
                f"{seen[scenario.name]} and {file} are both named {scenario.name!r}: scenarios compared need "
                "names of their own (the name: key of the file)"
            )
        seen[scenario.name] = file


def _with_parameters(scenario, settings: list[tuple[str, str, object]]):
    """``scenario`` with the ``--set`` parameters over its own (checked like a scenario file's ``parameters:``)."""
    if not settings:
        return scenario
    from sim.scenario import validate_scenario

    data = scenario.resolved()
    parameters = {section: dict(values or {}) for section, values in data["parameters"].items()}
    for section, key, value in settings:
        parameters.setdefault(section, {})[key] = value
    given = " ".join(f"{section}.{key}={value}" for section, key, value in settings)
    return validate_scenario({**data, "parameters": parameters}, source=f"{scenario.source} with --set {given}")
