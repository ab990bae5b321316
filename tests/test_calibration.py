"""Calibration: the distance, recovery of known parameters, the installed fit, resuming, validation."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calibration.distance import FLOOR, distance
from sim.calibration.fit import BUDGETS, FitSettings, estimate
from sim.calibration.free import FREE, HIGH, LOW
from sim.calibration.install import set_value
from sim.calibration.journal import Journal
from sim.calibration.moments import FIT_END, simulate
from sim.calibration.targets import load_targets
from sim.cli import main
from sim.compare import compare, posterior_draws_for
from sim.parameters import calibration_record, default_parameters, posterior_draws
from sim.runner import run
from tests.conftest import shortened

SMALL = 5000  # households per agent: 655 agents, a fifth of a second per run from 2002


def installed_best() -> np.ndarray:
    return np.array([calibration_record()["best"][p.key] for p in FREE])


def test_distance_prefers_the_calibrated_parameters_to_perturbed_ones():
    targets = load_targets()
    best = installed_best()
    seeds = [0, 1]
    at_best = distance(simulate(best, seeds, 1000), targets)
    for key, value in {"aspiration.intercept": best[0] + 1.5, "network.ties": 0.0, "journey.p_us": 0.1}.items():
        perturbed = best.copy()
        perturbed[[p.key for p in FREE].index(key)] = value
        assert distance(simulate(perturbed, seeds, 1000), targets) > at_best, key


def test_fit_recovers_parameters_that_generated_the_data(tmp_path):
    """Targets simulated from known values; the fit, searching two parameters over their whole range, finds them.

    Same seed for data and fit (common random numbers), so the true values give distance 0. Tolerance:
    a tenth of each parameter's search range.
    """
    truth = installed_best()
    made = simulate(truth, [3], SMALL)
    targets = load_targets()
    synthetic = replace(
        targets,
        emigrant_share=np.maximum(np.array(made["emigrant_share"]), FLOOR),
        apprehensions=np.maximum(np.array(made["apprehensions"]), FLOOR),  # a year without any at this scale
        group_shares=dict(
            zip(targets.group_shares, np.maximum(np.array(made["apprehension_groups"]), FLOOR), strict=True)
        ),
        intention=made["aspiring_share"][0],
    )
    # aspiration.intercept (the level) and journey.reattempt_rate (apprehension events per migrant): both inside
    # their ranges (the calibrated journey.p_us sits at 0.79 of [0.1, 0.8], where a search's edge hides it)
    searched = [0, 7]
    low, high = truth.copy(), truth.copy()
    low[searched], high[searched] = LOW[searched], HIGH[searched]
    journal = Journal(tmp_path, {"seeds": [3], "households_per_agent": SMALL, "end": FIT_END}, workers=1)
    found = estimate(journal, synthetic, FitSettings(popsize=6, maxiter=8), bounds=(low, high)).x
    for i in searched:
        assert abs(found[i] - truth[i]) < 0.1 * (HIGH[i] - LOW[i]), FREE[i].key


def test_installed_calibration_matches_the_schema_and_the_parameter_file():
    record = calibration_record()
    params = default_parameters()
    draws = posterior_draws()
    assert len(draws) == len(record["draws"]) >= 10
    for p in FREE:
        assert getattr(params[p.section], p.name) == pytest.approx(record["best"][p.key], rel=1e-3)
        assert "calibrated" in params.sources[p.section][p.name]
    for draw in draws:
        drawn = params.with_overrides(draw)  # validated against the schema's ranges
        for p in FREE:
            assert p.low <= getattr(drawn[p.section], p.name) <= p.high
    assert np.ptp([d["aspiration"]["intercept"] for d in draws]) > 0, "the posterior is a spread, not a point"


def test_set_value_replaces_only_that_entry():
    before = resources.files("sim.data").joinpath("parameters.yaml").read_text(encoding="utf-8")
    after = set_value(before, "journey", "p_us", 0.123456, "calibrated: test")
    assert 'p_us:\n    value: 0.1235\n    source: "calibrated: test"' in after
    changed = [a for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert len(changed) == 2 and all("p_us" not in line for line in changed)
    with pytest.raises(ValueError, match="no entry journey.nonsense"):
        set_value(before, "journey", "nonsense", 1.0, "x")


def test_journal_ignores_a_line_cut_by_a_kill_and_refuses_other_settings(tmp_path):
    settings = {"seeds": [0], "households_per_agent": SMALL, "end": FIT_END}
    journal = Journal(tmp_path, settings)
    theta = installed_best()
    first = journal.evaluate([theta])[0]
    with journal.path.open("a", encoding="utf-8") as f:
        f.write('{"key": "cut sho')
    again = Journal(tmp_path, settings)
    assert again.evaluate([theta])[0] == first and again.simulated == 0
    other = again.evaluate([theta * 0.99])[0]  # appended after the cut line was dropped, so it is kept
    third = Journal(tmp_path, settings)
    assert third.evaluate([theta * 0.99])[0] == other and third.simulated == 0 and len(third.found) == 2
    with pytest.raises(ValueError, match="other settings"):
        Journal(tmp_path, {**settings, "seeds": [1]})


def _calibrate(folder, workers: int = 2, **popen) -> subprocess.Popen:
    command = [sys.executable, "-m", "sim.cli", "calibrate", "--budget", "quick", "--households-per-agent", str(SMALL)]
    return subprocess.Popen(
        [*command, "--workers", str(workers), "--quiet", "--out", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def _descendants(pid: int) -> set[int]:
    """Processes started by ``pid``, at any depth (read from /proc)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _wait_for_lines(journal: Path, n: int) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and (not journal.exists() or len(journal.read_text().splitlines()) < n):
        time.sleep(0.1)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_killed_calibration_resumes_without_redoing_or_losing_runs_or_leaving_workers(tmp_path):
    whole = _calibrate(tmp_path / "whole", workers=1)
    assert whole.wait(timeout=600) == 0, whole.stderr.read()
    killed = _calibrate(tmp_path / "killed")
    journal = tmp_path / "killed" / "fit" / "journal.jsonl"
    _wait_for_lines(journal, 10)
    workers = _descendants(killed.pid)
    assert workers, "a pool of worker processes was running"
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
        time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers), "workers died with their parent"
    done_before = len([line for line in journal.read_text().splitlines() if line.endswith("}")])
    assert done_before >= 10
    resumed = _calibrate(tmp_path / "killed")
    stdout, stderr = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, stderr
    keys = [json.loads(line)["key"] for line in journal.read_text().splitlines() if line.endswith("}")]
    assert len(keys) == len(set(keys)), "no evaluation redone"
    total = len((tmp_path / "whole" / "fit" / "journal.jsonl").read_text().splitlines())
    assert len(keys) == total and f"{total - done_before} simulations run, {done_before} reused" in stdout
    fit = json.loads((tmp_path / "killed" / "fit.json").read_text())
    assert fit == json.loads((tmp_path / "whole" / "fit.json").read_text()), "same result as never interrupted"
    # scipy's own verdict is kept and shown: the quick budget's one generation after the first population
    assert fit["nfev"] == (BUDGETS["quick"].fit.maxiter + 1) * BUDGETS["quick"].fit.popsize * len(FREE)
    assert fit["success"] is False and "iterations" in fit["message"]
    assert f"differential evolution stopped: {fit['message']} ({fit['nfev']} distances)" in stdout


