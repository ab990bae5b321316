"""A saved run reproduces exactly from its record; tampering is caught; a killed run is never read as finished."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from sim.cli import main
from sim.reproduce import reproduce
from sim.runner import run
from tests.conftest import SCENARIOS

SCALE = 3000


def saved_run(tmp_path, name="job_programs", seed=4):
    return run(SCENARIOS / f"{name}.yaml", seed, households_per_agent=SCALE).save(tmp_path / f"{name}-{seed}")


def test_a_saved_run_reproduces_bit_for_bit(tmp_path, capsys):
    folder = saved_run(tmp_path)
    report = reproduce(folder)
    assert report.identical and report.rows["monthly.parquet"] == 22 * 12 * (2035 - 2002 + 1)
    assert main(["reproduce", str(folder)]) == 0
    assert "identical" in capsys.readouterr().out


def test_recorded_inputs_are_complete(tmp_path):
    meta = json.loads((saved_run(tmp_path) / "metadata.json").read_text())
    for key in ("scenario_resolved", "scenario_digest", "seed", "households_per_agent", "parameters", "code_version"):
        assert meta[key] is not None, key
    assert {"numpy", "mesa", "python"} <= set(meta["packages"])


def test_a_changed_number_is_caught(tmp_path, capsys):
    folder = saved_run(tmp_path)
    monthly = pd.read_parquet(folder / "monthly.parquet")
    monthly.loc[1000, "departures_irregular"] += 1
    monthly.to_parquet(folder / "monthly.parquet", index=False)
    assert main(["reproduce", str(folder)]) == 1
    assert "departures_irregular" in capsys.readouterr().err


def test_not_a_run_is_a_user_error(tmp_path, capsys):
    assert main(["reproduce", str(tmp_path / "nothing")]) == 2
    (tmp_path / "half").mkdir()
    assert main(["reproduce", str(tmp_path / "half")]) == 2
    assert "not a finished run" in capsys.readouterr().err


def test_a_killed_run_leaves_nothing_that_reads_as_finished(tmp_path):
    """SIGKILL `migsim run` at several moments: each folder is either finished and reproducible, or unfinished."""
    finished = unfinished = 0
    for i, delay in enumerate((0.5, 1.5, 2.5, 3.5, 60)):
        out = tmp_path / f"kill{i}"
        process = subprocess.Popen(
            [sys.executable, "-m", "sim.cli", "run", str(SCENARIOS / "baseline.yaml"), "--seed", "1"]
            + ["--households-per-agent", str(SCALE), "--quiet", "--out", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + delay
        while process.poll() is None and time.time() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
        for folder in out.glob("*") if out.exists() else []:
            if (folder / "metadata.json").exists():
                assert reproduce(folder).identical
                finished += 1
            else:
                unfinished += 1
                assert main(["reproduce", str(folder)]) == 2
    assert finished >= 1, "the last run had time to finish"


def compare_command(files: list[str], out, seeds: int) -> list[str]:
    """`migsim compare` of ``files`` into ``out`` at the tests' scale, without plausible worlds."""
    scale = ["--households-per-agent", str(SCALE)]
    return ["compare", *files, "--seeds", str(seeds), "--worlds", "0", *scale, "--quiet", "--out", str(out)]


