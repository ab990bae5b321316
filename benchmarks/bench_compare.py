"""The default comparison (`make demo`: four scenarios x 10 seeds at default scale), cold and cached, and its floor.

Usage: python benchmarks/bench_compare.py [--seeds 10] [--worlds 0] [--repeat 2] [--avx2]
`--worlds 10` times `make demo` as it runs now (its seeds, then 10 plausible worlds); the default 0 times the seeds
alone, as the earlier records did. Cold is `migsim compare` on an empty cache folder, so every past and every run is simulated; cached is the same
command again on that folder. The floor is what the compiled step alone costs: one seed's passes timed on one
core, in this process, times the seeds, over the cores. `--avx2` compiles the step for a Haswell-class processor
(AVX2, no AVX-512, as most laptops), so a machine with AVX-512 can say what such a laptop would do. Writes
benchmarks/results/compare-<date>.json (compare-avx2-<date>.json).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results_file import compiled_for_avx2, restart_for_avx2, write_result

ROOT = Path(__file__).resolve().parent.parent
PASSES = ("count_pass", "enrol_pass", "main_pass", "leave_pass")  # the compiled passes of sim/kernel.py


def wall(seeds: int, cache: str, out: str, scale: float = 50, worlds: int = 0) -> float:
    """Seconds for `migsim compare` (the default scenarios) in a fresh process, `cache` as its cache folder."""
    command = [sys.executable, "-m", "sim.cli", "compare", "--seeds", str(seeds), "--quiet", "--out", out]
    command += ["--worlds", str(worlds)]
    command += ["--households-per-agent", str(scale)]
    began = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env={**os.environ, "MIGSIM_CACHE": cache}, check=True, capture_output=True)
    return time.perf_counter() - began


def one_seed_on_one_core() -> dict[str, float]:
    """Seconds of each compiled pass, and of everything, for seed 0's past and four runs, single-threaded."""
    os.environ["MIGSIM_CACHE"] = "off"
    from sim import kernel
    from sim.cli.scenario_files import DEFAULT_COMPARISON
    from sim.compare import posterior_draws_for, seed_tables
    from sim.scenario import load_scenario

    spent = {}
    for name in PASSES:
        compiled = getattr(kernel, name)

        def timed(*args, _compiled=compiled, _name=name):
            began = time.perf_counter()
            try:
                return _compiled(*args)
            finally:
                spent[_name] = spent.get(_name, 0.0) + time.perf_counter() - began

        setattr(kernel, name, timed)
    scenarios = [load_scenario(ROOT / "scenarios" / name) for name in DEFAULT_COMPARISON]
    draw = posterior_draws_for([0])[0]
    seed_tables(scenarios[:1], 1, 1000.0, threads=1, draw=draw)  # compile and load once
    spent.clear()
    began = time.perf_counter()
    seed_tables(scenarios, 0, 50.0, threads=1, draw=draw)
    spent["total"] = time.perf_counter() - began
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--worlds", type=int, default=0, help="plausible worlds besides the seeds (make demo: 10)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--avx2", action="store_true", help="compile the step for AVX2 (no AVX-512)")
    args = parser.parse_args()
    if args.avx2:
        restart_for_avx2()
    cold, cached = [], []
    with tempfile.TemporaryDirectory() as scratch:  # compiled once for this target before anything is timed
        wall(2, f"{scratch}/cache", f"{scratch}/out", scale=2000)
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as scratch:
            cold.append(wall(args.seeds, f"{scratch}/cache", f"{scratch}/out", worlds=args.worlds))
            cached.append(wall(args.seeds, f"{scratch}/cache", f"{scratch}/out", worlds=args.worlds))
    seed = one_seed_on_one_core()
    compiled = sum(seed[name] for name in PASSES)
    cores = os.cpu_count() or 1
    floor = compiled * args.seeds / cores
    worlds = f" and {args.worlds} worlds" if args.worlds else ""
    print(f"cold   {min(cold):6.1f} - {max(cold):6.1f} s  ({args.seeds} seeds{worlds} x 4 scenarios, empty cache)")
    print(f"cached {min(cached):6.1f} - {max(cached):6.1f} s")
    print(
        f"one seed on one core: {seed['total']:.2f} s, of which compiled passes {compiled:.2f} s "
        f"(main {seed['main_pass']:.2f}, leaving {seed['leave_pass']:.2f}, counting {seed['count_pass']:.2f}, "
        f"enrolling {seed['enrol_pass']:.2f})"
    )
    print(f"floor set by the compiled passes alone on {cores} cores: {floor:.1f} s")
    target = write_result(
        "compare-avx2" if compiled_for_avx2() else "compare",
        {
            "seeds": args.seeds,
            "worlds": args.worlds,
            "cold_s": cold,
            "cached_s": cached,
            "one_seed_one_core_s": seed,
            "compiled_floor_s": floor,
        },
    )
    print(f"written to {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
