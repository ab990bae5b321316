"""Fingerprints of a set of runs' tables, to check that a change to the step leaves every number as it was.

Usage: python benchmarks/check_identical.py --out before.json           (on the code before the change)
       python benchmarks/check_identical.py --against before.json       (after it: lists any table that differs)
Runs eight scenarios (the plugin example's among them, so third-party rules take the step's two-halves path)
for seeds 0 and 1 over 2002-2035 at the default scale, and keeps a SHA-256 of every column of the monthly,
programs and costs tables. A refactoring that should not change results must leave them all the same.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = [
    *(
        ROOT / "scenarios" / f"{name}.yaml"
        for name in (
            "baseline",
            "agreement_package",
            "enforcement_only",
            "root_causes",
            "drought_shock",
            "microfinance",
            "legal_pathways",
        )
    ),
    ROOT / "examples" / "migsim-deprivation" / "scenarios" / "deprivation.yaml",
]
SEEDS = (0, 1)


def fingerprint(table: pd.DataFrame) -> dict[str, str]:
    """A SHA-256 of each column's values (numbers as their bytes, anything else as text)."""
    out = {}
    for name in table.columns:
        values = table[name].to_numpy()
        data = values.tobytes() if values.dtype.kind in "biuf" else "\n".join(map(str, values)).encode()
        out[name] = hashlib.sha256(data).hexdigest()
    return out


def fingerprints() -> dict[str, dict[str, dict[str, str]]]:
    from sim.runner import run
    from sim.scenario import load_scenario, validate_scenario

    out = {}
    for path in SCENARIOS:
        scenario = load_scenario(path)
        scenario = validate_scenario({**scenario.resolved(), "start": "2002-01", "end": "2035-12"}, source=str(path))
        for seed in SEEDS:
            result = run(scenario, seed)
            out[f"{path.stem}/{seed}"] = {
                name: fingerprint(getattr(result, name)) for name in ("monthly", "programs", "costs")
            }
            print(f"{path.stem} seed {seed}: {np.sum(result.monthly['departures_irregular']):,.0f} departures")
    return out


def differences(before: dict, after: dict) -> list[str]:
    """Each run, table and column whose fingerprint changed (or is only on one side)."""
    found = []
    for run in sorted(before.keys() | after.keys()):
        for table in ("monthly", "programs", "costs"):
            old, new = before.get(run, {}).get(table, {}), after.get(run, {}).get(table, {})
            found += [
                f"{run} {table}.{column}"
                for column in sorted(old.keys() | new.keys())
                if old.get(column) != new.get(column)
            ]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the fingerprints to this JSON file")
    parser.add_argument("--against", type=Path, help="compare with the fingerprints in this JSON file")
    args = parser.parse_args()
    if args.against is not None and not args.against.is_file():
        sys.exit(f"error: {args.against} not found")
    found = fingerprints()
    if args.out:
        args.out.write_text(json.dumps(found, indent=1, sort_keys=True))
    if args.against:
        changed = differences(json.loads(args.against.read_text()), found)
        print("\n".join(changed) or f"all {len(found)} runs identical")
        sys.exit(1 if changed else 0)


if __name__ == "__main__":
    main()
