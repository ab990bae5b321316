"""Commands that read without simulating: check files; list levers, params, departments; write the reference."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.cli.console import out, say
from sim.cli.scenario_files import is_experiment, scenario_file
from sim.errors import ScenarioError
from sim.provenance import PARAMETER_STATUSES, parameter_status


def add_check(sub) -> None:
    p = sub.add_parser(
        "check",
        help="check scenario files without running them",
        description="Check scenario files; print one line per problem (file:line: key path: message).",
    )
    p.add_argument("scenarios", nargs="+", help="scenario files")
    p.set_defaults(func=cmd_check)


def add_levers(sub) -> None:
    p = sub.add_parser(
        "levers",
        help="list policy levers and their settings",
        description="List every lever a scenario can use, with its keys, allowed ranges and defaults.",
    )
    p.set_defaults(func=cmd_levers)


def add_params(sub) -> None:
    p = sub.add_parser(
        "params",
        help="list model parameters, values and sources",
        description="List every model parameter with its status (calibrated, from data, assumed), value, allowed "
        "range, plausible range (with its reason), meaning and source. With --uncertain, list instead every "
        "uncertain number plausible worlds vary: the parameters with a plausible range and each lever's effect "
        "and cost factors.",
    )
    p.add_argument("--status", choices=PARAMETER_STATUSES, help="only the parameters of this status, e.g. assumed")
    p.add_argument(
        "--uncertain",
        action="store_true",
        help="list every uncertainty (parameters and levers' effect and cost factors)",
    )
    p.set_defaults(func=cmd_params)


def add_departments(sub) -> None:
    p = sub.add_parser(
        "departments",
        help="list departments and their data",
        description="List the 22 departments with INE codes and the data the model uses.",
    )
    p.set_defaults(func=cmd_departments)


def add_reference(sub) -> None:
    p = sub.add_parser(
        "reference",
        help="write the reference page of levers, conditions, rules and parameters",
        description="Generate the Markdown reference of every lever, condition, rule and parameter from the code's "
        "schemas and docstrings (docs/reference.md in the repository is this command's output).",
    )
    p.add_argument("--out", help="file to write (default: print)")
    p.add_argument("--plugins", action="store_true", help="also document installed third-party rules and levers")
    p.set_defaults(func=cmd_reference)


def cmd_check(args: argparse.Namespace) -> int:
    from sim.scenario import load_scenario

    failed = 0
    for file in args.scenarios:  # every file gets its verdict, however many problems the others have
        try:
            if is_experiment(Path(file)):
                from sim.experiment import load_experiment

                experiment = load_experiment(file)
                say(
                    f"{file}: ok (experiment {experiment.name}; {len(experiment.runs())} runs; "
                    f"factors {', '.join(experiment.factor_names)})"
                )
                continue
            scenario = load_scenario(scenario_file(file))
        except ScenarioError as exc:
            print(str(exc), file=sys.stderr)
            failed += 1
            continue
        levers = ", ".join(scenario.lever_labels()) or "no levers"
        conditions = ", ".join(label for label, _ in scenario.conditions) or "no conditions"
        say(f"{file}: ok ({scenario.name}; {levers}; {conditions})")
    return 2 if failed else 0


def cmd_levers(args: argparse.Namespace) -> None:
    from rich.table import Table

    from sim.levers import LEVERS
    from sim.schema import allowed_text

    for name, lever in LEVERS.items():
        table = Table(title=f"{name}: {lever.summary}", title_justify="left")
        for label in ("key", "allowed", "default", "meaning"):
            table.add_column(label)
        for key, info in lever.Config.model_fields.items():
            default = "required" if info.is_required() else repr(info.default)
            table.add_row(key, allowed_text(info, with_meaning=False), default, info.description or "")
        out().print(table)


def cmd_params(args: argparse.Namespace) -> None:
    from rich.table import Table

    from sim.parameters import default_parameters, plausible_ranges, section_schemas
    from sim.schema import allowed_text

    if args.uncertain:
        return _uncertainties(args)
    params, ranges = default_parameters(), plausible_ranges()
    table = Table(title="Model parameters (sim/data/parameters.yaml); override under `parameters:` in a scenario")
    for label in ("parameter", "status", "value", "allowed", "plausible", "meaning", "source"):
        table.add_column(label, overflow="fold")
    counts: dict[str, int] = {}
    for section, schema in section_schemas().items():
        for key, info in schema.model_fields.items():
            status = parameter_status(params.sources[section][key])
            counts[status] = counts.get(status, 0) + 1
            if args.status and status != args.status:
                continue
            r = ranges.get(f"{section}.{key}")
            table.add_row(
                f"{section}.{key}",
                status,
                f"{getattr(params[section], key):g}",
                allowed_text(info, with_meaning=False),
                f"{r.low:g} to {r.high:g}: {r.why}" if r else "posterior" if status == "calibrated" else "",
                info.description or "",
                params.sources[section][key],
            )
    out().print(table)
    say(
        ", ".join(f"{counts.get(s, 0)} {s}" for s in PARAMETER_STATUSES)
        + " (calibrated: fitted to data by `migsim calibrate`, the intervals cover their posterior; from data: a "
        "Guatemalan figure or a cited estimate; assumed: no Guatemalan estimate found, each has a plausible range "
        "that plausible worlds sample; `migsim params --uncertain` lists them with the levers' factors)"
    )


def _uncertainties(args: argparse.Namespace) -> None:
    from rich.table import Table

    from sim.uncertainties import uncertainties

    found = uncertainties()
    table = Table(
        title="Uncertainties: what plausible worlds vary (parameters: the value; levers: a factor on the scenario's "
        "effect sizes or unit costs, 1 = as stated)"
    )
    for label in ("name", "kind", "default", "plausible", "why"):
        table.add_column(label, overflow="fold")
    for u in found:
        table.add_row(u.name, u.kind, f"{u.default:g}", f"{u.low:g} to {u.high:g}", u.why)
    out().print(table)
    kinds = {kind: sum(u.kind == kind for u in found) for kind in ("parameter", "lever_effect", "lever_cost")}
    say(f"{len(found)} uncertainties: " + ", ".join(f"{n} {kind}" for kind, n in kinds.items()))


def cmd_departments(args: argparse.Namespace) -> None:
    from rich.table import Table

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
    out().print(table)


def cmd_reference(args: argparse.Namespace) -> None:
    from sim.reference_page import render

    text = render(plugins=args.plugins)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
        out().print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
