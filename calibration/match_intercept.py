"""Match the aspiration intercept to the census: 5.95% of households had a member abroad in 2018.

The census 2018 asked each household whether anyone had left to live abroad since 2002 and not come
back (194,979 of 3,275,931 households, ``sim/data/departments.csv``). This script finds the intercept
at which the model, started in January 2002, reproduces that national share in July 2018 (the census
ran 23 July - 16 August), averaging over seeds with common random numbers (a root of a monotone
function: ``scipy.optimize.brentq``). Every other parameter keeps its value in ``parameters.yaml``.
This is a one-parameter stand-in until the full calibration (method of simulated moments) exists.

Usage: ``python calibration/match_intercept.py [--seeds 3] [--write]``
"""

from __future__ import annotations

import argparse
import re
from importlib import resources

import numpy as np
from scipy.optimize import brentq

from sim.calendar import parse_month
from sim.departments import load_departments
from sim.metrics import NAMES
from sim.model import MigrationModel
from sim.scenario import validate_scenario

CENSUS_MONTH = "2018-07"


def emigrant_share(intercept: float, seeds: list[int], households_per_agent: float) -> float:
    """Model share of households with a member abroad in July 2018, averaged over seeds."""
    scenario = validate_scenario(
        {
            "name": "census replay",
            "start": "2002-01",
            "end": CENSUS_MONTH,
            "parameters": {"aspiration": {"intercept": intercept}},
        }
    )
    shares = []
    for seed in seeds:
        model = MigrationModel(scenario, seed=seed, households_per_agent=households_per_agent)
        while model.running:
            model.step()
        last = model.collector.values[parse_month(CENSUS_MONTH) - scenario.start]
        shares.append(last[:, NAMES.index("emigrant_households")].sum() / model.departments.households.sum())
    return float(np.mean(shares))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="seeds to average over (default 3)")
    parser.add_argument("--households-per-agent", type=float, default=50)
    parser.add_argument("--write", action="store_true", help="write the intercept into sim/data/parameters.yaml")
    args = parser.parse_args()
    departments = load_departments()
    target = departments.emigrant_household_share @ departments.households / departments.households.sum()
    seeds = list(range(args.seeds))
    intercept = brentq(lambda b: emigrant_share(b, seeds, args.households_per_agent) - target, -12, 2, xtol=0.005)
    print(
        f"target {target:.4%}; intercept {intercept:.3f} gives {emigrant_share(intercept, seeds, args.households_per_agent):.4%}"
    )
    if args.write:
        path = resources.files("sim.data").joinpath("parameters.yaml")
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"(intercept:\n    value: )[-0-9.]+", rf"\g<1>{intercept:.3f}", text, count=1)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
