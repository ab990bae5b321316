"""A sweep on a real Dask cluster: workers elsewhere, a relative --out, the scheduler killed, a resume identical."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.cluster import address_problem
from sim.experiment import load_experiment
from sim.sweep import sweep as sweep_here
from tests.test_sweep import small_experiment


def start(command: list[str], cwd: Path, log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)  # the worker's nanny and its worker process too
    process.wait(timeout=30)


def wait_for(condition, what: str, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while not condition():
        if time.time() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def quick_experiment(folder: Path) -> Path:
    """Eight runs of about half a second each (coarsest scale, 2025-2027): the scheduler is killed among them."""
    file = small_experiment(folder, replications=2, samples=4)
    (folder / "base.yaml").write_text((folder / "base.yaml").read_text().replace("2024-01", "2025-01"))
    file.write_text(file.read_text().replace("households_per_agent: 4000", "households_per_agent: 20000"))
    return file


def test_a_sweep_survives_a_killed_scheduler_with_workers_elsewhere_and_a_relative_out(tmp_path):
    file = quick_experiment(tmp_path)
    elsewhere = tmp_path / "elsewhere"  # the workers' working directory: not the sweep's
    elsewhere.mkdir()
    dask = [sys.executable, "-m", "dask"]
    scheduler = start(
        [*dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", "s.json"],
        tmp_path,
        tmp_path / "scheduler.log",
    )
    worker = None
    try:
        wait_for(lambda: (tmp_path / "s.json").exists() and (tmp_path / "s.json").read_text(), "the scheduler")
        address = json.loads((tmp_path / "s.json").read_text())["address"]
        worker = start(
            [*dask, "worker", address, "--nthreads", "1", "--no-dashboard", "--local-directory", str(elsewhere)],
            elsewhere,
            tmp_path / "worker.log",
        )
        command = [sys.executable, "-m", "sim.cli", "sweep", str(file), "--out", "results/sweep", "--quiet"]
        sweep = subprocess.Popen(
            [*command, "--scheduler", address], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        parts = tmp_path / "results" / "sweep" / "parts"
        wait_for(lambda: any(parts.glob("*.parquet")) or sweep.poll() is not None, "runs on the cluster")
        assert sweep.poll() is None, sweep.communicate()
        os.kill(scheduler.pid, signal.SIGKILL)
        _, err = sweep.communicate(timeout=120)
    finally:
        for process in (worker, scheduler):
            if process is not None:
                stop(process)
    assert sweep.returncode == 1, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "the Dask scheduler (the executor) was lost" in err and "run the same command to go on" in err
    store = tmp_path / "results" / "sweep"
    assert not list((store / "failed").glob("*.json")), "a lost scheduler fails no run"
    done = subprocess.run([*command, "--workers", "1"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    sweep_here(load_experiment(file), tmp_path / "local")  # the same runs, from scratch, in this process
    resumed, local = (
        pd.read_parquet(folder / "results.parquet").sort_values(["run_id", "year", "department"]).reset_index(drop=True)
        for folder in (store, tmp_path / "local")
    )
    pd.testing.assert_frame_equal(resumed, local, check_exact=True)


@pytest.mark.parametrize(
    "address, says",
    [
        ("garbage", "give HOST:PORT"),
        ("tcp://127.0.0.1", "give HOST:PORT"),
        ("127.0.0.1:http", "the port must be a number"),
        ("tcp://10.0.0.5:70000", "the port must be a number from 1 to 65535"),
        ("htp://10.0.0.5:8786", "unknown protocol 'htp'"),
    ],
)
def test_a_bad_scheduler_address_is_one_line(address, says, tmp_path, capsys):
    assert address_problem(address) is not None
    code = main(["sweep", str(small_experiment(tmp_path)), "--out", str(tmp_path / "out"), "--scheduler", address])
    err = capsys.readouterr().err
    assert code == 2 and err.strip() == f"--scheduler {address}: {address_problem(address)}" and says in err


@pytest.mark.parametrize(
    "address", ["tcp://127.0.0.1:8786", "tls://scheduler.cluster:8786", "[::1]:8786", "10.0.0.5:1"]
)
def test_good_scheduler_addresses_pass(address):
    assert address_problem(address) is None
