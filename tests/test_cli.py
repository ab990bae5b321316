"""The migsim command as a user runs it: help everywhere, tables written, clean errors."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import build_parser, main

COMMANDS = [
    "run",
    "compare",
    "hinges",
    "optimise",
    "check",
    "calibrate",
    "validate",
    "levers",
    "params",
    "departments",
    "reference",
    "sweep",
    "sweep-report",
    "app",
    "reproduce",
    "cache",
]


def migsim(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


@pytest.mark.parametrize("command", [[], *[[c] for c in COMMANDS]])
def test_help_everywhere(command):
    done = migsim(*command, "--help")
    assert done.returncode == 0 and "usage: migsim" in done.stdout


def test_every_subcommand_is_listed():
    assert set(build_parser()._subparsers._group_actions[0].choices) == set(COMMANDS)


def test_run_writes_tidy_tables_and_prints_yearly_totals(tmp_path, root):
    done = migsim(
        "run",
        str(root / "scenarios" / "border_enforcement.yaml"),
        "--seed",
        "3",
        "--out",
        str(tmp_path),
        "--households-per-agent",
        "2000",
        "--quiet",
    )
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "border-enforcement-seed3-1to2000"  # the scale is in the name when not the default
    monthly = pd.read_parquet(folder / "monthly.parquet")
    assert len(monthly) == 22 * (2035 - 2002 + 1) * 12
    assert {"month", "department", "departures_irregular", "stock_abroad"} <= set(monthly.columns)
    costs = pd.read_parquet(folder / "costs.parquet")
    assert costs.cost_usd.sum() > 0
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["seed"] == 3 and len(meta["scenario_digest"]) == 64 and meta["agents"] > 0
    assert "2035" in done.stdout and "outflow" in done.stdout
    header = next(line for line in done.stdout.splitlines() if "irregular" in line)
    assert "protected" not in header  # no humanitarian cases in this scenario: no column for them
    # the journeys and what the border did with them, by group, from the first lever's year: monthly.parquet's sums
    assert "Who goes and what the US border does, 2026-2035" in done.stdout
    since = monthly[monthly.year >= 2026]
    for who, group in (("single adults", "adult"), ("unaccompanied children", "child")):
        row = next(line for line in done.stdout.splitlines() if who in line)
        shown = [int(n.replace(",", "")) for n in re.findall(r"[\d,]+", row)]
        assert shown[0] == round(since[f"journeys_{group}"].sum()) and shown[1] == round(
            since[f"encounters_{group}"].sum()
        )
    for target in ("arrests of key criminal figures", "drug seizures", "community engagement"):
        assert target in done.stdout
    assert not list(folder.glob("*.tmp")), "no temporary files left behind"


def test_compare_defaults_to_the_shipped_scenarios(tmp_path, root):
    done = migsim(
        "compare",
        "--seeds",
        "2",
        "--households-per-agent",
        "3000",
        "--workers",
        "1",
        "--quiet",
        "--out",
        str(tmp_path),
        cwd=root,
    )
    assert done.returncode == 0, done.stderr
    for name in ("baseline", "agreement package", "enforcement only", "root causes only", "Huehuetenango", "2035"):
        assert name in done.stdout
    totals = pd.read_csv(tmp_path / "totals.csv")
    assert list(totals.scenario)[0] == "baseline" and totals.averted.iloc[0] == 0
    assert (totals.averted.iloc[1:] > 0).all() and totals.cost_usd.iloc[1] > 0
    yearly = pd.read_parquet(tmp_path / "yearly.parquet")
    assert set(yearly.seed) == {0, 1} and set(yearly.year) == set(range(2002, 2036))
    per_year = pd.read_csv(tmp_path / "per_year.csv")
    yearly_averted = per_year.groupby("scenario", sort=False).averted.sum()  # paired by seed each year, rounded
    assert abs(yearly_averted.to_numpy() - totals.averted.to_numpy()).max() <= 10 and yearly_averted.iloc[0] == 0
    per_department = pd.read_csv(tmp_path / "per_department.csv")
    assert len(per_department) == 4 * 22
    by_group = pd.read_csv(tmp_path / "by_group.csv")
    assert len(by_group) == 4 * 3 * 6 and (by_group[by_group.scenario == "baseline"].averted == 0).all()
    journeys = by_group[by_group.outcome == "journeys"].groupby("scenario", sort=False)[["total", "averted"]].sum()
    assert (journeys.total - totals.total.to_numpy()).abs().max() <= 3  # each group rounded on its own
    assert (journeys.averted - totals.averted.to_numpy()).abs().max() <= 3
    assert "Who goes and what the US border does" in done.stdout and "unaccompanied children" in done.stdout
    assert (tmp_path / "comparison.png").stat().st_size > 10_000
    assert "The agreement's targets" in done.stdout
    record = json.loads((tmp_path / "metadata.json").read_text())
    assert record["seeds"] == [0, 1] and len(record["scenarios"]) == 4 and record["code_version"]
    assert all(len(s["digest"]) == 64 for s in record["scenarios"])
    assert set(record["parameter_draws"]) == {"0", "1"} and "parameter_draws" in record["parameters_used"]
    assert (totals.arrivals_averted.iloc[1:] > 0).all()
    assert totals.total.dtype.kind == "i" and totals.cost_usd.dtype.kind == "i", "people and dollars are whole"
    # enforcement keeps people home, so less money comes home (the package's visas add senders: either sign)
    assert (
        totals.remittances_change_usd.iloc[0] == 0
        and totals.set_index("scenario").remittances_change_usd["enforcement only"] < 0
    )
    targets = pd.read_csv(tmp_path / "targets.csv").set_index("scenario")
    package, base = targets.loc["agreement package"], targets.loc["baseline"]
    assert package.key_arrests_per_year > base.key_arrests_per_year
    assert package.key_arrests_seeds_met == 2 and base.key_arrests_seeds_met == 0 and package.seeds == 2
    assert package.engagement_change > 0.25 and base.engagement_change == 0


def test_user_mistakes_exit_2_without_traceback(tmp_path, capsys):
    assert main(["run", str(tmp_path / "missing.yaml")]) == 2
    err = capsys.readouterr().err
    assert "missing.yaml" in err and "file not found" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "named, suggested",
    [
        ("scenarios/baselin.yaml", "scenarios/baseline.yaml"),
        ("agreement_packge.yaml", "scenarios/agreement_package.yaml"),  # a bare name: looked up in scenarios/
        ("drought", "scenarios/drought_shock.yaml"),
        ("scenarios/experiments/laptp.yaml", "scenarios/experiments/laptop.yaml"),
    ],
)
def test_a_misspelt_scenario_file_gets_the_nearest_one_suggested(named, suggested, capsys):
    assert main(["run", named]) == 2
    assert capsys.readouterr().err.strip() == f"{named}: file not found; did you mean {suggested}?"


@pytest.mark.parametrize(
    "args, says",
    [
        (
            ["run", "scenarios/baseline.yaml", "--seed", "-1"],
            "--seed: must be a whole number from 0 to 9223372036854775807, got -1",
        ),
        (
            ["compare", "--first-seed", "x"],
            "--first-seed: must be a whole number from 0 to 9223372036854775807, got 'x'",
        ),
        (["compare", "--seeds", "0"], "--seeds: must be a whole number from 1 to 1000, got 0"),
        (["compare", "--workers", "0"], "--workers: must be a whole number from 1 to 256, got 0"),
        (["calibrate", "--seeds", "0"], "--seeds: must be a whole number from 1 to 1000, got 0"),
        (["validate", "--seeds", "0"], "--seeds: must be a whole number from 1 to 1000, got 0"),
        (["sweep", "e.yaml", "--out", "o", "--workers", "0"], "--workers: must be a whole number from 1 to 256, got 0"),
        (["app", "--port", "99999"], "--port: must be a whole number from 1 to 65535, got 99999"),
        (["run", "baseline", "--households-per-agent", "0.5"], "must be a number from 1 (full scale) to 20,000"),
        (["run", "baseline", "--households-per-agent", "nan"], "got nan"),
        (["compare", "--households-per-agent", "1e9"], "(coarser leaves departments without agents), got 1e9"),
        (["compare", "--out", "README.md"], "--out: README.md is a file: give a folder"),
        (["run", "baseline", "--out", "README.md/x"], "README.md/x is inside README.md, which is a file"),
        (["compare", "--out", "/proc/x"], "--out: cannot write in /proc"),  # os.access says yes to root there
        (["sweep", "e.yaml", "--out", "/dev/null/x"], "/dev/null/x is inside /dev/null, which is not a folder"),
    ],
)
def test_numbers_out_of_range_are_usage_errors(args, says, capsys):
    with pytest.raises(SystemExit) as stop:  # argparse's usage error
        main(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


def test_app_says_when_its_port_is_taken(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["app", "--port", str(port)]) == 2  # before the server starts, so nothing is left running
    assert f"cannot serve on 127.0.0.1:{port}" in capsys.readouterr().err


def test_compare_refuses_one_name_twice_and_reversed_years(root, capsys):
    base = str(root / "scenarios/baseline.yaml")
    assert main(["compare", base, base]) == 2
    assert main(["compare", base, "--years", "2035-2026"]) == 2
    err = capsys.readouterr().err
    assert "both named 'baseline'" in err and "names of their own" in err
    assert "e.g. 2026-2035; got 2035-2026" in err and "Traceback" not in err


def test_check_lists_levers(root):
    done = migsim("check", *[str(p) for p in sorted((root / "scenarios").glob("*.yaml"))])
    assert done.returncode == 0 and "job_programs" in done.stdout


def test_reference_listings_show_sources():
    done = migsim("params")
    assert done.returncode == 0 and "journey.p_us" in done.stdout and "assumed" in done.stdout
    calibrated = migsim("params", "--status", "calibrated").stdout
    assert "12 calibrated" in calibrated and "journey.p_us" in calibrated and "crime.fee_elasticity" not in calibrated
    assert "crime.fee_elasticity" in migsim("params", "--status", "assumed").stdout
    counts = re.search(r"\d+ calibrated, \d+ from data, \d+ assumed", done.stdout).group(0)
    usage = Path(__file__).parent.parent / "docs" / "usage.md"
    assert counts in usage.read_text(encoding="utf-8"), "the counts in docs/usage.md (migsim params) are stale"
    assert "Alta Verapaz" in migsim("departments").stdout
    assert "agents_per_billion_usd" in migsim("levers").stdout


def test_cache_shows_its_size_and_clears(tmp_path, monkeypatch, capsys):
    from sim import cache

    monkeypatch.setenv("MIGSIM_CACHE", str(tmp_path))
    cache.store("a", bytes(2**20))
    cache.store("b", bytes(2**20))
    assert main(["cache"]) == 0 and f"{tmp_path}: 2 files, 2.0 MiB" in capsys.readouterr().out
    assert main(["cache", "--clear"]) == 0 and "Removed 2 files" in capsys.readouterr().out
    assert cache.usage() == (tmp_path, 0, 0) and cache.load("a") is None
    monkeypatch.setenv("MIGSIM_CACHE_MB", "abc")  # a bad limit is said, and the default kept
    cache.store("c", bytes(10))
    assert main(["cache"]) == 0
    said = capsys.readouterr()
    assert "MIGSIM_CACHE_MB='abc' is not a positive number of MiB; using 1024" in said.err and "1 files" in said.out
    monkeypatch.setenv("MIGSIM_CACHE", "off")
    assert main(["cache"]) == 0 and "off" in capsys.readouterr().out


def test_compare_keeps_to_the_whole_years_every_scenario_covers(root, tmp_path, capsys):
    from sim.cli.simulate import _years
    from sim.scenario import load_scenario

    short = tmp_path / "short.yaml"
    short.write_text(f"name: short\nextends: {root / 'scenarios' / 'job_programs.yaml'}\nend: 2030-06\n")
    scenarios = [load_scenario(root / "scenarios" / "baseline.yaml"), load_scenario(short)]
    assert _years(None, scenarios, 2026) == (2026, 2029)  # not half of 2030 against a whole 2030
    assert main(["compare", str(root / "scenarios" / "baseline.yaml"), str(short), "--years", "2026-2030"]) == 2
    assert "within 2002-2029 (the whole years every scenario covers)" in capsys.readouterr().err
    assert main(["compare", str(short), "--years", "2026-"]) == 2  # not read as 2026 alone
    assert "--years must look like 2026-2035, got '2026-'" in capsys.readouterr().err
    early = tmp_path / "early.yaml"
    early.write_text(f"name: early\nextends: {root / 'scenarios' / 'baseline.yaml'}\nstart: 2024-03\nend: 2025-02\n")
    assert main(["compare", str(root / "scenarios" / "baseline.yaml"), str(early)]) == 2
    assert "share no whole calendar year" in capsys.readouterr().err


def test_run_says_which_years_it_covers_only_in_part(root, tmp_path, capsys):
    short = tmp_path / "short.yaml"
    short.write_text(
        f"name: short\nextends: {root / 'scenarios' / 'job_programs.yaml'}\nstart: 2024-01\nend: 2027-06\n"
    )
    args = ["run", str(short), "--households-per-agent", "4000", "--out", str(tmp_path), "--quiet"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "2026-2026: arrests of key criminal figures" in out and "2027 covers 6 months" in out
    assert "-0%" not in out


def test_a_bare_scenario_name_is_found_and_check_judges_every_file(root, capsys):
    bad = sorted(str(f) for f in (root / "tests" / "bad_scenarios").glob("*.yaml"))
    assert main(["check", "baseline", "job_programs.yaml", *bad, "drought_shock"]) == 2
    captured = capsys.readouterr()
    assert "baseline: ok" in captured.out and "drought_shock: ok" in captured.out  # after all the bad files
    for file in bad:
        assert Path(file).name in captured.err, f"{file} got no verdict"


def test_compare_set_gives_every_scenario_a_parameter_as_an_overlay_file_would(root, tmp_path):
    """`--set` equals writing the parameters into overlay files (scenarios/assumptions/), and is checked like them."""
    shipped = root / "scenarios"
    common = ["--seeds", "1", "--households-per-agent", "2000", "--quiet"]
    no_response = ["crime.fee_elasticity=0", "crime.risk_elasticity=0", "journey.fee_enforcement_elasticity=0"]
    flags = [a for s in no_response for a in ("--set", s)]
    by_flag = migsim("compare", str(shipped / "baseline.yaml"), str(shipped / "agreement_package.yaml"), *flags,
                     *common, "--out", str(tmp_path / "flag"))  # fmt: skip
    overlays = [
        str(shipped / "assumptions" / f)
        for f in ("baseline_no_fee_response.yaml", "agreement_package_no_fee_response.yaml")
    ]
    by_file = migsim("compare", *overlays, *common, "--out", str(tmp_path / "file"))
    assert by_flag.returncode == 0 and by_file.returncode == 0, by_flag.stderr + by_file.stderr
    flag, file = (pd.read_csv(tmp_path / d / "totals.csv") for d in ("flag", "file"))
    assert (
        flag.averted.tolist() == file.averted.tolist()
        and flag.arrivals_averted.tolist() == file.arrivals_averted.tolist()
    )
    assert "Every scenario with crime.fee_elasticity=0" in by_flag.stdout
    wrong = migsim("compare", "--set", "crime.fee_elastcity=0", *common, "--out", str(tmp_path / "wrong"))
    assert wrong.returncode == 2 and "did you mean 'fee_elasticity'" in wrong.stderr and "Traceback" not in wrong.stderr
    assert "SECTION.KEY=VALUE" in migsim("compare", "--set", "fee_elasticity", *common).stderr


def test_the_comparison_chart_draws_a_department_whose_mean_is_outside_its_interval(tmp_path):
    """21 seeds, one lopsided: the mean lies above the 95th percentile, and the interval bar must not go negative."""
    from sim.compare import Comparison
    from sim.comparison_chart import comparison_chart

    seeds = list(range(21))
    yearly = pd.DataFrame(
        [{"scenario": s, "seed": k, "year": 2026, "departures_irregular": 10.0} for s in ("a", "b") for k in seeds]
    )
    departments = pd.DataFrame(
        [
            {"scenario": s, "seed": k, "year": 2026, "department": "Petén",
             "departures_irregular": 5.0 - (1000.0 if (s, k) == ("b", 0) else 0.0)}
            for s in ("a", "b") for k in seeds
        ]
    )  # fmt: skip
    result = Comparison(yearly, departments, ["a", "b"], seeds)
    assert comparison_chart(result, (2026, 2026), tmp_path / "c.png").stat().st_size > 0
