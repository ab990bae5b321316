"""The plugin keeps migsim's contracts and changes the model's answer as intended."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from migsim_deprivation import RelativeDeprivation, SavingsGroups

from sim.contracts import check_lever, check_rule
from sim.runner import run_many
from sim.scenario import load_scenario, validate_scenario

HERE = Path(__file__).resolve().parent.parent


def test_contracts():
    check_rule(RelativeDeprivation)
    check_lever(SavingsGroups, SavingsGroups.example)


def test_found_by_name_through_the_entry_points():
    scenario = load_scenario(HERE / "scenarios" / "savings_groups.yaml")
    assert [label for label, _ in scenario.rules] == ["relative_deprivation"]
    assert scenario.lever_labels() == ["savings_groups"]


def test_relative_deprivation_raises_aspiration_and_departures():
    with_rule = load_scenario(HERE / "scenarios" / "deprivation.yaml").resolved()
    without = {**with_rule, "rules": {}}
    window = {"start": "2018-01", "end": "2027-12"}
    scenarios = [
        validate_scenario({**without, **window, "name": "without"}),
        validate_scenario({**with_rule, **window, "name": "with"}),
    ]
    base, deprived = run_many(scenarios, 1, households_per_agent=500)
    assert deprived.monthly.aspiring.sum() > 1.05 * base.monthly.aspiring.sum()
    assert deprived.monthly.departures_irregular.sum() > base.monthly.departures_irregular.sum()
    assert np.isfinite(deprived.monthly.departures_irregular).all()
