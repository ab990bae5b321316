"""Criminal organisations: operations weaken them, they recover, and what households face follows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.agreement_targets import KEY_ARRESTS, assess, engagement_share, first_year_met_from
from sim.crime import load_specs
from sim.metrics import department_yearly
from sim.model import MigrationModel
from sim.runner import run, run_many
from sim.scenario import load_scenario, validate_scenario
from tests.conftest import SCENARIOS

SCALE = 500
SEEDS = (0, 1)


def shortened(name: str, start: str = "2022-01", end: str = "2031-12", **levers) -> object:
    data = load_scenario(SCENARIOS / f"{name}.yaml").resolved()
    for label, settings in levers.items():
        data["levers"][label] = {**data["levers"].get(label, {}), **settings}
    return validate_scenario({**data, "start": start, "end": end}, source=f"{name} (test)")


@pytest.fixture(scope="module")
def security():
    names = ["baseline", "task_forces", "anti_smuggling", "intelligence_and_training"]
    scenarios = [shortened(n) for n in names]
    return {
        (n, s): r for s in SEEDS for n, r in zip(names, run_many(scenarios, s, households_per_agent=SCALE), strict=True)
    }


def total(result, metric, years=(2026, 2031)):
    yearly = result.national()
    return yearly.loc[years[0] : years[1], metric].sum()


def mean(result, metric, years=(2026, 2031)):
    return result.national().loc[years[0] : years[1], metric].mean()


def test_task_forces_raise_arrests_and_fees_and_lower_capacity(security):
    for s in SEEDS:
        base, forces = security["baseline", s], security["task_forces", s]
        assert total(forces, "key_arrests") > 1.5 * total(base, "key_arrests")
        assert total(forces, "member_arrests") > total(base, "member_arrests")
        assert total(forces, "seizures") > total(base, "seizures")
        assert total(forces, "seized_volume") > total(base, "seized_volume")
        assert mean(forces, "criminal_capacity") < mean(base, "criminal_capacity")
        assert mean(forces, "smuggling_fee") > mean(base, "smuggling_fee")


def test_intelligence_and_training_add_to_task_forces(security):
    for s in SEEDS:
        assert total(security["intelligence_and_training", s], "key_arrests") > total(
            security["task_forces", s], "key_arrests"
        )


def test_route_operations_raise_fees_and_risk_and_lower_irregular_departures(security):
    departures = [
        sum(total(security[n, s], "departures_irregular") for s in SEEDS) for n in ("baseline", "anti_smuggling")
    ]
    assert departures[1] < departures[0]
    # the death risk a journey carries (deaths themselves are too rare to compare at this scale)
    risk = []
    for name in ("baseline", "anti_smuggling"):
        model = MigrationModel(shortened(name, "2025-01", "2028-12"), seed=0, households_per_agent=5000)
        while model.month < model.spec.start + 30:
            model.step()
        env, _ = model.environment()
        model.underworld.shape(env, model.params)
        risk.append(env.p_death)
    assert np.mean(risk[1]) > 1.02 * np.mean(risk[0])
    for s in SEEDS:
        assert mean(security["anti_smuggling", s], "smuggling_fee") > mean(security["baseline", s], "smuggling_fee")


def test_department_tables_average_rates_and_sum_flows(security):
    """Rates (fees, homicide, victimisation) are levels: a department's year is their mean, never their sum."""
    result = security["task_forces", 0]
    monthly = result.monthly[result.monthly.year == 2027]
    yearly = department_yearly(result.monthly).set_index(["year", "department"]).loc[2027]
    by_dept = monthly.groupby("department", observed=True)
    for rate in ("smuggling_fee", "homicide_rate", "victimisation_rate", "criminal_capacity"):
        np.testing.assert_allclose(yearly[rate], by_dept[rate].mean())
    for flow in ("departures_irregular", "key_arrests", "seized_volume"):
        np.testing.assert_allclose(yearly[flow], by_dept[flow].sum())
    np.testing.assert_allclose(yearly["households"], by_dept["households"].last())
    national = result.national().loc[2027]
    assert yearly["victimisation_rate"].min() <= national["victimisation_rate"] <= yearly["victimisation_rate"].max()
    assert 0 < national["victimisation_rate"] < 100
    sizes = [spec.shipment_size for spec in load_specs() if spec.kind == "trafficking"]
    assert min(sizes) * national["seizures"] <= national["seized_volume"] <= max(sizes) * national["seizures"]


