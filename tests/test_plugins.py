"""Rules chosen and weighted by a scenario; third-party rules by dotted path, with both forms or only one."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from sim.errors import ScenarioError
from sim.runner import run, run_many
from sim.scenario import validate_scenario
from tests.conftest import step_with_reference

WINDOW = {"start": "2024-01", "end": "2026-12"}


def scenario(rules=None, **extra):
    return validate_scenario({"name": "plugin test", **WINDOW, "rules": rules or {}, **extra})


def test_a_built_in_rule_can_be_weighted_or_switched_off():
    base, no_network, doubled = run_many(
        [scenario(), scenario({"network": {"weight": 0}}), scenario({"network": {"weight": 2}})],
        2,
        households_per_agent=2000,
    )
    aspiring = [r.monthly.aspiring.sum() for r in (base, no_network, doubled)]
    assert aspiring[1] < aspiring[0] < aspiring[2]


def test_rule_choices_are_validated():
    with pytest.raises(ScenarioError, match="did you mean 'network'"):
        scenario({"netwrok": {"weight": 1}})
    with pytest.raises(ScenarioError, match="parameters.network"):
        scenario({"network": {"params": {"ties": 2}}})
    with pytest.raises(ScenarioError, match="is out of range"):
        scenario({"network": {"weight": 11}})
    with pytest.raises(ScenarioError, match="is not a migsim rule"):
        scenario({"x": {"rule": "tests.plugin_rules:AnxietyParams"}})
    with pytest.raises(ScenarioError, match="per_member_abroad"):
        scenario({"anxiety": {"rule": "tests.plugin_rules:Anxiety", "params": {"per_member_abrod": 1}}})


def test_a_third_party_rule_runs_between_the_halves_of_the_step_and_matches_the_reference():
    chosen = scenario({"anxiety": {"rule": "tests.plugin_rules:Anxiety", "params": {"per_member_abroad": 1.5}}})
    fast, slow = step_with_reference(chosen, 4, 2000)
    np.testing.assert_allclose(fast.collector.values, slow.collector.values, rtol=1e-5, atol=1e-6)
    plain = run(scenario(), 4, households_per_agent=2000).monthly
    anxious = run(chosen, 4, households_per_agent=2000).monthly
    assert anxious.aspiring.sum() > plain.aspiring.sum()


def test_a_per_household_only_rule_gives_the_same_numbers_and_a_warning(caplog):
    both = scenario({"anxiety": {"rule": "tests.plugin_rules:Anxiety"}})
    only_one = scenario({"anxiety": {"rule": "tests.plugin_rules:SlowAnxiety"}})
    with caplog.at_level(logging.WARNING, logger="sim.ruleset"):
        slow = run(only_one, 5, households_per_agent=5000).monthly
    assert "only a per-household form" in caplog.text
    fast = run(both, 5, households_per_agent=5000).monthly
    pd.testing.assert_frame_equal(fast, slow)


def test_a_capability_rule_adds_to_what_households_can_pay():
    loans = scenario({"church": {"rule": "tests.plugin_rules:LoanFromChurch"}})
    plain, helped = run_many([scenario(), loans], 6, households_per_agent=2000)
    assert helped.monthly.departures_irregular.sum() > plain.monthly.departures_irregular.sum()


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("Aspirational", "kind must be one of 'aspiration', 'capability', got 'aspirational'"),
        ("WrongSignature", "vectorised must take (self, h, env)"),
        ("PlainParams", "Params must subclass sim.rules.RuleParams"),
    ],
)
def test_a_badly_defined_rule_is_refused_when_the_scenario_is_checked(rule, words):
    with pytest.raises(ScenarioError) as caught:
        scenario({"mine": {"rule": f"tests.plugin_rules:{rule}"}})
    assert words in str(caught.value) and f"tests.plugin_rules.{rule}" in str(caught.value)


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("ForgotReturn", "must return one number per household, shape (819,); got None"),
        ("PerDepartment", "got shape (22,)"),
        ("SomeNaN", "not finite numbers"),
        ("Crashes", "vectorised failed with AttributeError"),
    ],
)
def test_a_rule_that_breaks_its_contract_stops_the_run_naming_it(rule, words):
    from sim.errors import RuleError

    with pytest.raises(RuleError) as caught:
        run(scenario({"mine": {"rule": f"tests.plugin_rules:{rule}"}}), 0, households_per_agent=4000)
    assert words in str(caught.value) and "rule 'mine' (tests.plugin_rules." in str(caught.value)


def test_a_plugin_that_fails_to_import_is_one_line(tmp_path, monkeypatch):
    (tmp_path / "broken_rule.py").write_text("def oops(:\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ScenarioError, match=r"cannot load rule 'broken_rule:Rule': SyntaxError"):
        scenario({"mine": {"rule": "broken_rule:Rule"}})


def test_forms_written_as_static_methods_are_accepted():
    chosen = scenario({"mine": {"rule": "tests.plugin_rules:StaticForms"}})
    assert [label for label, _ in chosen.rules] == ["mine"]
