"""The app's default comparison with plausible worlds, cold: what a user waits for before the worlds' table.

Usage: python benchmarks/bench_app_worlds.py [--seeds 5] [--worlds 5] [--scale 50] [--repeat 2]
Runs what the app's first page runs (baseline and agreement package; its seeds, then its worlds) through the
app's result store (a new one each time) with one worker process per core, the disk cache off, after one warm-up
comparison at a coarse scale (so the compiled step is built and the worker processes are started, as
`migsim app`'s warm-up does before anyone asks). Writes benchmarks/results/app-worlds-<date>.json.
"""

from __future__ import annotations

import argparse
import os
import time

from results_file import write_result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--worlds", type=int, default=5)
    parser.add_argument("--scale", type=float, default=50.0)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    os.environ["MIGSIM_CACHE"] = "off"  # before any worker process starts: they inherit it
    from sim.scenario import shipped_scenario
    from sim.worlds import sample
    from viz.results import ResultStore

    pair = [shipped_scenario("baseline"), shipped_scenario("agreement_package")]
    seeds_s, worlds_s = [], []
    for i in range(args.repeat + 1):
        store = ResultStore(workers=os.cpu_count() or 1)
        scale = 2000.0 if i == 0 else args.scale  # the first round warms up
        began = time.perf_counter()
        store.comparison(pair, range(args.seeds), scale)
        middle = time.perf_counter()
        worlds = sample(args.worlds)
        store.comparison(pair, worlds.seeds, scale, worlds=worlds)
        if i:
            seeds_s.append(middle - began)
            worlds_s.append(time.perf_counter() - middle)
    total = [a + b for a, b in zip(seeds_s, worlds_s, strict=True)]
    print(f"seeds  {min(seeds_s):5.1f} - {max(seeds_s):5.1f} s ({args.seeds} seeds x 2 scenarios, cold)")
    print(f"worlds {min(worlds_s):5.1f} - {max(worlds_s):5.1f} s ({args.worlds} worlds x 2 scenarios, cold)")
    print(f"both   {min(total):5.1f} - {max(total):5.1f} s")
    target = write_result(
        "app-worlds",
        {"seeds": args.seeds, "worlds": args.worlds, "scale": args.scale, "seeds_s": seeds_s, "worlds_s": worlds_s},
    )
    print(f"written to {target}")


if __name__ == "__main__":
    main()
