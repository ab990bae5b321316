"""Humanitarian processing in Guatemala: cases replace irregular journeys, and protected members stay."""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import ScenarioError
from sim.metrics import NAMES
from sim.model import MigrationModel
from sim.runner import run
from sim.scenario import load_scenario, validate_scenario
from tests.conftest import SCENARIOS, shortened

SCALE = 400
SEEDS = range(3)


def total(result, metric, from_year=2026):
    return result.monthly.loc[result.monthly.year >= from_year, metric].sum()


@pytest.fixture(scope="module")
def runs():
    scenarios = {name: shortened(name, "2024-01", "2029-12") for name in ("baseline", "humanitarian_processing")}
    return {(name, seed): run(s, seed, households_per_agent=SCALE) for name, s in scenarios.items() for seed in SEEDS}


def test_cases_replace_irregular_journeys_and_are_counted_as_protected_departures(runs):
    for seed in SEEDS:
        base, cases = runs["baseline", seed], runs["humanitarian_processing", seed]
        assert total(base, "departures_protected", 2002) == 0
        before = cases.monthly.loc[cases.monthly.year < 2026, "departures_protected"].sum()
        assert before == 0 and total(cases, "departures_protected") > 0
    # a case is a household: its unit (an adult, a family, a child) goes, so persons are at least the cases (8,000
    # a year in full years, 20 agents at this scale: within sampling noise)
    protected_a_year = (
        np.mean([total(runs["humanitarian_processing", s], "departures_protected", 2027) for s in SEEDS]) / 3
    )
    assert 10_000 * 0.8 * 0.75 < protected_a_year < 10_000 * 0.8 * 3
    averted = [
        total(runs["baseline", s], "departures_irregular")
        - total(runs["humanitarian_processing", s], "departures_irregular")
        for s in SEEDS
    ]
    assert np.mean(averted) > 0
    assert all(runs["humanitarian_processing", s].national()["outflow"].sum() > 0 for s in SEEDS)


def test_the_lever_costs_its_cases_as_stated(runs):
    costs = runs["humanitarian_processing", 0].costs
    full_years = costs[costs.year >= 2027].groupby("year")["cost_usd"].sum()
    np.testing.assert_allclose(full_years, 10_000 * 0.8 * 10_000)


def test_protected_members_are_never_removed():
    """With voluntary return off and removal frequent, the protected stock can only grow."""
    data = load_scenario(SCENARIOS / "humanitarian_processing.yaml").resolved()
    data["parameters"] = {"returns": {"return_annual": 0.0, "removal_annual": 0.9}}
    model = MigrationModel(
        validate_scenario({**data, "start": "2026-01", "end": "2027-12"}), seed=2, households_per_agent=400
    )
    h = model.households
    removals = 0.0
    while model.running:
        before = h.protected_abroad.copy()
        model.step()
        assert (h.protected_abroad >= before).all()
        assert (h.protected_abroad <= h.members_abroad).all()
        removals += model.collector.values[model.month - 1 - model.spec.start, :, NAMES.index("removals")].sum()
    assert h.protected_abroad.sum() > 0 and removals > 0  # others were removed meanwhile


def test_run_prints_the_protected_departures_of_a_scenario_with_cases(tmp_path, capsys):
    from sim.cli import main

    args = ["run", str(SCENARIOS / "humanitarian_processing.yaml"), "--households-per-agent", "4000", "--quiet"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    header = next(line for line in capsys.readouterr().out.splitlines() if "irregular" in line)
    assert "protected" in header


def test_a_case_count_out_of_range_names_the_range():
    data = load_scenario(SCENARIOS / "humanitarian_processing.yaml").resolved()
    data["levers"]["humanitarian_processing"]["cases_per_year"] = 10**7
    with pytest.raises(ScenarioError, match="200000"):
        validate_scenario(data, source="cases.yaml")