def test_a_comparison_reproduces_and_tampering_is_caught(tmp_path, capsys):
    files = [str(SCENARIOS / "baseline.yaml"), str(SCENARIOS / "task_forces.yaml")]
    out = tmp_path / "cmp"
    assert main(compare_command(files, out, seeds=2)) == 0
    assert reproduce(out).identical
    yearly = pd.read_parquet(out / "yearly.parquet")
    yearly.loc[5, "key_arrests"] += 1
    yearly.to_parquet(out / "yearly.parquet", index=False)
    assert main(["reproduce", str(out)]) == 1
    assert "key_arrests" in capsys.readouterr().err
    yearly.loc[5, "key_arrests"] -= 1  # back as it was; now a summary people read is edited
    yearly.to_parquet(out / "yearly.parquet", index=False)
    assert reproduce(out).identical
    written = (out / "totals.csv").read_text()
    unrounded = pd.read_csv(out / "totals.csv").assign(total=lambda t: t.total + 0.3)  # as written before rounding
    unrounded.to_csv(out / "totals.csv", index=False)
    assert reproduce(out).identical, "a summary from before the rounding still reproduces"
    (out / "totals.csv").write_text(written)
    lines = (out / "totals.csv").read_text().splitlines()
    cells = lines[2].split(",")  # the second scenario's total, one more
    cells[1] = str(float(cells[1]) + 1)
    lines[2] = ",".join(cells)
    (out / "totals.csv").write_text("\n".join(lines) + "\n")
    assert main(["reproduce", str(out)]) == 1
    assert "totals.csv: column 'total' differs in 1 rows" in capsys.readouterr().err


