"""Compiled step against the per-agent Mesa reference, side by side on the same population and draws.

Usage: python benchmarks/bench_reference.py [--households-per-agent 160] [--months 24]
Prints the time of each and the speed-up, checks that their monthly results agree, and writes
benchmarks/results/reference-<date>.json.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from results_file import write_result

from sim.calendar import format_month, parse_month
from sim.model import MigrationModel
from sim.reference_model import ReferenceModel
from sim.scenario import load_scenario, validate_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households-per-agent", type=float, default=160, help="160: about 20,000 households")
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--scenario", default="scenarios/job_programs.yaml")
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    data = load_scenario(root / args.scenario).resolved()
    start = parse_month("2025-01")
    scenario = validate_scenario({**data, "start": format_month(start), "end": format_month(start + args.months - 1)})
    MigrationModel(scenario, 0, 20000).step()  # load the compiled step before timing
    timings = {}
    models = {}
    for name, cls in (("compiled", MigrationModel), ("per-agent Mesa reference", ReferenceModel)):
        model = cls(scenario, seed=1, households_per_agent=args.households_per_agent)
        began = time.perf_counter()
        while model.running:
            model.step()
        timings[name] = time.perf_counter() - began
        models[name] = model
    fast, slow = models["compiled"], models["per-agent Mesa reference"]
    agree = bool(np.allclose(fast.collector.values, slow.collector.values, rtol=1e-5, atol=1e-6))
    speedup = timings["per-agent Mesa reference"] / timings["compiled"]
    households = fast.households.n
    print(f"{households:,} households, {args.months} months ({args.scenario})")
    for name, seconds in timings.items():
        print(
            f"  {name:26s} {seconds:8.3f} s  ({seconds / households / args.months * 1e9:,.0f} ns per household-month)"
        )
    print(f"  speed-up {speedup:,.0f}x; monthly results agree: {agree}")
    payload = {
        "households": households,
        "months": args.months,
        "scenario": args.scenario,
        "seconds": timings,
        "speedup": speedup,
        "results_agree": agree,
    }
    target = write_result("reference", payload)
    print(f"written to {target.relative_to(root)}")


if __name__ == "__main__":
    main()