def test_ctrl_c_stops_calibration_with_a_message_and_a_usable_journal(tmp_path):
    interrupted = _calibrate(tmp_path, start_new_session=True)
    journal = tmp_path / "fit" / "journal.jsonl"
    _wait_for_lines(journal, 5)
    os.killpg(interrupted.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole process group
    stdout, stderr = interrupted.communicate(timeout=120)
    assert interrupted.returncode == 130 and "interrupted" in stderr and "Traceback" not in stderr
    before = len(journal.read_text().splitlines())
    resumed = _calibrate(tmp_path)
    stdout, stderr = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, stderr
    assert f"{before} reused" in stdout or f"{before - 1} reused" in stdout


def test_validate_writes_the_report_on_a_small_configuration(tmp_path, capsys):
    code = main(
        [
            "validate",
            "--budget",
            "quick",
            "--households-per-agent",
            str(SMALL),
            "--backcast-households-per-agent",
            str(SMALL),
            "--workers",
            "2",
            "--quiet",
            "--out",
            str(tmp_path / "report"),
            "--work",
            str(tmp_path / "work"),
        ]
    )
    assert code == 0
    report = (tmp_path / "report" / "README.md").read_text(encoding="utf-8")
    for part in ("held-out departments", "Alta Verapaz", "FY2019", "Sobol", "lever border_enforcement"):
        assert part in report
    for part in ("## Backcast: fitted to FY2017", "FY2024 (held out)", "trend of FY2007-FY2017", "remittances"):
        assert part in report
    for plot in ("departments.png", "apprehensions.png", "backcast.png", "sensitivity.png"):
        assert (tmp_path / "report" / plot).stat().st_size > 10_000
    table = pd.read_csv(tmp_path / "report" / "backcast.csv")
    assert list(table.fiscal_year) == list(range(2007, 2025)) and table.held_out.sum() == 7
    printed = capsys.readouterr().out
    assert "average relative difference" in printed and "correlation of yearly log changes" in printed


def test_comparisons_draw_each_seeds_parameters_from_the_posterior():
    scenarios = [shortened("baseline", "2020-01", "2026-12"), shortened("border_enforcement", "2020-01", "2026-12")]
    seeds = [0, 1]
    draws = posterior_draws_for(seeds)
    assert draws[0] != draws[1] and posterior_draws_for([len(posterior_draws())])[len(posterior_draws())] == draws[0]
    drawn = compare(scenarios, seeds, households_per_agent=SMALL, draws=draws)
    again = compare(scenarios, seeds, households_per_agent=SMALL, draws=draws)
    fixed = compare(scenarios, seeds, households_per_agent=SMALL)
    assert drawn.yearly.equals(again.yearly)
    assert not drawn.yearly.equals(fixed.yearly)
    # one seed, one draw: every scenario of seed 0 ran with draw 0, as a fresh run with those values shows
    alone = run(scenarios[0], 0, households_per_agent=SMALL, parameters=default_parameters().with_overrides(draws[0]))
    first = drawn.yearly[(drawn.yearly.scenario == "baseline") & (drawn.yearly.seed == 0)]
    assert first.departures_irregular.to_numpy() == pytest.approx(alone.national().departures_irregular.to_numpy())


@pytest.mark.parametrize(
    ("content", "says"),
    [(None, "file not found"), ('{"best": 1', "Expecting"), ('{"best": {}, "draws": [], "run": ""}', "missing")],
)
def test_validate_explains_a_bad_fit_file(tmp_path, capsys, content, says):
    fit = tmp_path / "fit.json"
    if content is not None:
        fit.write_text(content)
    assert main(["validate", "--fit", str(fit), "--quiet", "--work", str(tmp_path / "work")]) == 2
    err = capsys.readouterr().err
    assert str(fit) in err and says in err and "Traceback" not in err
