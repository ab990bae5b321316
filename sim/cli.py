"""The ``migsim`` command: run and compare scenarios, and list what a scenario may contain."""

from __future__ import annotations

import argparse
import json
import numbers
import os
import re
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from sim import COARSEST, DEFAULT_HOUSEHOLDS_PER_AGENT, cluster, limits
from sim.calendar import format_month
from sim.errors import RuleError, ScenarioError
from sim.files import unwritable_folder
from sim.provenance import PARAMETER_STATUSES, parameter_status
from sim.schema import allowed_text

DEFAULT_COMPARISON = ("baseline.yaml", "agreement_package.yaml", "enforcement_only.yaml", "root_causes.yaml")
out = Console()
if not out.is_terminal:
    out = Console(width=160)  # piped or captured output: wide enough that tables are not cut
err = Console(stderr=True)


class RateColumn(ProgressColumn):
    """Runs per minute so far (runs found finished when a sweep resumes are not counted)."""

    def render(self, task):
        elapsed = task.elapsed or 0
        done = task.completed - task.fields.get("resumed", 0)
        return Text(f"{done / elapsed * 60:.1f} runs/min" if elapsed > 0 else "")


class UserError(Exception):
    """A mistake in the command line that deserves one line, not a traceback."""


def _year(value) -> str:
    """A year, or 'not met' for a target never met for good (None, NaN or pandas' NA)."""
    import pandas as pd  # already loaded: the value comes from a table

    return "not met" if value is None or pd.isna(value) else str(int(value))


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


