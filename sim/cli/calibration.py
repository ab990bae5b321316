"""``migsim calibrate`` (fit the free parameters) and ``migsim validate`` (out of sample), with their shared setup."""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sim import DEFAULT_HOUSEHOLDS_PER_AGENT
from sim.cli import options
from sim.cli.console import counted, out, say
from sim.cli.options import UserError

if TYPE_CHECKING:
    from sim.calibration.fit import Budget
    from sim.calibration.targets import Targets


def _add_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--budget",
        choices=("quick", "default", "long"),
        default="default",
        help="search effort: quick checks the machinery, default takes minutes at 1:200, long takes hours",
    )
    p.add_argument("--seeds", type=options.seeds, default=1, help="seeds every parameter vector runs with (default 1)")
    p.add_argument(
        "--workers", type=options.workers, default=os.cpu_count() or 1, help="worker processes (default: cores)"
    )
    p.add_argument(
        "--households-per-agent",
        type=options.households_per_agent,
        default=200,
        metavar="H",
        help="real households each agent stands for (default 200: 16,380 agents)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def add_calibrate(sub) -> None:
    p = sub.add_parser(
        "calibrate",
        help="fit the free parameters to the census, Border Patrol and survey targets",
        description="Method of simulated moments (differential evolution, common random numbers) on the free "
        "parameters against calibration/targets/, then a posterior sample (adaptive ABC population Monte Carlo). "
        "Every simulation is journaled in --out as it finishes: after Ctrl-C or a kill, the same command resumes "
        "without redoing any. --install makes the result the model's default (sim/data/parameters.yaml, "
        "posterior.csv, calibration.json).",
    )
    _add_options(p)
    p.add_argument(
        "--out", type=options.output_folder, default="results/calibrate", help="folder for the journal and fit.json"
    )
    p.add_argument("--install", action="store_true", help="make the fit the model's default parameters and draws")
    p.set_defaults(func=cmd_calibrate)


def add_validate(sub) -> None:
    p = sub.add_parser(
        "validate",
        help="validate the calibration out of sample and write the report",
        description="Refit without each quarter of the departments and predict them against the national rate; "
        "the backcast: fit to FY2017 only, run the posterior to 2024 and compare FY2018-FY2024 with CBP's counts "
        "and with naive forecasts (last value carried forward, trend), by group, with remittances and returns "
        "from Mexico; Sobol' indices of projected 2030 departures. Writes a Markdown report with plots. "
        "Resumable like calibrate.",
    )
    _add_options(p)
    p.add_argument(
        "--backcast-households-per-agent",
        type=options.households_per_agent,
        default=DEFAULT_HOUSEHOLDS_PER_AGENT,
        metavar="H",
        help=f"scale of the backcast's runs to 2024 (default {DEFAULT_HOUSEHOLDS_PER_AGENT}, the model's default)",
    )
    p.add_argument("--fit", help="fit.json of a calibration (default: the model's installed calibration)")
    p.add_argument(
        "--out",
        type=options.output_folder,
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


@dataclass(frozen=True)
class Setup:
    """What calibrate and validate both start from: the budget, the targets and the simulations' settings."""

    budget: Budget
    targets: Targets
    settings: dict  # what the moments depend on (a journal's settings, with the simulations' end)
    described: str  # the run in one line, recorded with the fit
    workers: int

    @contextmanager
    def journals(self, **folders_and_settings: tuple[Path, dict]) -> Iterator[dict]:
        """Journals by name, each (folder, the settings that differ: end, maybe scale); closed at the end, on Ctrl-C too."""
        from sim.calibration.journal import Journal

        opened = {}
        try:
            for name, (folder, changed) in folders_and_settings.items():
                with _user_errors():
                    opened[name] = Journal(folder, {**self.settings, **changed}, workers=self.workers)
            yield opened
        finally:
            for journal in opened.values():
                journal.close()


def _setup(args: argparse.Namespace) -> Setup:
    from sim.calibration.fit import BUDGETS
    from sim.calibration.targets import load_targets

    scale = args.households_per_agent
    seeds = list(range(args.seeds))
    described = f"{args.budget} budget, 1 agent per {scale:g} households, seeds {seeds[0]}-{seeds[-1]}"
    with _user_errors():
        targets = load_targets()
    return Setup(
        BUDGETS[args.budget], targets, {"seeds": seeds, "households_per_agent": scale}, described, args.workers
    )


@contextmanager
def _user_errors() -> Iterator[None]:
    """Missing or damaged targets and journals are the user's to fix: one line each."""
    try:
        yield
    except (FileNotFoundError, ValueError) as exc:
        raise UserError(str(exc)) from None


def cmd_calibrate(args: argparse.Namespace) -> None:
    import numpy as np
    from rich.table import Table

    from sim.calibration.fit import calibrate, evaluations
    from sim.calibration.free import FREE
    from sim.calibration.install import install
    from sim.calibration.moments import FIT_END
    from sim.provenance import code_version, package_versions
    from sim.runner import write_atomic

    setup = _setup(args)
    folder = Path(args.out)
    began = time.perf_counter()
    with setup.journals(fit=(folder / "fit", {"end": FIT_END})) as journals:
        journal = journals["fit"]
        with counted("calibrating", evaluations(setup.budget.fit), args.quiet) as tick:
            fit = calibrate(journal, setup.targets, setup.budget.fit, progress=tick)
    summary = {
        **fit.summary(),
        "run": setup.described,
        "draws": fit.draws.tolist(),
        "code_version": code_version(),
        "packages": package_versions(),
    }
    write_atomic(folder / "fit.json", lambda p: Path(p).write_text(json.dumps(summary, indent=1), encoding="utf-8"))
    table = Table(title=f"calibrated ({setup.described}); distance {fit.best_distance:.3f}", title_justify="left")
    for label in ("parameter", "calibrated", "posterior 5-95%", "bounds"):
        table.add_column(label)
    for i, p in enumerate(FREE):
        lo, hi = np.percentile(fit.draws[:, i], [5, 95])
        table.add_row(p.key, f"{fit.best[i]:.3f}", f"{lo:.3f} - {hi:.3f}", f"{p.low:g} - {p.high:g}")
    out().print(table)
    say(f"differential evolution {'converged' if fit.success else 'stopped'}: {fit.message} ({fit.nfev} distances)")
    out().print(
        f"{journal.simulated} simulations run, {len(journal.found) - journal.simulated} reused from {journal.path} "
        f"in {time.perf_counter() - began:.0f} s; ABC tolerances {', '.join(f'{t:.3f}' for t in fit.tolerances)}."
    )
    if args.install:
        written = install(summary, fit.draws)
        out().print("now the model's default: " + ", ".join(str(p) for p in written))
    else:
        out().print(f"written to {folder}/fit.json; --install makes it the model's default")


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

    from sim.calibration import backcast
    from sim.calibration.free import FREE
    from sim.calibration.moments import FIT_END, PROJECTION_YEAR, SERIES_END
    from sim.calibration.report import write_report
    from sim.calibration.validate import holdout, sensitivity, sensitivity_evaluations
    from sim.departments import load_departments
    from sim.parameters import calibration_record

    setup = _setup(args)
    budget = setup.budget
    with _user_errors():
        fit = _read_fit(args.fit) if args.fit else calibration_record()
    work = Path(args.out_work)
    names = list(load_departments().name)
    best = np.array([fit["best"][p.key] for p in FREE])
    refits = 4 * (budget.holdout.maxiter + 1) * budget.holdout.popsize * len(FREE)
    total = 1 + refits + backcast.evaluations(budget.fit) + sensitivity_evaluations(budget.sobol_n)
    series_scale = args.backcast_households_per_agent
    ends = {
        "fit": (work / "fit", {"end": FIT_END}),
        "series": (work / f"backcast-1-{series_scale:g}", {"end": SERIES_END, "households_per_agent": series_scale}),
        "ahead": (work / "sensitivity", {"end": f"{PROJECTION_YEAR}-12"}),
    }
    with setup.journals(**ends) as journals:
        with counted("validating", total, args.quiet) as tick:
            fitted = journals["fit"].evaluate([best], progress=tick)[0]
            back = backcast.fit_and_run(journals["fit"], journals["series"], setup.targets, budget.fit, progress=tick)
            held = holdout(journals["fit"], setup.targets, budget.holdout, names, progress=tick)
            journals["fit"].close()
            journals["series"].close()
            rows = sensitivity(journals["ahead"], np.asarray(fit["draws"]), budget.sobol_n, seed=1, progress=tick)
    report = write_report(
        Path(args.out),
        names=names,
        targets=setup.targets,
        fit=fit,
        fitted=fitted,
        held=held,
        backcast=back,
        sensitivity_rows=rows,
        sobol_n=budget.sobol_n,
        settings_text=f"{setup.described}; backcast runs to 2024 at 1 agent per {series_scale:g} households; "
        f"fit: {fit['run']}",
    )
    out().print(
        f"report written to {report} (with departments.png, apprehensions.png, backcast.png, backcast.csv, "
        "sensitivity.png)"
    )
    say(report.read_text(encoding="utf-8").split("### Held-out departments")[0])
    say("## Backcast" + report.read_text(encoding="utf-8").split("## Backcast")[1].split("| fiscal year")[0])
