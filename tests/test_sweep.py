"""Sweeps: bad experiments explained, identical results on any executor, crashes survived, failures recorded."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import cache
from sim.errors import ScenarioError
from sim.experiment import load_experiment
from sim.metrics import BY_GROUP
from sim.sweep import part_path, status, sweep

HERE = Path(__file__).resolve().parent
BAD = sorted((HERE / "bad_experiments").glob("*.yaml"))


def small_experiment(
    folder: Path,
    replications: int = 2,
    samples: int = 3,
    extra: str = "",
    second: str = "parameters.journey.p_us: {range: [0.3, 0.6]}",
) -> Path:
    """A quick experiment: a few points, coarse scale, 2024-2027; ``second`` is the second factor."""
    base = folder / "base.yaml"
    base.write_text(
        f"name: base\nextends: {HERE.parent / 'scenarios' / 'jobs_and_patrols.yaml'}\nstart: 2024-01\nend: 2027-12\n"
    )
    file = folder / "experiment.yaml"
    file.write_text(
        "name: small\nbase: base.yaml\nfactors:\n"
        "  levers.job_programs.jobs_per_year: {range: [0, 40000]}\n"
        f"  {second}\n"
        f"design: {{method: lhs, samples: {samples}}}\nreplications: {replications}\nhouseholds_per_agent: 4000\n"
        f"outcomes: [national, departments]\n{extra}"
    )
    return file


def expected_words(file: Path) -> list[str]:
    return [w.strip() for w in file.read_text().splitlines()[0].removeprefix("# expect: ").split("|")]


@pytest.mark.parametrize("file", BAD, ids=lambda f: f.name)
def test_bad_experiments_are_explained(file):
    with pytest.raises(ScenarioError) as caught:
        load_experiment(file)
    for words in expected_words(file):
        assert words in str(caught.value)


def test_design_shares_seeds_across_points_and_hashes_runs(tmp_path):
    experiment = load_experiment(small_experiment(tmp_path))
    runs = experiment.runs()
    assert len(runs) == 6 and len({r.run_id for r in runs}) == 6
    assert {r.seed for r in runs if r.replication == 0} == {runs[0].seed}
    assert all(0 <= r.values["levers.job_programs.jobs_per_year"] <= 40000 for r in runs)


def test_results_are_identical_serial_process_pool_and_dask(tmp_path):
    from distributed import Client, LocalCluster

    experiment = load_experiment(small_experiment(tmp_path))
    tables = {}
    for name in ("serial", "pool", "dask"):
        folder = tmp_path / name
        if name == "serial":
            sweep(experiment, folder)
        elif name == "pool":
            sweep(experiment, folder, workers=2)
        else:
            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
                with Client(cluster) as client:
                    sweep(experiment, folder, executor=client.get_executor())
        tables[name] = pd.read_parquet(folder / "results.parquet").sort_values(["run_id", "year", "department"])
        tables[name] = tables[name].reset_index(drop=True)
    pd.testing.assert_frame_equal(tables["serial"], tables["pool"])
    pd.testing.assert_frame_equal(tables["serial"], tables["dask"])
    assert set(tables["serial"].department) >= {"national", "Huehuetenango"}


def test_runs_of_a_seed_share_their_past_and_equal_separate_runs(tmp_path, monkeypatch):
    from sim.model import MigrationModel
    from sim.parameters import parameter_draw
    from sim.runner import run
    from sim.scenario import validate_scenario
    from sim.sweep import shared_past_of

    assert shared_past_of(load_experiment(small_experiment(tmp_path))) is None  # a parameter changes the past
    drought = "conditions.drought.severity: {range: [0, 1]}"
    experiment = load_experiment(small_experiment(tmp_path, replications=2, samples=3, second=drought))
    past = shared_past_of(experiment)
    assert past["fork"] == 2026 * 12  # the job programs start in 2026-01; the past is 2024-2025
    built = []
    monkeypatch.setattr(MigrationModel, "__init__", _counting(MigrationModel.__init__, built))
    sweep(experiment, tmp_path / "out", workers=1)
    assert len(built) == 2 + 6, "one past per seed, then each run continues from it"
    swept = pd.read_parquet(tmp_path / "out" / "results.parquet")
    for one in experiment.runs():
        direct = run(
            validate_scenario(one.scenario),
            one.seed,
            households_per_agent=4000,
            parameters=parameter_draw(one.replication),
        )
        mine = swept[(swept.run_id == one.run_id) & (swept.department == "national")].set_index("year")
        assert mine.departures_irregular.to_dict() == direct.national().departures_irregular.to_dict()


def _counting(init, calls: list):
    def counted(self, *args, **kwargs):
        calls.append(kwargs.get("population") is None)
        return init(self, *args, **kwargs)

    return counted


def test_a_killed_sweep_resumes_without_redoing_or_losing_runs(tmp_path):
    file = small_experiment(tmp_path, replications=3, samples=6)
    folder = tmp_path / "out"
    command = [sys.executable, "-m", "sim.cli", "sweep", str(file), "--out", str(folder), "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((folder / "parts").glob("*.parquet"))) < 4:
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    before = {p.name: p.stat().st_mtime_ns for p in (folder / "parts").glob("*.parquet")}
    experiment = load_experiment(file)
    assert 4 <= len(before) < len(experiment.runs()), "the sweep should have been killed part way"
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    after = {p.name: p.stat().st_mtime_ns for p in (folder / "parts").glob("*.parquet")}
    assert set(after) == {f"{r.run_id}.parquet" for r in experiment.runs()}
    assert all(after[name] == mtime for name, mtime in before.items()), "finished runs must not be redone"
    assert not list((folder / "parts").glob(".*"))
    results = pd.read_parquet(folder / "results.parquet")
    national = results[results.department == "national"]
    assert national.groupby("run_id").size().eq(4).all() and national.run_id.nunique() == len(experiment.runs())


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch):
    import sim.runner

    experiment = load_experiment(small_experiment(tmp_path))
    victim = experiment.runs()[1]
    real_run = sim.runner.run

    def fragile(scenario, seed, **kwargs):
        if (
            seed == victim.seed
            and scenario.levers[0][1].jobs_per_year == victim.values["levers.job_programs.jobs_per_year"]
        ):
            raise RuntimeError("simulated failure")
        return real_run(scenario, seed, **kwargs)

    monkeypatch.setattr(sim.runner, "run", fragile)
    result = sweep(experiment, tmp_path / "out")
    assert result.done == 5 and list(result.failed) == [victim.run_id]
    record = json.loads((tmp_path / "out" / "failed" / f"{victim.run_id}.json").read_text())
    assert "simulated failure" in record["error"]
    monkeypatch.setattr(sim.runner, "run", real_run)
    again = sweep(experiment, tmp_path / "out")  # retried, the rest untouched
    assert again.done == 6 and not again.failed and part_path(tmp_path / "out", victim.run_id).exists()


def test_status_and_report_from_the_command_line(tmp_path):
    file = small_experiment(tmp_path)
    folder = tmp_path / "out"
    cli = [sys.executable, "-m", "sim.cli"]
    assert subprocess.run([*cli, "sweep", str(file), "--out", str(folder), "--quiet"], timeout=300).returncode == 0
    shown = subprocess.run([*cli, "sweep", str(file), "--out", str(folder), "--status"], capture_output=True, text=True)
    assert "6 of 6 runs done, 0 failed" in shown.stdout
    report = subprocess.run(
        [*cli, "sweep-report", str(folder), "--years", "2026-2027", "--target", "1e9"], capture_output=True, text=True
    )
    assert report.returncode == 0, report.stderr
    written = folder / "report-departures_irregular-2026-2027"
    assert "jobs_per_year" in report.stdout and (written / "main_effects.png").exists()
    assert len(pd.read_csv(written / "meets_target.csv")) == 3
    fees = [*cli, "sweep-report", str(folder), "--outcome", "smuggling_fee", "--years", "2026-2027"]
    assert subprocess.run(fees, capture_output=True, text=True).returncode == 0
    assert (folder / "report-smuggling_fee-2026-2027" / "by_point.csv").exists()
    assert len(pd.read_csv(written / "meets_target.csv")) == 3, "another outcome's report left this one alone"
    # every run keeps its outcomes by group, and a group's outcome has its own report
    national = pd.read_parquet(folder / "results.parquet").query("department == 'national'")
    groups = [f"journeys_{g}" for g in ("adult", "family", "child")]
    assert national[groups].sum(axis=1).to_numpy() == pytest.approx(national.departures_irregular.to_numpy())
    assert {f"{what}_{g}" for what in BY_GROUP for g in ("adult", "family", "child")} <= set(national.columns)
    children = [*cli, "sweep-report", str(folder), "--outcome", "journeys_child", "--years", "2026-2027"]
    assert subprocess.run(children, capture_output=True, text=True).returncode == 0
    by_point = pd.read_csv(folder / "report-journeys_child-2026-2027" / "by_point.csv")
    assert len(by_point) == 3 and (by_point.journeys_child > 0).all()
    stem = subprocess.run([*cli, "sweep-report", str(folder), "--outcome", "journeys"], capture_output=True, text=True)
    assert stem.returncode == 2 and "journeys_adult, journeys_family or journeys_child" in stem.stderr
    (tmp_path / "other").mkdir()
    other = small_experiment(tmp_path / "other", samples=4)
    clash = subprocess.run([*cli, "sweep", str(other), "--out", str(folder)], capture_output=True, text=True)
    assert clash.returncode == 2 and "another experiment" in clash.stderr and "Traceback" not in clash.stderr
    assert status(load_experiment(file), folder).done == 6


def test_replications_run_their_posterior_draw_unless_told_not_to(tmp_path):
    from sim.parameters import parameter_draw
    from sim.runner import run
    from sim.scenario import validate_scenario

    tables = {}
    for label, extra in (("drawn", ""), ("fixed", "parameter_draws: false\n")):
        (tmp_path / label).mkdir()
        experiment = load_experiment(small_experiment(tmp_path / label, samples=1, extra=extra))
        sweep(experiment, tmp_path / label / "out", workers=1)
        tables[label] = (experiment, pd.read_parquet(tmp_path / label / "out" / "results.parquet"))
    drawn, fixed = tables["drawn"][0], tables["fixed"][0]
    assert {r.run_id for r in drawn.runs()}.isdisjoint({r.run_id for r in fixed.runs()})
    assert not tables["drawn"][1].departures_irregular.equals(tables["fixed"][1].departures_irregular)
    one = drawn.runs()[1]  # replication 1: posterior draw 1, with the factor's p_us on top
    direct = run(validate_scenario(one.scenario), one.seed, households_per_agent=4000, parameters=parameter_draw(1))
    swept = tables["drawn"][1]
    swept = swept[(swept.replication == 1) & (swept.year == 2027) & (swept.department == "national")]
    swept = swept.departures_irregular.iloc[0]
    assert swept == pytest.approx(direct.national().loc[2027, "departures_irregular"])
    assert direct.metadata["parameters"]["journey"]["p_us"] == pytest.approx(one.values["parameters.journey.p_us"])


def test_a_sweep_folder_is_reproduced_run_by_run(tmp_path, capsys):
    from sim.cli import main

    experiment = load_experiment(small_experiment(tmp_path, samples=1))
    folder = tmp_path / "out"
    sweep(experiment, folder, workers=1)
    (tmp_path / "base.yaml").unlink()  # the folder alone is enough
    assert main(["reproduce", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "identical: 2 runs' parts" in out and "results.parquet" in out
    results = pd.read_parquet(folder / "results.parquet")
    edited = results.assign(departures_irregular=results.departures_irregular + (results.index == 3))
    edited.to_parquet(folder / "results.parquet", index=False)  # what sweep-report reads, edited by hand
    assert main(["reproduce", str(folder)]) == 1
    assert "results.parquet: column 'departures_irregular' differs in 1 rows" in capsys.readouterr().err
    results.to_parquet(folder / "results.parquet", index=False)
    part = sorted((folder / "parts").glob("*.parquet"))[0]
    table = pd.read_parquet(part)
    table.loc[0, "departures_irregular"] += 1
    table.to_parquet(part, index=False)
    assert main(["reproduce", str(folder)]) == 1
    assert "departures_irregular" in capsys.readouterr().err


def test_a_sweep_refuses_to_resume_under_changed_code_unless_told(tmp_path, capsys):
    from sim.cli import main

    file = small_experiment(tmp_path, replications=1, samples=2)
    folder = tmp_path / "out"
    command = ["sweep", str(file), "--out", str(folder), "--quiet"]
    assert main(command) == 0
    first, second = sorted((folder / "parts").glob("*.parquet"))
    kept = first.stat().st_mtime_ns
    second.unlink()  # as if interrupted after one run
    record = folder / "experiment.json"
    made_with = json.loads(record.read_text())
    record.write_text(json.dumps({**made_with, "code": "an older version"}))  # as if sim/ changed since
    capsys.readouterr()
    assert main(command) == 2
    error = capsys.readouterr().err
    assert "code (sim/) changed since the 1 finished runs" in error and "--mixed-code" in error
    assert "Traceback" not in error and not second.exists()
    assert main([*command, "--mixed-code"]) == 0
    assert second.exists() and first.stat().st_mtime_ns == kept
    assert json.loads(record.read_text())["codes"] == ["an older version", made_with["code"]]
    assert main(command) == 0, "a finished sweep is gathered again whatever the code"
    assert main(["reproduce", str(folder)]) == 0
    assert "2 versions of the code" in capsys.readouterr().err


def test_a_point_that_is_not_a_valid_scenario_fails_alone(tmp_path, capsys):
    """Its runs are recorded as failed; the others run (and still share their past)."""
    from sim.sweep import shared_past_of

    small_experiment(tmp_path)  # writes base.yaml
    ends = 'levers.job_programs.end: {values: ["2027-06", "2027-09", "2027-12"]}'
    experiment = load_experiment(_grid(tmp_path, ends))
    # a point that load_experiment's sample (every 50th point of a big design) would not have checked
    runs = experiment.runs()
    bad = copy.deepcopy(runs[1].scenario)
    bad["levers"]["job_programs"]["end"] = "2025-06"  # before the lever's start
    experiment.__dict__["_runs"] = [runs[0], dataclasses.replace(runs[1], scenario=bad), runs[2]]
    assert shared_past_of(experiment) is not None
    result = sweep(experiment, tmp_path / "out", workers=1)
    assert result.done == 2 and len(result.failed) == 1
    assert "before start" in next(iter(result.failed.values()))
    from sim.cli import main

    assert main(["sweep-report", str(tmp_path / "out")]) == 0
    assert "1 of 3 runs are missing" in capsys.readouterr().err
    assert main(["reproduce", str(tmp_path / "out")]) == 0
    assert "2 of the experiment's 3 runs are finished; only those are checked" in capsys.readouterr().err


def _grid(folder: Path, factor: str) -> Path:
    file = folder / "grid.yaml"
    file.write_text(
        f"name: grid\nbase: base.yaml\nfactors:\n  {factor}\ndesign: {{method: grid}}\nreplications: 1\n"
        "households_per_agent: 4000\n"
    )
    return file


def test_a_store_drawn_by_the_earlier_latin_hypercube_is_not_resumed(tmp_path):
    import json

    from sim.sweep import StoreMismatch, prepare

    experiment = load_experiment(small_experiment(tmp_path))
    folder = tmp_path / "out"
    prepare(experiment, folder)
    record = json.loads((folder / "experiment.json").read_text())
    (folder / "experiment.json").write_text(json.dumps({**record, "digest": "drawn-the-old-way"}))
    with pytest.raises(StoreMismatch, match="earlier version of migsim's sampler"):
        prepare(experiment, folder)
    (folder / "experiment.json").write_text(
        json.dumps({**record, "digest": "other", "base_resolved": {**record["base_resolved"], "end": "2027-06"}})
    )
    with pytest.raises(StoreMismatch, match=r"its base scenario \(base.yaml\) has changed since"):
        prepare(experiment, folder)


def test_department_rows_take_stocks_in_december_and_average_rates(tmp_path):
    drought = "conditions.drought.severity: {range: [0, 1]}"
    experiment = load_experiment(small_experiment(tmp_path, replications=1, samples=1, second=drought, extra=""))
    sweep(experiment, tmp_path / "out", workers=1)
    results = pd.read_parquet(tmp_path / "out" / "results.parquet")
    national = results[results.department == "national"].set_index("year")
    departments = results[results.department != "national"].groupby("year")
    assert departments.households.sum().to_numpy() == pytest.approx(national.households.to_numpy())  # a stock
    assert departments.departures_irregular.sum().to_numpy() == pytest.approx(national.departures_irregular.to_numpy())
    fees = results[results.department != "national"].smuggling_fee
    assert fees.between(0.5 * national.smuggling_fee.min(), 2 * national.smuggling_fee.max()).all()  # a rate
    assert (results.outflow.notna()).all()


def test_settings_a_design_does_not_use_are_refused(tmp_path):
    small_experiment(tmp_path)
    cases = {
        "design: {method: lhs, samples: 4}\nfactors:\n  levers.job_programs.jobs_per_year: {range: [0, 1000], levels: 3}": "levels: applies to a grid",
        "design: {method: grid, samples: 4}\nfactors:\n  levers.job_programs.jobs_per_year: {values: [0, 1000]}": "a grid takes no samples",
        "design: {method: sobol, samples: 2}\nfactors:\n  levers.job_programs.jobs_per_year: {range: [0, 1000]}": "at least 4 samples",
        "design: {method: grid}\nfactors:\n  levers.job_programs.departments: {values: [all]}": "departments cannot be a factor",
    }
    for body, says in cases.items():
        (tmp_path / "e.yaml").write_text(f"name: e\nbase: base.yaml\n{body}\n")
        with pytest.raises(ScenarioError, match=says):
            load_experiment(tmp_path / "e.yaml")
    whole = "design: {method: grid}\nfactors:\n  levers.job_programs.job_duration_months: {range: [6, 13], levels: 3}"
    (tmp_path / "e.yaml").write_text(f"name: e\nbase: base.yaml\n{whole}\n")
    assert [
        r.values["levers.job_programs.job_duration_months"] for r in load_experiment(tmp_path / "e.yaml").runs()
    ] == [6, 10, 13]


def test_replications_as_plausible_worlds_differ_by_their_assumptions_and_resume(tmp_path, capsys):
    from sim.cli import main

    (tmp_path / "plain").mkdir()
    (tmp_path / "worlds").mkdir()
    plain_file = small_experiment(tmp_path / "plain", replications=2, samples=2)
    worlds_file = small_experiment(tmp_path / "worlds", replications=2, samples=2, extra="plausible_worlds: true\n")
    plain, experiment = load_experiment(plain_file), load_experiment(worlds_file)
    assert plain.worlds is None and experiment.worlds is not None and len(experiment.worlds.values) == 2
    assert {r.run_id for r in experiment.runs()}.isdisjoint({r.run_id for r in plain.runs()})
    first, second = (experiment.worlds.world(r) for r in (0, 1))
    assert first != second and set(first) == set(experiment.worlds.names)

    national = {}
    with cache.bypassed():
        for name, file in (("plain", plain_file), ("worlds", worlds_file)):
            out = tmp_path / f"out-{name}"
            assert main(["sweep", str(file), "--out", str(out), "--quiet", "--workers", "1"]) == 0
            results = pd.read_parquet(out / "results.parquet")
            national[name] = results[results.department == "national"].sort_values(["point", "replication", "year"])
    assert not np.array_equal(
        national["plain"].departures_irregular.to_numpy(), national["worlds"].departures_irregular.to_numpy()
    )  # the same seeds and design points: the worlds' assumed numbers make the difference
    capsys.readouterr()
    assert main(["sweep-report", str(tmp_path / "out-worlds"), "--target", "1e12"]) == 0
    assert "plausible worlds meeting it" in capsys.readouterr().out