def test_an_interrupted_comparison_leaves_nothing_that_reads_as_finished(tmp_path):
    """Ctrl-C, then SIGKILL, while `migsim compare` runs into a folder holding an earlier, finished comparison."""
    files = [str(SCENARIOS / "baseline.yaml"), str(SCENARIOS / "task_forces.yaml")]
    out = tmp_path / "cmp"
    command = [
        sys.executable,
        "-m",
        "sim.cli",
        "compare",
        *files,
        "--worlds",
        "0",
        "--households-per-agent",
        str(SCALE),
        "--quiet",
    ]
    assert main(compare_command(files, out, seeds=1)) == 0
    for stop, delay in ((signal.SIGINT, 2.0), (signal.SIGKILL, 4.0)):
        process = subprocess.Popen(
            [*command, "--seeds", "20", "--out", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        time.sleep(delay)
        os.killpg(process.pid, stop)
        _, err = process.communicate(timeout=60)
        if stop == signal.SIGINT:
            assert process.returncode == 130 and "Traceback" not in err and "interrupted" in err
            assert "Warning" not in err and len(err.strip().splitlines()) <= 2  # the workers (20 seeds) say nothing
        leftovers = [p.name for p in out.iterdir() if p.name.startswith(".")]
        assert not leftovers or stop == signal.SIGKILL  # a kill may leave a hidden temporary, never a named file
        if (out / "metadata.json").exists():
            assert reproduce(out).identical  # it finished before the signal
        else:
            assert main(["reproduce", str(out)]) == 2  # unfinished, and said so


@pytest.fixture(scope="module")
def run_record(tmp_path_factory) -> dict:
    """A real run's metadata.json, for damaged copies of it (none of them gets as far as simulating)."""
    return json.loads((saved_run(tmp_path_factory.mktemp("run")) / "metadata.json").read_text())


def comparison_record(meta: dict) -> dict:
    entry = {"file": "baseline.yaml", "digest": meta["scenario_digest"], "resolved": meta["scenario_resolved"]}
    keep = ("households_per_agent", "parameters", "code_version", "packages")
    return {"scenarios": [entry], "seeds": [0, 1], "years": [2026, 2035], **{k: meta[k] for k in keep}}


DAMAGED = {  # what a damaged metadata.json holds -> the words the one-line message must have
    "cut short": (lambda meta: '{"broken', "damaged: not valid JSON"),
    "a list": (lambda meta: "[1, 2]", "damaged: not a JSON object"),
    "a seed of letters": (lambda meta: {**meta, "seed": "abc"}, "seed: damaged:"),
    "a seed past 64 bits": (lambda meta: {**meta, "seed": 2**64}, "seed: damaged:"),
    "a number of 5,000 digits": (lambda meta: json.dumps(meta)[:-1] + ', "x": ' + "9" * 5000 + "}", "damaged"),
    "no parameters": (lambda meta: {k: v for k, v in meta.items() if k != "parameters"}, "parameters: damaged:"),
    "a parameter of letters": (
        lambda meta: {**meta, "parameters": {**meta["parameters"], "journey": {"p_us": "abc"}}},
        "parameters.journey",
    ),
    "a scenario that is not one": (
        lambda meta: {**meta, "scenario_resolved": {"levers": 3}},
        "metadata.json: scenario_resolved: levers",
    ),
    "seeds of letters": (lambda meta: {**comparison_record(meta), "seeds": "abc"}, "seeds: damaged:"),
    "no scenarios": (lambda meta: {**comparison_record(meta), "scenarios": []}, "scenarios: damaged:"),
    "a draw of letters": (
        lambda meta: {**comparison_record(meta), "parameter_draws": {"x": {}}},
        "parameter_draws",
    ),
}


@pytest.mark.parametrize("damage", DAMAGED)
def test_a_damaged_record_is_one_line_naming_the_file_and_field(damage, run_record, tmp_path, capsys):
    make, words = DAMAGED[damage]
    content = make(run_record)
    (tmp_path / "metadata.json").write_text(content if isinstance(content, str) else json.dumps(content))
    assert main(["reproduce", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 3, err  # one line per problem
    assert str(tmp_path / "metadata.json") in err and words in err, err


def test_a_record_that_is_a_fifo_is_refused_not_waited_on(tmp_path):
    os.mkfifo(tmp_path / "metadata.json")
    command = [sys.executable, "-m", "sim.cli", "reproduce", str(tmp_path)]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=120
    )  # a child: a regression fails, not hangs
    assert done.returncode == 2 and "a FIFO (named pipe), not a file" in done.stderr


def test_a_damaged_sweep_record_is_one_line(tmp_path, capsys):
    from tests.test_sweep import small_experiment

    file = small_experiment(tmp_path)
    record = {
        "name": "small",
        "source": str(file),
        "digest": "x",
        "code_version": "v",
        "base_resolved": {},
        "factors": [],
    }
    for spec, words in (("abc", "spec: damaged:"), ({"name": "s"}, "spec.base: damaged:")):
        (tmp_path / "out").mkdir(exist_ok=True)
        (tmp_path / "out" / "experiment.json").write_text(json.dumps({**record, "spec": spec}))
        assert main(["reproduce", str(tmp_path / "out")]) == 2
        err = capsys.readouterr().err
        assert "experiment.json" in err and words in err and len(err.strip().splitlines()) == 1, err
    (tmp_path / "out" / "experiment.json").write_text('{"name": ')
    assert main(["sweep", str(file), "--out", str(tmp_path / "out"), "--status"]) == 2  # a resume reads it too
    assert "experiment.json:1: damaged: not valid JSON" in capsys.readouterr().err


def test_reproducing_a_sweep_simulates_each_seeds_past_once_in_a_cache_of_its_own(tmp_path, monkeypatch):
    from sim import cache
    from sim.experiment import load_experiment
    from sim.model import MigrationModel
    from sim.sweep import sweep
    from tests.test_sweep import _counting, small_experiment

    monkeypatch.setenv("MIGSIM_CACHE", str(tmp_path / "users-cache"))
    drought = "conditions.drought.severity: {range: [0, 1]}"
    experiment = load_experiment(small_experiment(tmp_path, replications=2, samples=3, second=drought))
    sweep(experiment, tmp_path / "out", workers=1)
    fresh, folders = [], []
    monkeypatch.setattr(MigrationModel, "__init__", _counting(MigrationModel.__init__, fresh))
    load = cache.load
    monkeypatch.setattr(cache, "load", lambda name: folders.append(cache.usable_dir()) or load(name))
    report = reproduce(tmp_path / "out", workers=1)
    assert report.identical and len(report.rows) == 6 + 1  # six parts and results.parquet
    assert sum(fresh) == 2, "one past per seed, each run continuing from it, as the sweep did"
    assert folders and tmp_path / "users-cache" not in folders, "a rerun never reads what the sweep stored"