def cmd_run(args: argparse.Namespace) -> None:
    import pandas as pd

    from sim.agreement_targets import assess, describe, engagement_share
    from sim.runner import run
    from sim.scenario import load_scenario

    scenario = load_scenario(_scenario_file(args.scenario))
    with _progress(f"{scenario.name} (seed {args.seed})", args.quiet) as update:
        result = run(scenario, args.seed, households_per_agent=args.households_per_agent, progress=update)
    scale = "" if args.households_per_agent == DEFAULT_HOUSEHOLDS_PER_AGENT else f"-1to{args.households_per_agent:g}"
    folder = Path(args.out) / f"{_slug(scenario.name)}-seed{args.seed}{scale}"
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
        "key_arrests": "key arrests",
        "seizures": "seizures",
        "smuggling_fee": "fee USD",
        "cost_usd": "cost USD",
    }
    table.add_column("year", justify="right")
    for label in columns.values():
        table.add_column(label, justify="right")
    for year, row in national.iterrows():
        table.add_row(str(year), *(_fmt(row[c]) for c in columns))
    out.print(table)
    # the agreement's targets over the whole years from the first lever on, against the year before it
    first_whole, last_whole = (scenario.start + 11) // 12, (scenario.end + 1) // 12 - 1
    starts = [c.start // 12 for _, c in scenario.levers]
    reference_year = max(min(starts) - 1 if starts else first_whole, first_whole)
    window = (reference_year + 1, last_whole) if reference_year < last_whole else (reference_year,) * 2
    if first_whole <= reference_year <= last_whole:
        reference = pd.Series(engagement_share(national).loc[reference_year], index=national.index)
        for sentence in describe(assess(national, window, reference)):
            out.print(f"{window[0]}-{window[1]}: {sentence}", markup=False, highlight=False)
        out.print(
            f"(engagement against {reference_year}, "
            + ("the year before the first lever" if starts else "the first whole year")
            + "; `migsim compare` measures it against the first scenario instead)",
            markup=False,
            highlight=False,
        )
    partial = [f"{y} covers {n} months" for y, n in _months_per_year(scenario).items() if n < 12]
    if partial:
        out.print(f"({'; '.join(partial)}: its totals are for those months only)", markup=False, highlight=False)
    out.print(
        "outflow = irregular journeys started + visa departures. Parameters: the calibrated point (`migsim compare` "
        f"gives each seed its own posterior draw instead). Tables written to {folder}/ "
        f"(monthly.parquet by department, programs.parquet, costs.parquet, metadata.json) in {result.metadata['wall_seconds']:.1f} s."
    )


SHIPPED = Path(__file__).resolve().parent.parent / "scenarios"  # the repository's scenarios (editable install)


def _scenario_folders() -> list[Path]:
    """Where bare scenario names are looked up: ./scenarios, then the shipped folder."""
    return [f for f in dict.fromkeys([Path("scenarios"), SHIPPED]) if f.is_dir()]


def _scenario_file(text: str) -> Path:
    """A scenario file as given, or a bare name (``baseline``, ``baseline.yaml``) found in a scenarios folder.

    Anything else is passed on as it is, and its loading says what is wrong (with the nearest file).
    """
    given = Path(text)
    if given.exists() or given.parent != Path("."):
        return given
    for folder in _scenario_folders():
        for candidate in (folder / given.name, folder / f"{given.name}.yaml"):
            if candidate.is_file():
                return candidate
    return given


def _is_experiment(file: Path) -> bool:
    """An experiment file (base: and factors:) rather than a scenario: `check` validates each as what it is."""
    from sim.yamlio import load_yaml

    try:
        data, _ = load_yaml(file)
    except (ScenarioError, OSError):
        return False  # loading it as a scenario says what is wrong
    return isinstance(data, dict) and "base" in data and "factors" in data


def _default_scenarios() -> list[Path]:
    for folder in _scenario_folders():
        found = [folder / name for name in DEFAULT_COMPARISON if (folder / name).exists()]
        if found:
            return found
    raise UserError(
        "no scenario files given and none of "
        + ", ".join(f"scenarios/{n}" for n in DEFAULT_COMPARISON)
        + " found here; pass scenario files, e.g. migsim compare a.yaml b.yaml"
    )


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
    window = _years_option(text)
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


def cmd_compare(args: argparse.Namespace) -> None:
    # options and files are checked before the heavier imports, so that a mistake is reported at once
    from sim.scenario import load_scenario

    files = [_scenario_file(f) for f in args.scenarios] or _default_scenarios()
    scenarios = [_with_parameters(load_scenario(f), args.set) for f in files]
    _distinct_names(scenarios, files)
    from sim.runner import shared_past

    prefix, fork = shared_past(scenarios)
    # default: from the year they first differ; 2026 when they never do (a scenario against a copy of itself)
    differ = prefix is not None and fork <= min(s.end for s in scenarios)
    years = _years(args.years, scenarios, fork // 12 if differ else 2026)
    scale = args.households_per_agent

    from sim.agreement_targets import ENGAGEMENT_GROWTH, KEY_ARRESTS, SEIZURE_GROWTH, signed_percent
    from sim.compare import ENGAGEMENT_TARGET, compare, posterior_draws_for
    from sim.comparison_chart import comparison_chart
    from sim.parameters import default_parameters
    from sim.provenance import code_version, package_versions
    from sim.runner import write_atomic

    if limits.seeds_problem(args.first_seed, args.seeds):
        raise UserError(limits.seeds_problem(args.first_seed, args.seeds))
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    draws = None if args.fixed_parameters else posterior_draws_for(seeds)
    began = time.perf_counter()
    with _progress(f"{len(scenarios)} scenarios x {len(seeds)} seeds", args.quiet) as update:
        result = compare(
            scenarios, seeds, households_per_agent=scale, workers=args.workers, progress=update, draws=draws
        )
    seconds = time.perf_counter() - began
    base = result.scenarios[0]

    per_year = result.per_year("departures_irregular", years)
    table = Table(
        title="Irregular departures per year (journeys started: a re-attempt counts again; mean [90% interval] over "
        + (f"{len(seeds)} seeds)" if args.fixed_parameters else f"{len(seeds)} seeds, each with its posterior draw)")
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
    out.print(table)

    totals = result.totals("departures_irregular", years)
    summary = Table(title=f"{years[0]}-{years[1]} against '{base}' (paired by seed)")
    labels = (
        "scenario",
        "irregular departures",
        "averted [90%]",
        "arrivals in the US averted [90%]",
        "visa departures",
        "cost USD",
        "USD per departure averted",
        f"engagement vs '{base}' (target +{ENGAGEMENT_TARGET:.0%})",
    )
    for label in labels:
        summary.add_column(label, justify="left" if label == "scenario" else "right")
    for _, row in totals.iterrows():
        summary.add_row(
            row["scenario"],
            _fmt(row["total"]),
            f"{row['averted']:,.0f} [{row['averted_low']:,.0f} to {row['averted_high']:,.0f}]",
            f"{row['arrivals_averted']:,.0f} [{row['arrivals_averted_low']:,.0f} to {row['arrivals_averted_high']:,.0f}]",
            _fmt(row["departures_legal"]),
            _fmt(row["cost_usd"]),
            _fmt(row["cost_per_averted_usd"]),
            signed_percent(row["engagement_change"]) + (" met" if row["engagement_target_met"] else ""),
        )
    out.print(summary)

    by_dept = result.per_department("departures_irregular", years)
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
            _fmt(by_dept[(by_dept.scenario == n) & (by_dept.department == department)]["averted"].iloc[0])
            for n in result.scenarios[1:]
        ]
        dept_table.add_row(str(department), _fmt(row["total"]), *cells)
    out.print(dept_table)

    targets = result.targets(years)
    goals = Table(
        title=f"The agreement's targets, {years[0]}-{years[1]} (mean over seeds, and in brackets the seeds that meet "
        f"the target on their own; engagement against '{base}')"
    )
    for label in (
        "scenario",
        f"key arrests a year (target {KEY_ARRESTS})",
        "met from",
        f"seizures, change a year (target +{SEIZURE_GROWTH:.0%})",
        "met from",
        f"engagement (target +{ENGAGEMENT_GROWTH:.0%})",
        "met from",
    ):
        goals.add_column(label, justify="left" if label == "scenario" else "right")
    for _, row in targets.iterrows():
        of_all = f" of {row['seeds']}"
        goals.add_row(
            row["scenario"],
            f"{row['key_arrests_per_year']:.1f} ({row['key_arrests_seeds_met']}{of_all})",
            _year(row["key_arrests_met_from"]),
            f"{signed_percent(row['seizure_growth_per_year'])} ({row['seizure_growth_seeds_met']}{of_all})",
            _year(row["seizure_growth_met_from"]).replace(
                "not met", f"in {row['seizure_growth_years_met']} of {row['years']} years"
            ),
            f"{signed_percent(row['engagement_change'])} ({row['engagement_seeds_met']}{of_all})",
            _year(row["engagement_met_from"]),
        )
    out.print(goals)

    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "metadata.json").unlink(missing_ok=True)  # written last: until then the folder is unfinished
    # each file under a temporary name, then renamed: a killed compare never leaves a half-written table
    for name, table in result.summary_tables(years).items():
        write_atomic(folder / name, lambda p, t=table: t.to_csv(p, index=False))
    write_atomic(folder / "yearly.parquet", lambda p: result.yearly.to_parquet(p, index=False))
    write_atomic(folder / "departments_yearly.parquet", lambda p: result.departments.to_parquet(p, index=False))
    chart = folder / "comparison.png"
    write_atomic(chart, lambda p: comparison_chart(result, years, Path(p)))
    record = {
        "scenarios": [
            {"file": str(f), "digest": s.digest, "resolved": s.resolved()}
            for f, s in zip(files, scenarios, strict=True)
        ],
        "seeds": seeds,
        "households_per_agent": scale,
        "years": list(years),
        "parameters": default_parameters().as_dict(),
        "parameter_draws": {str(seed): draw for seed, draw in (draws or {}).items()},
        "parameters_used": (
            "the calibrated point above, with each seed's values in parameter_draws replacing it"
            if draws
            else "the calibrated point above (--fixed-parameters)"
        )
        + "; a scenario's own parameters (its file's, or --set) replace both: see its resolved text",
        "code_version": code_version(),
        "packages": package_versions(),
    }
    write_atomic(folder / "metadata.json", lambda p: Path(p).write_text(json.dumps(record, indent=2)))
    out.print(
        f"{len(seeds)} seeds x {len(scenarios)} scenarios at {scale:g} households per agent in {seconds:.1f} s. "
        + ("Every scenario with " + ", ".join(f"{s}.{k}={v}" for s, k, v in args.set) + ". " if args.set else "")
        + "'Averted' counts irregular journeys not started; negative means more than the baseline; visa departures are "
        f"legal and counted apart. Written to {folder}/: yearly.parquet and departments_yearly.parquet (every seed), "
        f"totals.csv, targets.csv, per_year.csv, per_department.csv, {chart.name}, metadata.json (what produced them)."
    )


def _parameter_setting(text: str) -> tuple[str, str, object]:
    """``crime.fee_elasticity=0`` as (section, key, value); the value read as YAML reads it (0 -> int)."""
    import yaml

    path, equals, value = text.partition("=")
    section, dot, key = path.strip().partition(".")
    if not (equals and dot and section and key and value.strip()):
        raise argparse.ArgumentTypeError(f"expects SECTION.KEY=VALUE, e.g. crime.fee_elasticity=0, got {text!r}")
    return section, key.strip(), yaml.safe_load(value)


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


def cmd_check(args: argparse.Namespace) -> int:
    from sim.scenario import load_scenario

    failed = 0
    for file in args.scenarios:  # every file gets its verdict, however many problems the others have
        try:
            if _is_experiment(Path(file)):
                from sim.experiment import load_experiment

                experiment = load_experiment(file)
                out.print(
                    f"{file}: ok (experiment {experiment.name}; {len(experiment.runs())} runs; "
                    f"factors {', '.join(experiment.factor_names)})",
                    markup=False,
                    highlight=False,
                )
                continue
            scenario = load_scenario(_scenario_file(file))
        except ScenarioError as exc:
            print(str(exc), file=sys.stderr)
            failed += 1
            continue
        levers = ", ".join(scenario.lever_labels()) or "no levers"
        conditions = ", ".join(label for label, _ in scenario.conditions) or "no conditions"
        out.print(f"{file}: ok ({scenario.name}; {levers}; {conditions})", markup=False, highlight=False)
    return 2 if failed else 0


def _calibration_run(args: argparse.Namespace) -> tuple[dict, str]:
    """What the moments depend on (journal settings) and a one-line description of the run."""
    scale = args.households_per_agent
    seeds = list(range(args.seeds))
    settings = {"seeds": seeds, "households_per_agent": scale}
    return settings, f"{args.budget} budget, 1 agent per {scale:g} households, seeds {seeds[0]}-{seeds[-1]}"


@contextmanager
def _counted(label: str, total: int, quiet: bool):
    """A progress bar counting simulations; yields ``tick(n)``."""
    with _progress(label, quiet) as update:
        done = [0]

        def tick(n: int) -> None:
            done[0] += n
            if update:
                update(min(done[0], total), total)

        yield tick


def cmd_calibrate(args: argparse.Namespace) -> None:
    import numpy as np

    from sim.calibration.fit import BUDGETS, calibrate, evaluations
    from sim.calibration.free import FREE
    from sim.calibration.install import install
    from sim.calibration.journal import Journal
    from sim.calibration.moments import FIT_END
    from sim.calibration.targets import load_targets
    from sim.provenance import code_version, package_versions
    from sim.runner import write_atomic

    budget = BUDGETS[args.budget]
    settings, described = _calibration_run(args)
    try:
        targets = load_targets()
        journal = Journal(Path(args.out) / "fit", {**settings, "end": FIT_END}, workers=args.workers)
    except (FileNotFoundError, ValueError) as exc:
        raise UserError(str(exc)) from None
    began = time.perf_counter()
    try:
        with _counted("calibrating", evaluations(budget.fit), args.quiet) as tick:
            fit = calibrate(journal, targets, budget.fit, progress=tick)
    finally:
        journal.close()
    summary = {
        **fit.summary(),
        "run": described,
        "draws": fit.draws.tolist(),
        "code_version": code_version(),
        "packages": package_versions(),
    }
    folder = Path(args.out)
    write_atomic(folder / "fit.json", lambda p: Path(p).write_text(json.dumps(summary, indent=1), encoding="utf-8"))
    table = Table(title=f"calibrated ({described}); distance {fit.best_distance:.3f}", title_justify="left")
    for label in ("parameter", "calibrated", "posterior 5-95%", "bounds"):
        table.add_column(label)
    for i, p in enumerate(FREE):
        lo, hi = np.percentile(fit.draws[:, i], [5, 95])
        table.add_row(p.key, f"{fit.best[i]:.3f}", f"{lo:.3f} - {hi:.3f}", f"{p.low:g} - {p.high:g}")
    out.print(table)
    out.print(
        f"{journal.simulated} simulations run, {len(journal.found) - journal.simulated} reused from {journal.path} "
        f"in {time.perf_counter() - began:.0f} s; ABC tolerances {', '.join(f'{t:.3f}' for t in fit.tolerances)}."
    )
    if args.install:
        written = install(summary, fit.draws)
        out.print("now the model's default: " + ", ".join(str(p) for p in written))
    else:
        out.print(f"written to {folder}/fit.json; --install makes it the model's default")


def _read_fit(file: str) -> dict:
    """A fit.json written by ``migsim calibrate``, or a one-line reason it is not one."""
    from sim.calibration.free import FREE

    what = f"--fit {file}: not a fit.json written by migsim calibrate"
    try:
        fit = json.loads(Path(file).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"--fit {file}: file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"{what} ({exc})") from None
    missing = [key for key in ("best", "draws", "run") if not isinstance(fit, dict) or key not in fit]
    missing += [p.key for p in FREE if not missing and p.key not in fit["best"]]
    if missing:
        raise UserError(f"{what} (missing {', '.join(missing)})")
    return fit


def cmd_validate(args: argparse.Namespace) -> None:
    import numpy as np

    from sim.calibration.fit import BUDGETS
    from sim.calibration.free import FREE
    from sim.calibration.journal import Journal
    from sim.calibration.moments import FIT_END, PROJECTION_YEAR
    from sim.calibration.report import write_report
    from sim.calibration.targets import load_targets
    from sim.calibration.validate import holdout, sensitivity, sensitivity_evaluations
    from sim.departments import load_departments
    from sim.parameters import calibration_record

    budget = BUDGETS[args.budget]
    settings, described = _calibration_run(args)
    try:
        targets = load_targets()
        fit = _read_fit(args.fit) if args.fit else calibration_record()
        work = Path(args.out_work)
        fit_journal = Journal(work / "fit", {**settings, "end": FIT_END}, workers=args.workers)
        ahead = Journal(work / "sensitivity", {**settings, "end": f"{PROJECTION_YEAR}-12"}, workers=args.workers)
    except (FileNotFoundError, ValueError) as exc:
        raise UserError(str(exc)) from None
    names = list(load_departments().name)
    best = np.array([fit["best"][p.key] for p in FREE])
    refits = 5 * (budget.holdout.maxiter + 1) * budget.holdout.popsize * len(FREE)
    try:
        with _counted("validating", 1 + refits + sensitivity_evaluations(budget.sobol_n), args.quiet) as tick:
            fitted = fit_journal.evaluate([best], progress=tick)[0]
            held = holdout(fit_journal, targets, budget.holdout, names, progress=tick)
            fit_journal.close()
            rows = sensitivity(ahead, np.asarray(fit["draws"]), budget.sobol_n, seed=1, progress=tick)
    finally:
        fit_journal.close()
        ahead.close()
    report = write_report(
        Path(args.out),
        names=names,
        targets=targets,
        fit=fit,
        fitted=fitted,
        held=held,
        sensitivity_rows=rows,
        sobol_n=budget.sobol_n,
        settings_text=f"{described}; fit: {fit['run']}",
    )
    out.print(f"report written to {report} (with departments.png, apprehensions.png, sensitivity.png)")
    out.print(report.read_text(encoding="utf-8").split("### Held-out departments")[0], markup=False, highlight=False)


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
    for label in ("parameter", "status", "value", "allowed", "meaning", "source"):
        table.add_column(label, overflow="fold")
    counts: dict[str, int] = {}
    for section, schema in section_schemas().items():
        for key, info in schema.model_fields.items():
            status = parameter_status(params.sources[section][key])
            counts[status] = counts.get(status, 0) + 1
            if args.status and status != args.status:
                continue
            table.add_row(
                f"{section}.{key}",
                status,
                f"{getattr(params[section], key):g}",
                allowed_text(info, with_meaning=False),
                info.description or "",
                params.sources[section][key],
            )
    out.print(table)
    out.print(
        ", ".join(f"{counts.get(s, 0)} {s}" for s in PARAMETER_STATUSES)
        + " (calibrated: fitted to data by `migsim calibrate`; from data: a Guatemalan figure or a cited estimate; "
        "assumed: no Guatemalan estimate found, the intervals do not cover them)",
        markup=False,
        highlight=False,
    )


def cmd_cache(args: argparse.Namespace) -> None:
    from sim import cache

    folder, files, size = cache.usage()
    if folder is None:
        out.print("The cache is off (MIGSIM_CACHE=off): every comparison simulates everything.")
        return
    if args.clear:
        cache.clear()
        out.print(f"Removed {files} files ({size / 2**20:.1f} MiB) from {folder}.")
        return
    problem = cache.limit_problem()
    if problem:
        err.print(problem, markup=False, highlight=False)
    out.print(
        f"{folder}: {files} files, {size / 2**20:.1f} MiB (at most {cache.limit_mb():g} MiB, MIGSIM_CACHE_MB; least recently "
        "used files go first). Simulated pasts and runs' yearly tables; `migsim cache --clear` empties it."
    )


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


def cmd_sweep(args: argparse.Namespace) -> int:
    from sim.experiment import load_experiment
    from sim.sweep import StoreMismatch, check_store, status, sweep

    experiment = load_experiment(args.experiment)
    folder = Path(args.out)
    if args.status:
        if not (folder / "experiment.json").exists():
            raise UserError(f"{folder} holds no sweep yet")
        try:
            check_store(experiment, folder)
        except StoreMismatch as exc:
            raise UserError(str(exc)) from None
        st = status(experiment, folder)
        out.print(f"{experiment.name}: {st.done} of {st.total} runs done, {len(st.failed)} failed, {st.pending} to go")
        for run_id, error in list(st.failed.items())[:20]:
            out.print(f"  failed {run_id}: {error}", markup=False, highlight=False)
        return 0
    executor = client = None
    if args.scheduler:
        try:
            client = cluster.connect(args.scheduler)
        except cluster.ClusterProblem as exc:
            raise UserError(str(exc)) from None
        executor = client.get_executor()
    runs = len(experiment.runs())
    began = time.perf_counter()
    try:
        with _sweep_progress(experiment.name, runs, args.quiet) as update:
            result = sweep(
                experiment, folder, workers=args.workers, executor=executor, progress=update, mixed_code=args.mixed_code
            )
    except StoreMismatch as exc:
        raise UserError(str(exc)) from None
    except cluster.ClusterLost as exc:
        cluster.close(client)
        print(f"{exc}; run the same command to go on (without --scheduler: on this machine)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        st = status(experiment, folder)
        err.print(f"interrupted: {st.done} of {st.total} runs are stored in {folder}; run the same command to go on")
        raise SystemExit(130) from None
    seconds = time.perf_counter() - began
    out.print(
        f"{experiment.name}: {result.done} of {result.total} runs done ({len(result.failed)} failed) in "
        f"{seconds:.1f} s. Results: {folder}/results.parquet (one row per run, year and department or "
        f"'national'); status: migsim sweep {args.experiment} --out {folder} --status"
    )
    for run_id, error in list(result.failed.items())[:10]:
        out.print(f"  failed {run_id}: {error}", markup=False, highlight=False)
    return 1 if result.failed else 0  # a script running sweeps should notice runs that failed


@contextmanager
def _sweep_progress(label: str, total: int, quiet: bool):
    """A Rich bar (done, failed, rate, ETA) on a terminal; plain lines every ~10% elsewhere."""
    if quiet:
        yield None
        return
    if not err.is_terminal:
        state = {"next": 0.0, "began": time.perf_counter(), "resumed": None}

        def plain(done: int, failed: int, total: int) -> None:
            if state["resumed"] is None:  # the first call: runs already finished before this command
                state["resumed"] = done + failed
            if done + failed >= state["next"] * total or done + failed == total:
                ran = done + failed - state["resumed"]
                rate = ran / max(time.perf_counter() - state["began"], 1e-9) * 60
                print(f"{label}: {done + failed}/{total} runs ({failed} failed), {rate:.1f} runs/min", file=sys.stderr)
                state["next"] = (done + failed) / total + 0.1

        yield plain
        return
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=False) as bar:
        task = None

        def update(done: int, failed: int, total: int) -> None:
            nonlocal task
            if task is None:  # the first call: runs already finished before this command start the bar
                task = bar.add_task(label, total=total, completed=done + failed, failed=failed, resumed=done + failed)
            bar.update(task, completed=done + failed, total=total, failed=failed)

        yield update


def cmd_sweep_report(args: argparse.Namespace) -> None:
    from sim import sweep_report as report

    folder = Path(args.folder)
    if not (folder / "results.parquet").exists():
        raise UserError(f"{folder} has no results.parquet: run `migsim sweep EXPERIMENT --out {folder}` first")
    years = _years_option(args.years)
    try:
        per_run, factors = report.outcome_by_run(folder, args.outcome, years)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    points = report.by_point(per_run, factors, args.outcome)
    # one folder per question, so a report on another outcome or other years leaves this one's files alone
    written = folder / f"report-{args.outcome}-{f'{years[0]}-{years[1]}' if years else 'all-years'}"
    written.mkdir(exist_ok=True)
    for stale in ("sobol_indices.csv", "meets_target.csv"):  # from an earlier report: written again below if due
        (written / stale).unlink(missing_ok=True)
    expected = _expected_runs(folder)
    if expected and len(per_run) < expected:
        err.print(
            f"{expected - len(per_run)} of {expected} runs are missing (failed or not run yet): see "
            "`migsim sweep ... --status`; the tables below are of the runs there are",
            markup=False,
            highlight=False,
        )
    window = f"{years[0]}-{years[1]}" if years else "all years kept"
    out.print(
        f"{len(per_run)} runs, {len(points)} design points; outcome: {args.outcome}, national, {window}, "
        f"{report.aggregation(args.outcome)}"
    )
    effects = Table(title="Main effects: mean outcome at the lowest and highest quarter of each factor")
    for label in ("factor", "low quarter", "high quarter", "difference"):
        effects.add_column(label, justify="left" if label == "factor" else "right")
    main_effects = report.main_effects(per_run, factors, args.outcome)
    for _, row in main_effects.iterrows():
        effects.add_row(row["factor"], _fmt(row["low"]), _fmt(row["high"]), _fmt(row["high"] - row["low"]))
    out.print(effects)
    main_effects.assign(difference=main_effects["high"] - main_effects["low"]).to_csv(
        written / "main_effects.csv", index=False
    )
    spread = (points[f"{args.outcome}_max"] - points[f"{args.outcome}_min"]).median()
    if points["replications"].max() > 1 and spread > 0:
        out.print(
            f"Replications of one design point differ by {_fmt(spread)} (median of max - min; each has its own "
            "seed, and its own parameter draw unless the experiment says parameter_draws: false): two points closer "
            "than that may differ by chance (by_point.csv has each point's range)",
            markup=False,
            highlight=False,
        )
    for first, second, r in report.correlated_factors(points, factors):
        out.print(
            f"{first} and {second} are correlated in this design (r = {r:+.2f}): their main effects mix; "
            "read them with care, or use more points or a grid",
            markup=False,
            highlight=False,
        )
    indices = report.sobol(points, factors, args.outcome)
    if indices is None and "A" in set(points.block):
        err.print("no Sobol' indices: they need every run of the design", markup=False, highlight=False)
    if indices is not None:
        table = Table(title="Sobol' indices (share of the outcome's variance)")
        for label in ("factor", "first order", "total"):
            table.add_column(label, justify="left" if label == "factor" else "right")
        for _, row in indices.iterrows():
            table.add_row(row["factor"], f"{row['first_order']:.3f}", f"{row['total']:.3f}")
        out.print(table)
        indices.to_csv(written / "sobol_indices.csv", index=False)
    if args.target is not None:
        best = report.cheapest(points, per_run, factors, args.outcome, args.target, args.at_least)
        bound = f"{'at least' if args.at_least else 'at most'} {args.target:,.0f}"
        table = Table(title=f"Settings with mean {args.outcome} {bound}, cheapest first")
        for label in ("point", *factors, args.outcome, "replications meeting it", "cost USD"):
            table.add_column(label, justify="right")
        for _, row in best.head(10).iterrows():
            table.add_row(
                str(int(row["point"])),
                *(_setting(row[f]) for f in factors),
                _fmt(row[args.outcome]),
                f"{row['replications_meeting']:.0%}",
                _fmt(row["cost_usd"]),
            )
        out.print(table if len(best) else f"no design point has mean {args.outcome} {bound}")
        best.to_csv(written / "meets_target.csv", index=False)
    chart = report.main_effects_chart(per_run, factors, args.outcome, written / "main_effects.png")
    report.for_csv(points).to_csv(written / "by_point.csv", index=False)
    out.print(
        f"Written to {written}/: {chart.name}, main_effects.csv, by_point.csv"
        + (", sobol_indices.csv" if indices is not None else "")
        + (", meets_target.csv" if args.target is not None else "")
    )


def _expected_runs(folder: Path) -> int | None:
    """How many runs the swept experiment has, from the folder's own record (None if it cannot be told)."""
    from sim.experiment import Experiment, ExperimentFile
    from sim.scenario import validate_scenario

    try:
        record = json.loads((folder / "experiment.json").read_text())
        base = validate_scenario(record["base_resolved"], source=str(folder / "experiment.json"))
        spec = ExperimentFile.model_validate(record["spec"])
        return len(Experiment(record["name"], record["source"], spec, base).runs())
    except (KeyError, ValueError, ScenarioError):
        return None


def _setting(value) -> str:
    """A factor's value as people write it: 12,790 jobs, a multiplier of 1.42, a choice as it is."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):  # numpy numbers too
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return str(value)


def _years_option(text: str | None) -> tuple[int, int] | None:
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


def cmd_reference(args: argparse.Namespace) -> None:
    from sim.reference_page import render

    text = render(plugins=args.plugins)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
        out.print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)


def cmd_reproduce(args: argparse.Namespace) -> int:
    from sim.reproduce import reproduce

    try:
        report = reproduce(args.run, workers=args.workers)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    for note in report.notes:
        err.print(f"note: {note}", markup=False, highlight=False)
    if report.identical:
        parts = [rows for name, rows in report.rows.items() if name.startswith("parts/")]
        tables = ", ".join(f"{name} ({rows:,} rows)" for name, rows in report.rows.items())
        if parts:  # a sweep: one part per run, and what gathers them
            tables = f"{len(parts)} runs' parts ({sum(parts):,} rows)"
            if "results.parquet" in report.rows:
                tables += f", results.parquet ({report.rows['results.parquet']:,} rows)"
        out.print(f"{report.folder}: identical: {tables}", markup=False, highlight=False)
        return 0
    for difference in report.differences:
        print(f"differs: {difference}", file=sys.stderr)  # one line each, never wrapped
    return 1


def cmd_app(args: argparse.Namespace) -> None:
    """Hand over to ``python -m viz`` (the app imports the model; the model never imports the app)."""
    import os
    import socket

    try:
        family, kind, _, _, address = socket.getaddrinfo(args.host, args.port, type=socket.SOCK_STREAM)[0]
    except OSError as exc:
        raise UserError(f"cannot find the address {args.host} ({exc.strerror or exc}); e.g. --host 127.0.0.1") from None
    try:  # as the server will: a port in use is said plainly here, before anything starts
        with socket.socket(family, kind) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise UserError(
            f"cannot serve on {args.host}:{args.port} ({exc.strerror or exc}); choose another with --port, "
            f"e.g. --port {args.port + 1 if args.port < 65535 else 8765}"
        ) from None
    command = [sys.executable, "-m", "viz", "--host", args.host, "--port", str(args.port)]
    sys.stdout.flush()
    os.execv(sys.executable, command + (["--open"] if args.open else []))


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


def _seed(text: str) -> int:
    return _whole(text, 0, limits.MAX_SEED)  # seeds number the runs' random streams; tables hold them in 64 bits


def _seeds(text: str) -> int:
    return _whole(text, 1, limits.MAX_SEEDS)  # seeds to run


def _workers(text: str) -> int:
    return _whole(text, 1, limits.MAX_WORKERS)  # worker processes, all started at once


def _port(text: str) -> int:
    return _whole(text, 1, 65535)


def _output_folder(text: str) -> Path:
    """An --out folder that exists or can be made: checked before any simulation, not after it."""
    problem = unwritable_folder(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return Path(text)


def _households_per_agent(text: str) -> float:
    """The scale option: 1 (every household an agent) up to a scale at which every department still has agents."""
    allowed = f"a number from 1 (full scale) to {COARSEST:,}"
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {allowed}, got {text!r}") from None
    if not 1 <= value <= COARSEST:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"must be {allowed} (coarser leaves departments without agents), got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="migsim", description="Simulate Guatemalan households deciding whether to migrate, under policy scenarios."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def scale_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--households-per-agent",
            type=_households_per_agent,
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
        "programs.parquet (month x department x program), costs.parquet and metadata.json into "
        "OUT/<scenario name>-seed<N>; print national totals per year.",
    )
    p.add_argument("scenario", help="scenario YAML file, e.g. scenarios/baseline.yaml")
    p.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")
    p.add_argument("--out", type=_output_folder, default="results", help="folder for results (default results/)")
    scale_option(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "compare",
        help="compare scenarios over several seeds",
        description="Run each scenario with the same seeds and print irregular departures per year, totals "
        "against the first scenario (the baseline: departures averted, arrivals in the US averted, cost, cost per "
        "departure averted, community engagement), departures by department and the agreement's targets; write the "
        "tables and a chart. Without files: " + ", ".join(f"scenarios/{n}" for n in DEFAULT_COMPARISON) + ".",
    )
    p.add_argument("scenarios", nargs="*", help="scenario files; the first is the baseline")
    p.add_argument("--seeds", type=_seeds, default=10, help="number of seeds (default 10)")
    p.add_argument("--first-seed", type=_seed, default=0, help="first seed (default 0)")
    p.add_argument(
        "--years",
        help="whole years shown and totalled, e.g. 2026-2035 (default: from the year the scenarios first differ, "
        "or 2026 if they differ from the start or never, to the last year all cover)",
    )
    p.add_argument(
        "--workers",
        type=_workers,
        help="worker processes for the seeds (default: one per core when 4 seeds or more are not in the cache, "
        "where starting them pays off; else 1, in this process, where the step itself uses every core)",
    )
    p.add_argument(
        "--set",
        type=_parameter_setting,
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
        type=_output_folder,
        default="results/compare",
        help="folder for tables and chart (default results/compare)",
    )
    scale_option(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser(
        "check",
        help="check scenario files without running them",
        description="Check scenario files; print one line per problem (file:line: key path: message).",
    )
    p.add_argument("scenarios", nargs="+", help="scenario files")
    p.set_defaults(func=cmd_check)

    def calibration_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--budget",
            choices=("quick", "default", "long"),
            default="default",
            help="search effort: quick checks the machinery, default takes minutes at 1:200, long takes hours",
        )
        p.add_argument("--seeds", type=_seeds, default=1, help="seeds every parameter vector runs with (default 1)")
        p.add_argument(
            "--workers", type=_workers, default=os.cpu_count() or 1, help="worker processes (default: cores)"
        )
        p.add_argument(
            "--households-per-agent",
            type=_households_per_agent,
            default=200,
            metavar="H",
            help="real households each agent stands for (default 200: 16,380 agents)",
        )
        p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser(
        "calibrate",
        help="fit the free parameters to the census, Border Patrol and survey targets",
        description="Method of simulated moments (differential evolution, common random numbers) on the free "
        "parameters against calibration/targets/, then a posterior sample (adaptive ABC population Monte Carlo). "
        "Every simulation is journaled in --out as it finishes: after Ctrl-C or a kill, the same command resumes "
        "without redoing any. --install makes the result the model's default (sim/data/parameters.yaml, "
        "posterior.csv, calibration.json).",
    )
    calibration_options(p)
    p.add_argument(
        "--out", type=_output_folder, default="results/calibrate", help="folder for the journal and fit.json"
    )
    p.add_argument("--install", action="store_true", help="make the fit the model's default parameters and draws")
    p.set_defaults(func=cmd_calibrate)

    p = sub.add_parser(
        "validate",
        help="validate the calibration out of sample and write the report",
        description="Refit without each quarter of the departments and without the apprehensions after FY2015, "
        "predict what was held out and compare with naive forecasts (national rate, last value carried forward); "
        "Sobol' indices of projected 2030 departures. Writes a Markdown report with plots. Resumable like calibrate.",
    )
    calibration_options(p)
    p.add_argument("--fit", help="fit.json of a calibration (default: the model's installed calibration)")
    p.add_argument(
        "--out",
        type=_output_folder,
        default="calibration/report",
        help="folder for the report (default calibration/report)",
    )
    p.add_argument(
        "--work",
        dest="out_work",
        default="results/calibrate",
        help="folder for the journals (default results/calibrate)",
    )
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
        description="List every model parameter with its status (calibrated, from data, assumed), value, allowed "
        "range, meaning and source.",
    )
    p.add_argument("--status", choices=PARAMETER_STATUSES, help="only the parameters of this status, e.g. assumed")
    p.set_defaults(func=cmd_params)
    p = sub.add_parser(
        "cache",
        help="show or clear the cache of simulated pasts and runs",
        description="Show where the cache of simulated pasts and runs' yearly tables is and how big it is, or clear "
        "it. Set MIGSIM_CACHE=off to disable it, MIGSIM_CACHE=DIR to move it, MIGSIM_CACHE_MB to change its size.",
    )
    p.add_argument("--clear", action="store_true", help="delete every cached file")
    p.set_defaults(func=cmd_cache)
    p = sub.add_parser(
        "departments",
        help="list departments and their data",
        description="List the 22 departments with INE codes and the data the model uses.",
    )
    p.set_defaults(func=cmd_departments)
    p = sub.add_parser(
        "sweep",
        help="run an experiment: many scenarios x seeds, resumable",
        description="Run every design point x replication of an experiment file into --out: one Parquet part per run, "
        "written atomically, so the same command after a crash or Ctrl-C goes on where it stopped. Local worker "
        "processes by default, or a Dask cluster with --scheduler. Ends with results.parquet.",
    )
    p.add_argument("experiment", help="experiment YAML file, e.g. scenarios/experiments/laptop.yaml")
    p.add_argument("--out", type=_output_folder, required=True, help="folder for the runs and results")
    p.add_argument(
        "--workers",
        type=_workers,
        default=os.cpu_count() or 1,
        help="local worker processes (default: one per core; 1 runs in this process, the step on every core)",
    )
    p.add_argument("--scheduler", help="address of a Dask scheduler, e.g. tcp://127.0.0.1:8786 (needs migsim[cluster])")
    p.add_argument("--status", action="store_true", help="only say what is done, failed and left")
    p.add_argument(
        "--mixed-code",
        action="store_true",
        help="resume although the model's code changed since the finished runs were made (both versions recorded)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress")
    p.set_defaults(func=cmd_sweep)
    p = sub.add_parser(
        "sweep-report",
        help="summarise a sweep: main effects, Sobol' indices, cheapest settings meeting a target",
        description="Summarise an outcome of a finished sweep against its factors (national totals over --years, "
        "mean over replications): main effects table and plot, Sobol' indices when the design is sobol, and the "
        "cheapest design points whose outcome is at most --target; written to FOLDER/report-<outcome>-<years>/.",
    )
    p.add_argument("folder", help="the sweep's --out folder")
    p.add_argument(
        "--outcome", default="departures_irregular", help="metric to summarise (default departures_irregular)"
    )
    p.add_argument("--years", help="years to total, e.g. 2026-2035 (default: all kept)")
    p.add_argument("--target", type=float, help="list the cheapest settings whose outcome is at most this")
    p.add_argument("--at-least", action="store_true", help="the target is a floor (e.g. key_arrests), not a ceiling")
    p.set_defaults(func=cmd_sweep_report)
    p = sub.add_parser(
        "reference",
        help="write the reference page of levers, conditions, rules and parameters",
        description="Generate the Markdown reference of every lever, condition, rule and parameter from the code's "
        "schemas and docstrings (docs/reference.md in the repository is this command's output).",
    )
    p.add_argument("--out", help="file to write (default: print)")
    p.add_argument("--plugins", action="store_true", help="also document installed third-party rules and levers")
    p.set_defaults(func=cmd_reference)

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
        type=_workers,
        default=os.cpu_count() or 1,
        help="a sweep's runs: local worker processes (default: one per core; 1 runs in this process)",
    )
    p.set_defaults(func=cmd_reproduce)

    p = sub.add_parser(
        "app",
        help="start the web app (compare scenarios, map by department, watch one run)",
        description="Start the Solara web app on a local port and print its address. The first start fetches "
        "Solara's front end from the npm registry into the environment, so later starts work offline.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=_port, default=8765, help="port (default 8765)")
    p.add_argument("--open", action="store_true", help="open a browser on the page")
    p.set_defaults(func=cmd_app)
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
        err.print("interrupted; files already written are complete, nothing half-written was left")
        return 130
    return code or 0  # commands return nothing, or an exit code of their own (reproduce: 1 when numbers differ)


if __name__ == "__main__":
    sys.exit(main())
