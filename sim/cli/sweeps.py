"""``migsim sweep`` (an experiment's runs, resumable, locally or on Dask) and ``migsim sweep-report``."""

from __future__ import annotations

import argparse
import json
import numbers
import os
import sys
import time
from pathlib import Path

from sim.cli import options
from sim.cli.console import err, out, say
from sim.cli.options import UserError
from sim.errors import ScenarioError


def add_sweep(sub) -> None:
    p = sub.add_parser(
        "sweep",
        help="run an experiment: many scenarios x seeds, resumable",
        description="Run every design point x replication of an experiment file into --out: one Parquet part per run, "
        "written atomically, so the same command after a crash or Ctrl-C goes on where it stopped. Local worker "
        "processes by default, or a Dask cluster with --scheduler. Ends with results.parquet.",
    )
    p.add_argument("experiment", help="experiment YAML file, e.g. scenarios/experiments/laptop.yaml")
    p.add_argument("--out", type=options.output_folder, required=True, help="folder for the runs and results")
    p.add_argument(
        "--workers",
        type=options.workers,
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


def add_sweep_report(sub) -> None:
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


def cmd_sweep(args: argparse.Namespace) -> int:
    from sim.cli.sweep_progress import sweep_progress
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
        out().print(
            f"{experiment.name}: {st.done} of {st.total} runs done, {len(st.failed)} failed, {st.pending} to go"
        )
        for run_id, error in list(st.failed.items())[:20]:
            say(f"  failed {run_id}: {error}")
        return 0
    from sim import cluster

    client, executor = options.dask_executor(args.scheduler)
    runs = len(experiment.runs())
    began = time.perf_counter()
    try:
        with sweep_progress(experiment.name, runs, args.quiet) as update:
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
        err().print(f"interrupted: {st.done} of {st.total} runs are stored in {folder}; run the same command to go on")
        raise SystemExit(130) from None
    seconds = time.perf_counter() - began
    out().print(
        f"{experiment.name}: {result.done} of {result.total} runs done ({len(result.failed)} failed) in "
        f"{seconds:.1f} s. Results: {folder}/results.parquet (one row per run, year and department or "
        f"'national'); status: migsim sweep {args.experiment} --out {folder} --status"
    )
    for run_id, error in list(result.failed.items())[:10]:
        say(f"  failed {run_id}: {error}")
    return 1 if result.failed else 0  # a script running sweeps should notice runs that failed


def cmd_sweep_report(args: argparse.Namespace) -> None:
    from rich.table import Table

    from sim import sweep_report as report
    from sim.comparison_columns import whole

    folder = Path(args.folder)
    if not (folder / "results.parquet").exists():
        raise UserError(f"{folder} has no results.parquet: run `migsim sweep EXPERIMENT --out {folder}` first")
    years = options.years_option(args.years)
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
        err().print(
            f"{expected - len(per_run)} of {expected} runs are missing (failed or not run yet): see "
            "`migsim sweep ... --status`; the tables below are of the runs there are",
            markup=False,
            highlight=False,
        )
    window = f"{years[0]}-{years[1]}" if years else "all years kept"
    out().print(
        f"{len(per_run)} runs, {len(points)} design points; outcome: {args.outcome}, national, {window}, "
        f"{report.aggregation(args.outcome)}"
    )
    effects = Table(title="Main effects: mean outcome at the lowest and highest quarter of each factor")
    for label in ("factor", "low quarter", "high quarter", "difference"):
        effects.add_column(label, justify="left" if label == "factor" else "right")
    main_effects = report.main_effects(per_run, factors, args.outcome)
    for _, row in main_effects.iterrows():
        effects.add_row(row["factor"], whole(row["low"]), whole(row["high"]), whole(row["high"] - row["low"]))
    out().print(effects)
    main_effects.assign(difference=main_effects["high"] - main_effects["low"]).to_csv(
        written / "main_effects.csv", index=False
    )
    spread = (points[f"{args.outcome}_max"] - points[f"{args.outcome}_min"]).median()
    in_worlds = _in_plausible_worlds(folder)
    if points["replications"].max() > 1 and spread > 0:
        each = (
            "each is a plausible world: its seed, parameter draw and every assumed number drawn from its range"
            if in_worlds
            else "each has its own seed, and its own parameter draw unless the experiment says parameter_draws: false"
        )
        say(
            f"Replications of one design point differ by {whole(spread)} (median of max - min; {each}): two points "
            "closer than that may differ by chance or by the assumptions (by_point.csv has each point's range)"
        )
    for first, second, r in report.correlated_factors(points, factors):
        say(
            f"{first} and {second} are correlated in this design (r = {r:+.2f}): their main effects mix; "
            "read them with care, or use more points or a grid"
        )
    indices = report.sobol(points, factors, args.outcome)
    if indices is None and "A" in set(points.block):
        err().print("no Sobol' indices: they need every run of the design", markup=False, highlight=False)
    if indices is not None:
        table = Table(title="Sobol' indices (share of the outcome's variance)")
        for label in ("factor", "first order", "total"):
            table.add_column(label, justify="left" if label == "factor" else "right")
        for _, row in indices.iterrows():
            table.add_row(row["factor"], f"{row['first_order']:.3f}", f"{row['total']:.3f}")
        out().print(table)
        indices.to_csv(written / "sobol_indices.csv", index=False)
    if args.target is not None:
        best = report.cheapest(points, per_run, factors, args.outcome, args.target, args.at_least)
        bound = f"{'at least' if args.at_least else 'at most'} {args.target:,.0f}"
        table = Table(title=f"Settings with mean {args.outcome} {bound}, cheapest first")
        meeting = "plausible worlds meeting it" if in_worlds else "replications meeting it"
        for label in ("point", *factors, args.outcome, meeting, "cost USD"):
            table.add_column(label, justify="right")
        for _, row in best.head(10).iterrows():
            table.add_row(
                str(int(row["point"])),
                *(_setting(row[f]) for f in factors),
                whole(row[args.outcome]),
                f"{row['replications_meeting']:.0%}",
                whole(row["cost_usd"]),
            )
        out().print(table if len(best) else f"no design point has mean {args.outcome} {bound}")
        best.to_csv(written / "meets_target.csv", index=False)
    chart = report.main_effects_chart(per_run, factors, args.outcome, written / "main_effects.png")
    report.for_csv(points).to_csv(written / "by_point.csv", index=False)
    out().print(
        f"Written to {written}/: {chart.name}, main_effects.csv, by_point.csv"
        + (", sobol_indices.csv" if indices is not None else "")
        + (", meets_target.csv" if args.target is not None else "")
    )


def _in_plausible_worlds(folder: Path) -> bool:
    """Whether the sweep's replications are plausible worlds (its experiment file's ``plausible_worlds``)."""
    try:
        return bool(json.loads((folder / "experiment.json").read_text())["spec"].get("plausible_worlds"))
    except (OSError, ValueError, KeyError, AttributeError):
        return False


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
