"""Sweep throughput: runs per minute with 1 and 2 local workers and with a 2-worker Dask LocalCluster.

Usage: python benchmarks/bench_sweep.py [EXPERIMENT] [--repeat 2]
Each configuration sweeps the experiment into a fresh folder with an empty cache (MIGSIM_CACHE), as a first
sweep would: the runs of a seed simulate their shared 2002-2025 past once (in the first of them) and the
others continue from it. The step is compiled once before. Two rates: end to end (what a 24-run sweep takes,
with starting the worker processes), and steady (runs finished after the first, over the time from the first
to the last: what a long sweep approaches). Writes benchmarks/results/sweep-<date>.json.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from results_file import write_result

from sim import cache
from sim.experiment import load_experiment
from sim.sweep import sweep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment", nargs="?", default="scenarios/experiments/laptop.yaml")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    experiment = load_experiment(root / args.experiment)
    runs = len(experiment.runs())
    # one cache folder, emptied before each sweep: worker processes come from a server started once, with the
    # environment of that moment, so the folder must not move
    cache_folder = Path(tempfile.mkdtemp(prefix="migsim-bench-cache-"))
    os.environ["MIGSIM_CACHE"] = str(cache_folder)
    with tempfile.TemporaryDirectory() as scratch:
        sweep(experiment, Path(scratch) / "warm")  # compile and load everything once
    rows = []
    for label in ("1 local worker", "2 local workers", "2-worker LocalCluster"):
        rates, steady = [], []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as scratch:
                folder = Path(scratch) / "out"
                cache.clear()  # empty: the pasts are simulated in the measurement, as in a first sweep
                finished = []

                def note(done: int, failed: int, total: int, finished: list = finished) -> None:
                    if done + failed > len(finished):
                        finished.append(time.perf_counter())

                began = time.perf_counter()
                if label.startswith("1"):
                    sweep(experiment, folder, progress=note)
                elif label.startswith("2 local"):
                    sweep(experiment, folder, workers=2, progress=note)
                else:
                    from distributed import Client, LocalCluster

                    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
                        with Client(cluster) as client:
                            sweep(experiment, folder, executor=client.get_executor(), progress=note)
                rates.append(runs / (time.perf_counter() - began) * 60)
                steady.append((len(finished) - 1) / (finished[-1] - finished[0]) * 60)
        rows.append({"configuration": label, "runs": runs, "runs_per_minute": rates, "steady_runs_per_minute": steady})
        print(
            f"{label:24s} end to end {min(rates):6.1f} - {max(rates):6.1f} runs/min, "
            f"steady {min(steady):6.1f} - {max(steady):6.1f} ({runs} runs each)",
            flush=True,
        )
    for row in rows:
        row["speedup_vs_1"] = max(row["runs_per_minute"]) / max(rows[0]["runs_per_minute"])
        row["steady_speedup_vs_1"] = max(row["steady_runs_per_minute"]) / max(rows[0]["steady_runs_per_minute"])
    shutil.rmtree(cache_folder, ignore_errors=True)
    target = write_result("sweep", {"experiment": args.experiment, "results": rows})
    print(f"written to {target.relative_to(root)}")


if __name__ == "__main__":
    main()