def capacity_path(scenario, seed=3):
    result = run(scenario, seed, households_per_agent=20000)
    return result.national()["criminal_capacity"]


def test_a_one_off_crackdown_fades_unless_capacity_is_built():
    crackdown = {"start": "2026-01", "end": "2026-06", "ramp_months": 0, "operations_per_year": 3000}
    alone = capacity_path(shortened("task_forces", "2024-01", "2031-12", joint_task_forces=crackdown))
    trained = capacity_path(
        shortened(
            "intelligence_and_training",
            "2024-01",
            "2031-12",
            joint_task_forces=crackdown,
            capacity_building={"officers_per_year": 20000},
        )
    )
    baseline = capacity_path(shortened("baseline", "2024-01", "2031-12"))
    assert alone[2026] < baseline[2026] - 0.05, "the crackdown weakens the organisations"
    assert abs(alone[2030] - baseline[2030]) < 0.5 * (baseline[2026] - alone[2026]), "and they recover"
    assert trained[2030] < alone[2030], "capacity building slows the recovery"


def test_organisation_members_are_conserved():
    model = MigrationModel(
        shortened("intelligence_and_training", "2025-06", "2027-12"), seed=2, households_per_agent=20000
    )
    specs = load_specs()
    start = [(org.state.leaders, org.state.members) for org in model.underworld.organisations]
    while model.running:
        model.step()
        for org, spec, (leaders, members) in zip(model.underworld.organisations, specs, start, strict=True):
            s = org.state
            assert s.leaders == leaders - s.arrested_leaders + s.successions
            assert s.members == members - s.arrested_members + s.recruited
            assert 0 <= s.leaders <= spec.leaders and 0 <= s.members <= spec.members
    assert sum(org.state.arrested_leaders for org in model.underworld.organisations) > 0


def test_crime_is_deterministic_and_draws_are_the_organisations_own():
    a = run(shortened("task_forces", "2025-01", "2027-12"), 9, households_per_agent=5000).monthly
    b = run(shortened("task_forces", "2025-01", "2027-12"), 9, households_per_agent=5000).monthly
    pd.testing.assert_frame_equal(a, b)
    c = run(shortened("task_forces", "2025-01", "2027-12"), 10, households_per_agent=5000).monthly
    assert not a.key_arrests.equals(c.key_arrests)


def test_prevention_programs_lower_recruitment():
    base, programs = run_many([shortened("baseline"), shortened("community_programs")], 0, households_per_agent=SCALE)
    assert total(programs, "recruits") < total(base, "recruits")


def test_targets_are_read_from_the_model_not_constants():
    base = run(shortened("baseline"), 0, households_per_agent=SCALE).national()
    hard = run(
        validate_scenario({**shortened("baseline").resolved(), "parameters": {"crime": {"leader_arrest": 0.03}}}),
        0,
        households_per_agent=SCALE,
    ).national()
    reference = engagement_share(base)
    low, high = assess(base, (2026, 2031), reference), assess(hard, (2026, 2031), reference)
    assert high["key_arrests_per_year"] > low["key_arrests_per_year"]
    assert low["key_arrests_per_year"] == pytest.approx(base.loc[2026:2031, "key_arrests"].mean())
    assert low["engagement_change"] == pytest.approx(0) and low["engagement_met_from"] is None


def test_met_from_is_the_first_year_the_target_holds_for_good():
    met = pd.Series([False, True, False, True, True], index=range(2026, 2031))
    assert first_year_met_from(met) == 2029
    assert first_year_met_from(pd.Series([False, False], index=[2026, 2027])) is None
    yearly = pd.DataFrame(
        {
            "key_arrests": [KEY_ARRESTS] * 3,
            "seizures": [10, 14, 17],
            "engaged_households": [5, 5, 7],
            "households": [100, 100, 100],
        },
        index=[2026, 2027, 2028],
    )
    result = assess(yearly, (2026, 2028), pd.Series(0.05, index=yearly.index))
    assert result["key_arrests_met_from"] == 2026 and result["engagement_met_from"] == 2028
    assert np.isclose(result["seizure_growth_per_year"], np.mean([0.4, 17 / 14 - 1]))
    assert result["seizure_growth_years_met"] == 1 and result["years"] == 3  # 2026 has no year before it here
    assert result["seizure_growth_met_from"] is None
