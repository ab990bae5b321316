"""Outputs by group (single adults, family-unit members, unaccompanied children): a comparison's and a run's."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.by_group import OUTCOMES, WHO, by_group, per_group_rows, run_totals
from sim.compare import HEADLINE, compare
from sim.comparison_columns import BY_GROUP, markdown_table, whole
from sim.metrics import group_metric
from sim.scenario import validate_scenario
from sim.units import GROUPS

YEARS = (2025, 2026)
SEEDS = [0, 1, 2]
# many journeys, families and children common (as in test_who_crosses), so every group has numbers in two years
COMMON = {"units": {"family": -1.0, "child": -3.0}, "aspiration": {"intercept": 0.0, "action_rate": 0.5}}
RELEASING = {"expel_adult": 0.6, "expel_family": 0.3, "release_family": 0.5, "expel_child": 0.2, "release_child": 0.7}
NO_RELEASES = {"release_adult": 0.0, "release_family": 0.0, "release_child": 0.0}


def scenario(name: str, regime: dict):
    """2025-2026 under one US border regime from its start."""
    return validate_scenario(
        {
            "name": name,
            "start": "2025-01",
            "end": "2026-12",
            "parameters": COMMON,
            "conditions": {"regime": {"condition": "us_border_regime", "start": "2025-01", **regime}},
        }
    )


@pytest.fixture(scope="module")
def result():
    scenarios = [scenario("releasing", RELEASING), scenario("no releases", NO_RELEASES)]
    return compare(scenarios, SEEDS, households_per_agent=100)


@pytest.fixture(scope="module")
def table(result):
    return by_group(result, YEARS)


def test_one_row_per_scenario_group_and_outcome_and_the_first_averts_nothing(result, table):
    assert len(table) == 2 * len(GROUPS) * len(OUTCOMES)
    assert not table.duplicated(["scenario", "group", "outcome"]).any()
    first = table[table.scenario == "releasing"]
    assert (first[["averted", "averted_low", "averted_high"]] == 0).all().all()
    assert (table.total_low <= table.total).all() and (table.total <= table.total_high).all()
    journeys = first[first.outcome == "journeys"].set_index("group").total
    assert (journeys > 0).all(), "every group sets out"


def test_the_groups_add_up_to_the_totals_every_journey_counted_once(result, table):
    summed = table.groupby(["scenario", "outcome"], sort=False)[["total", "averted"]].sum()
    totals = result.totals(HEADLINE, YEARS).set_index("scenario")
    for name in result.scenarios:
        mine = summed.loc[name]
        assert mine.loc["journeys", "total"] == pytest.approx(totals.loc[name, "total"])
        assert mine.loc["journeys", "averted"] == pytest.approx(totals.loc[name, "averted"], abs=1e-6)
        # arrivals in the US: undetected, or released into proceedings (families) or to sponsors (children)
        entered = mine.loc["arrivals", "averted"] + mine.loc["releases", "averted"]
        assert entered == pytest.approx(totals.loc[name, "arrivals_averted"], abs=1e-6)
        window = result.yearly[(result.yearly.scenario == name) & result.yearly.year.between(*YEARS)]
        encounters = window.groupby("seed").apprehended_us.sum().mean()
        assert mine.loc["encounters", "total"] == pytest.approx(encounters)
    # and within each group, every person encountered is released, expelled or removed
    wide = per_group_rows(table)
    ended = wide[["releases", "expulsions", "removals"]].sum(axis=1)
    assert ended.to_numpy() == pytest.approx(wide.encounters.to_numpy())


def test_a_scenario_that_releases_no_one_has_no_releases_in_any_group_and_averts_every_release(table):
    releases = table[table.outcome == "releases"].set_index(["scenario", "group"])
    assert (releases.loc["no releases", ["total", "total_low", "total_high"]] == 0).all().all()
    released = releases.loc["releasing"]
    assert released.loc["family", "total"] > 0 and released.loc["child", "total"] > 0
    averted = releases.loc["no releases", "averted"]
    assert averted.to_numpy() == pytest.approx(released.total.to_numpy())


def test_the_rows_people_read_write_each_group_in_words_with_its_numbers(table):
    wide = per_group_rows(table)
    assert list(wide.scenario) == ["releasing"] * 3 + ["no releases"] * 3
    assert list(wide.who) == [WHO[g] for g in GROUPS] * 2
    text = markdown_table(BY_GROUP, wide)
    row = wide.iloc[4]  # no releases: family-unit members
    assert f"| no releases | family-unit members | {whole(row.journeys)} | {whole(row.journeys_averted)} [" in text
    assert "journeys averted [90%]" in text and "removed (border)" in text


def test_a_runs_totals_by_group_are_its_yearly_sums():
    national = pd.DataFrame(
        {group_metric(o, g): [1.0 + k, 10.0 * k] for k, (o, g) in enumerate((o, g) for o in OUTCOMES for g in GROUPS)},
        index=pd.Index([2030, 2031], name="year"),
    )
    totals = run_totals(national).set_index("group")
    assert list(totals.index) == list(GROUPS) and totals.loc["child", "who"] == "unaccompanied children"
    for o in OUTCOMES:
        for g in GROUPS:
            assert totals.loc[g, o] == national[group_metric(o, g)].sum()
