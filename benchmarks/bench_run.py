"""Wall time and peak memory of single runs, each in a fresh process (so peak RSS is that run's own).

Usage: python benchmarks/bench_run.py [--only NAME] [--repeat 3]
Writes benchmarks/results/run-<date>.json and prints a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from results_file import write_result

CASES = {
    # name: (scenario, start, end, households_per_agent)
    "default scale, 10 years (2026-2035)": ("scenarios/baseline.yaml", "2026-01", "2035-12", 50),
    "default scale, 2002-2035": ("scenarios/baseline.yaml", "2002-01", "2035-12", 50),
    "full scale 1:1, 2002-2035": ("scenarios/baseline.yaml", "2002-01", "2035-12", 1),
}

CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from sim.runner import run
import sim.model  # the runner imports the model (Mesa, numba) when a run starts: count it with the imports
from sim.scenario import load_scenario, validate_scenario
scenario, start, end, hpa = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
s = validate_scenario({**load_scenario(scenario).resolved(), "start": start, "end": end})
t1 = time.perf_counter()
result = run(s, 0, households_per_agent=hpa)
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "run_s": t2 - t1, "agents": result.metadata["agents"],
                  "months": s.end - s.start + 1,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run only cases whose name contains this text")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the table shows the fastest")
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    rows = []
    for name, (scenario, start, end, hpa) in CASES.items():
        if args.only and args.only not in name:
            continue
        runs = []
        for _ in range(args.repeat):
            done = subprocess.run(
                [sys.executable, "-c", CHILD, scenario, start, end, str(hpa)],
                cwd=root,
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        best = min(runs, key=lambda r: r["run_s"])
        rows.append(
            {"case": name, "households_per_agent": hpa, **best, "run_s_all": [round(r["run_s"], 2) for r in runs]}
        )
        print(
            f"{name}: {best['run_s']:.2f} s, {best['peak_rss_mib']:.0f} MiB peak ({best['agents']:,} agents)",
            flush=True,
        )
    target = write_result("run", {"results": rows})
    print("\n| case | agents | months | run time (s) | peak memory (MiB) |\n|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['case']} | {r['agents']:,} | {r['months']} | {r['run_s']:.2f} | {r['peak_rss_mib']:.0f} |")
    print(f"\nwritten to {target.relative_to(root)}")


if __name__ == "__main__":
    main()
