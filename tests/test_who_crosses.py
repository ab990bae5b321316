"""Who goes (adults, family units, children) and what the US border regime does with them, by group."""

from __future__ import annotations

import numpy as np
import pytest

from sim.features import ties
from sim.levers.border_enforcement import AGENTS_PER_BILLION_USD
from sim.metrics import NAMES
from sim.model import MigrationModel
from sim.parameters import default_parameters
from sim.scenario import validate_scenario as scenario_from_dict
from sim.units import GROUPS
from tests.conftest import step_with_reference

WHAT = ("journeys", "encounters", "arrivals", "removals", "expulsions", "releases")
# many journeys, families and children common, so every path of the mechanism is taken often in a short run
COMMON = {"units": {"family": -1.0, "child": -3.0}, "aspiration": {"intercept": 0.0, "action_rate": 0.5}}
NO_DEATHS = {"journey": {"p_death": 0.0}}


def scenario(name: str, regime: dict | None = None, parameters: dict | None = None, levers: dict | None = None):
    """A 2025-2026 scenario with one US border regime from its start (none: the defaults)."""
    data = {"name": name, "start": "2025-01", "end": "2026-12", "parameters": {**COMMON, **(parameters or {})}}
    if regime is not None:
        data["conditions"] = {"regime": {"condition": "us_border_regime", "start": "2025-01", **regime}}
    if levers:
        data["levers"] = levers
    return scenario_from_dict(data)


def national(model: MigrationModel, name: str) -> float:
    return float(model.collector.values[:, :, NAMES.index(name)].sum())


def finished(scenario_, seed: int = 0, households_per_agent: float = 100) -> MigrationModel:
    model = MigrationModel(scenario_, seed=seed, households_per_agent=households_per_agent)
    while model.running:
        model.step()
    return model


MIXED = {"expel_adult": 0.6, "expel_family": 0.3, "release_family": 0.5, "expel_child": 0.2}


def test_every_person_who_leaves_is_counted_once_in_one_group():
    model = finished(scenario("mixed", MIXED, NO_DEATHS))
    total = {what: sum(national(model, f"{what}_{g}") for g in GROUPS) for what in WHAT}
    assert national(model, "departures_irregular") == pytest.approx(total["journeys"])
    assert national(model, "apprehended_us") == pytest.approx(total["encounters"])
    assert national(model, "arrivals") == pytest.approx(total["arrivals"] + total["releases"])
    for g in GROUPS:
        encountered = sum(national(model, f"{what}_{g}") for what in ("expulsions", "releases", "removals"))
        assert national(model, f"encounters_{g}") == pytest.approx(encountered), g
        assert national(model, f"journeys_{g}") > 0, g
    # without deaths, every person who set out was stopped in Mexico, encountered, or arrived undetected
    ended = national(model, "apprehended_mexico") + total["encounters"] + total["arrivals"]
    assert total["journeys"] == pytest.approx(ended)
    h = model.households
    assert (h.minors >= 0).all() and (h.minors_abroad >= 0).all() and (h.minors_abroad <= h.members_abroad).all()
    assert (h.members_home.astype(int) + h.members_abroad + h.legal_abroad + h.dead == h.size).all()
    assert ((h.unit == 1) & (h.minors_abroad > 0)).any(), "some families left together with their children"


def test_family_members_travel_together_and_children_go_alone():
    model = finished(scenario("mixed", MIXED, NO_DEATHS))
    families = national(model, "journeys_family")
    assert families > 2 * national(model, "journeys_adult") * 0.01  # families are not rare here
    # a family unit is a parent and at least one child: at least two people per unit
    h = model.households
    went_as_family = h.unit == 1
    assert (h.minors[went_as_family] + h.minors_abroad[went_as_family] >= 1).all()
    # a child alone leaves only where kin are abroad to receive them
    went_alone = (h.unit == 2) & (h.attempts > 0)
    assert (ties(h)[went_alone] > 0).all()


def test_the_compiled_step_matches_the_per_agent_reference_for_every_group():
    parameters = {**COMMON, "border": {"asylum_months": 3, "denied_removed": 0.9}}
    regime = {"surrender_adult": 0.3, "release_adult": 0.2, "surrender_child": 0.3, "release_child": 0.6, **MIXED}
    data = {
        "name": "reference",
        "start": "2025-01",
        "end": "2026-06",
        "parameters": parameters,
        "conditions": {"regime": {"condition": "us_border_regime", "start": "2025-01", **regime}},
    }
    fast, slow = step_with_reference(scenario_from_dict(data), 5, 400)
    np.testing.assert_allclose(fast.collector.values, slow.collector.values, rtol=1e-5)
    agents = sorted(slow.households, key=lambda a: a.row)
    columns = ("members_home", "members_abroad", "minors", "minors_abroad", "unit", "expelled", "asylum_month")
    for column in (*columns, "asylum_adults", "asylum_minors", "deportations", "attempts_left", "dead"):
        np.testing.assert_array_equal(fast.households.columns[column], [getattr(a, column) for a in agents], column)
    for what in WHAT:
        for g in GROUPS:
            assert national(fast, f"{what}_{g}") > 0, (what, g)
    assert national(fast, "removals") > 0


def test_releasing_families_raises_family_departures():
    released = finished(scenario("released", {"release_family": 0.9, "surrender_family": 0.9}))
    detained = finished(scenario("detained", {"release_family": 0.0, "surrender_family": 0.9}))
    assert national(released, "journeys_family") > 1.5 * national(detained, "journeys_family")
    assert national(released, "releases_family") > 0 == national(detained, "releases_family")


def test_title_42_raises_encounters_per_person_through_reattempts():
    def per_person(model):
        h = model.households
        people = np.count_nonzero((h.attempts > 0) & (h.unit == 0))  # households that sent an adult alone
        return national(model, "encounters_adult") / people

    title_42 = finished(scenario("title 42", {"expel_adult": 0.97}, NO_DEATHS))
    title_8 = finished(scenario("title 8", {"expel_adult": 0.0}, NO_DEATHS))
    assert national(title_42, "expulsions_adult") > 0 == national(title_8, "expulsions_adult")
    # removed adults try again too (the calibrated 0.51 a month while the fee covers it); expelled ones sooner,
    # without using up an attempt
    assert per_person(title_42) > 1.1 * per_person(title_8)


def test_enforcement_dollars_catch_more_evaders_as_staffing_does_and_leave_surrender_alone():
    # no stops in Mexico or deaths: every family reaches the border and surrenders, every adult tries to evade
    parameters = {"journey": {"p_death": 0.0, "p_mexico": 0.0, "p_us": 0.4}}
    regime = {"surrender_family": 1.0, "surrender_adult": 0.0}
    enforcement = {"border_enforcement": {"start": "2025-01", "cost_usd_per_year": 3e9}}
    plain = finished(scenario("plain", regime, parameters))
    enforced = finished(scenario("enforced", regime, parameters, enforcement))
    for model in (plain, enforced):
        assert national(model, "encounters_family") == national(model, "journeys_family") > 0
        assert national(model, "arrivals_family") == 0  # surrendering families are encountered, never evade

    def caught(model):
        return national(model, "encounters_adult") / national(model, "journeys_adult")

    # US$3 billion a year buys 17,502 agents on FY2019's 16,731: p_us x (34,233 / 16,731) ** 0.5 = x 1.43
    staffing = 1 + 3 * AGENTS_PER_BILLION_USD / 16_731
    assert caught(enforced) / caught(plain) == pytest.approx(
        staffing ** default_parameters().journey.staffing_elasticity, abs=0.08
    )
