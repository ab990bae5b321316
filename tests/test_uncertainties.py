"""Plausible ranges for every assumed number, and worlds that apply them: checked, named, honest at the default."""

from __future__ import annotations

import math

import pytest

from sim.cli import main
from sim.errors import ScenarioError
from sim.levers import LEVERS
from sim.model import MigrationModel
from sim.parameters import default_parameters, plausible_ranges, read_plausible, section_schemas
from sim.provenance import parameter_status
from sim.runner import run, run_many
from sim.scenario import validate_scenario
from sim.schema import field_range
from sim.uncertainties import KINDS, apply, uncertainties
from tests.conftest import SCENARIOS, shortened

SCALE = 1000


def test_every_assumed_parameter_has_a_plausible_range_and_no_calibrated_one_does():
    params, ranges = default_parameters(), plausible_ranges()
    for section, schema in section_schemas().items():
        for key, info in schema.model_fields.items():
            status, name = parameter_status(params.sources[section][key]), f"{section}.{key}"
            assert (name in ranges) != (status == "calibrated") or status == "from data", name
            if name in ranges:
                r = ranges[name]
                low, high = field_range(info)
                assert low <= r.low <= getattr(params[section], key) <= r.high <= high and r.why, name
    assert "legal.slots_per_year" in ranges  # from data, with doubt about recent years: decided to carry a range


def test_uncertainties_are_named_once_with_their_default_inside_the_range():
    found = uncertainties()
    names = [u.name for u in found]
    assert len(names) == len(set(names)) and names == [u.name for u in uncertainties()]  # stable order
    for u in found:
        assert u.kind in KINDS and u.low <= u.default <= u.high and u.why.strip(), u.name
    assert {"journey.fee_enforcement_elasticity", "lever.border_enforcement.effect_scale"} <= set(names)
    assert "journey.p_us" not in names  # calibrated: the posterior is its uncertainty
    every_cost = {
        f"lever.{name}.cost_scale"
        for name, lever in LEVERS.items()
        if any(key.startswith("cost_usd") and key not in lever.budgets for key in lever.Config.model_fields)
    }
    assert every_cost <= set(names)


def test_every_lever_cost_setting_is_declared_a_unit_cost_or_a_budget():
    """A new cost field that no world scales would make the cost uncertainty silently partial.

    A budget is spent as stated; the uncertainty is in what it buys, so the lever scales that as its effect.
    """
    for name, lever in LEVERS.items():
        costs = {key for key in lever.Config.model_fields if key.startswith("cost_usd")}
        declared = {key for scale in lever.uncertain if scale.kind == "cost" for key in scale.settings}
        assert costs == declared | set(lever.budgets) and not declared & set(lever.budgets), name
        if lever.budgets:
            assert any(scale.kind == "effect" for scale in lever.uncertain), name


def test_a_lever_declaring_a_bad_factor_is_named(monkeypatch):
    from sim.levers.base import cost_scale, effect_scale
    from sim.levers.border_enforcement import BorderEnforcement

    monkeypatch.setattr(BorderEnforcement, "uncertain", (effect_scale({"technology_multiplier": 1}, 1.1, 2, "x"),))
    with pytest.raises(ValueError, match=r"lever.border_enforcement.effect_scale: .* must contain 1"):
        uncertainties()
    monkeypatch.setattr(BorderEnforcement, "uncertain", (cost_scale(("cost_usd_per_yer",), 0.5, 2, "x"),))
    with pytest.raises(ValueError, match=r"lever.border_enforcement.cost_scale: no setting cost_usd_per_yer"):
        uncertainties()


ENTRY = """journey:
  p_death:
    value: 0.002
    source: "{source}"
{extra}"""


@pytest.mark.parametrize(
    ("source", "extra", "words"),
    [
        ("assumed", "    plausible: [0.01, 0.001]\n    plausible_source: judgement\n", "low is above high"),
        (
            "assumed",
            "    plausible: [0.0, 0.5]\n    plausible_source: judgement\n",
            "outside the allowed range 0 to 0.2",
        ),
        (
            "assumed",
            "    plausible: [0.01, 0.1]\n    plausible_source: judgement\n",
            "does not contain the value 0.002",
        ),
        ("assumed", "    plausible: [0.001, 0.01]\n", "needs plausible_source"),
        ("assumed", "    plausible: [0.001, 0.01]\n    plausible_source: ' '\n", "needs plausible_source"),
        ("assumed", "", "an assumed value needs a plausible range"),
        (
            "calibrated: test",
            "    plausible: [0.001, 0.01]\n    plausible_source: x\n",
            "its uncertainty is the posterior",
        ),
        ("assumed", "    plausible: 0.01\n    plausible_source: judgement\n", "must be [low, high], two numbers"),
        ("assumed", "    plausible: [0.001, true]\n    plausible_source: judgement\n", "two numbers"),
        ("assumed", "    plausible: [0.001, .nan]\n    plausible_source: judgement\n", "two numbers"),
        ("assumed", "    plausable: [0.001, 0.01]\n", "did you mean 'plausible'?"),
        ("from data", "    plausible_source: judgement\n", "plausible_source without plausible"),
    ],
)
def test_a_bad_plausible_range_is_one_line_naming_the_parameter(source, extra, words):
    with pytest.raises(ScenarioError) as caught:
        read_plausible(ENTRY.format(source=source, extra=extra))
    message = str(caught.value)
    assert "\n" not in message and "journey.p_death" in message and words in message, message


def test_a_whole_number_parameter_takes_whole_number_bounds():
    text = "journey:\n  package_attempts:\n    value: 3\n    source: assumed\n    plausible: [1.5, 3]\n"
    with pytest.raises(ScenarioError, match=r"journey\.package_attempts.*whole number"):
        read_plausible(text + "    plausible_source: judgement\n")


def test_a_bad_range_in_the_shipped_file_is_one_line_and_exit_2(monkeypatch, capsys):
    from sim import parameters

    bad = parameters._parameter_text().replace("plausible: [0.1, 0.25]", "plausible: [0.25, 0.1]", 1)
    monkeypatch.setattr(parameters, "_parameter_text", lambda: bad)
    parameters.plausible_ranges.cache_clear()
    try:
        assert main(["params"]) == 2
    finally:
        parameters.plausible_ranges.cache_clear()
    err = capsys.readouterr().err
    assert "journey.fee_enforcement_elasticity.plausible: [0.25, 0.1]: low is above high" in err
    assert "Traceback" not in err


def test_apply_names_the_nearest_uncertainty_and_respects_the_schema():
    params, scenario = default_parameters(), shortened("border_enforcement")
    with pytest.raises(ValueError, match="did you mean 'journey.fee_enforcement_elasticity'"):
        apply({"journey.fee_enforcment_elasticity": 0.2}, params, scenario)
    with pytest.raises(ValueError, match="calibrated: its uncertainty is the posterior"):
        apply({"journey.p_us": 0.5}, params, scenario)
    with pytest.raises(ValueError, match=r"journey.p_death = 0.5 is outside its allowed range 0 to 0.2"):
        apply({"journey.p_death": 0.5}, params, scenario)
    with pytest.raises(ValueError, match="outside the allowed factor range"):
        apply({"lever.border_enforcement.effect_scale": -1}, params, scenario)
    with pytest.raises(ValueError, match="expected a finite number"):
        apply({"journey.p_death": math.nan}, params, scenario)
    # outside the plausible range but allowed: a world may look beyond it
    world, same = apply({"journey.p_death": 0.1, "journey.package_attempts": 1.6}, params, scenario)
    assert world.journey.p_death == 0.1 and world.journey.package_attempts == 2 and same == scenario
    assert params.journey.p_death == 0.002  # nothing mutated


def test_lever_scales_move_effects_towards_none_and_costs_up():
    data = shortened("agreement_package").resolved()  # with humanitarian processing, the one lever it leaves out
    data["levers"] |= shortened("humanitarian_processing").resolved()["levers"]
    scenario = validate_scenario(data)
    params = default_parameters()
    lever_names = [u.name for u in uncertainties() if u.kind != "parameter"]
    for name in lever_names:
        _, kind, scale = name.split(".")
        low, high = (0.5, 2.0)
        _, less = apply({name: low}, params, scenario)
        _, more = apply({name: high}, params, scenario)
        declared = next(s for s in LEVERS[kind].uncertain if f"{s.kind}_scale" == scale)
        moved = 0
        for (label, stated), (_, lo), (_, hi) in zip(scenario.levers, less.levers, more.levers, strict=True):
            if (stated.lever or label) != kind:
                assert lo == stated == hi  # other levers untouched
                continue
            for key, neutral in declared.settings.items():
                before, small, big = (abs(getattr(c, key) - neutral) for c in (stated, lo, hi))
                assert small <= before <= big, (name, key)
                moved += small < before
        assert moved, f"{name} changes nothing in the agreement package"


def test_a_world_at_every_default_runs_bit_identically_and_cost_factors_scale_every_cost_but_budgets():
    scenario, params = shortened("agreement_package", "2018-01", "2027-12"), default_parameters()
    world_params, world = apply({u.name: u.default for u in uncertainties()}, params, scenario)
    assert world.digest == scenario.digest
    plain = run(scenario, 3, households_per_agent=SCALE, parameters=params)
    applied = run(world, 3, households_per_agent=SCALE, parameters=world_params)
    assert plain.monthly.equals(applied.monthly) and plain.costs.equals(applied.costs)
    dearer = apply({u.name: 2.0 for u in uncertainties() if u.kind == "lever_cost"}, params, scenario)[1]
    doubled = run(dearer, 3, households_per_agent=SCALE, parameters=params)
    assert doubled.monthly.equals(plain.monthly)  # costs change no behaviour
    by_lever = plain.costs.groupby("lever_label").cost_usd.sum()
    assert (by_lever > 0).all() and len(by_lever) == len(scenario.levers)
    budget = {label for label, config in scenario.levers if LEVERS[config.lever or label].budgets}
    assert budget == {"border_enforcement"}  # spent as stated: a world scales what it buys
    expected = {label: usd * (1 if label in budget else 2) for label, usd in by_lever.items()}
    assert doubled.costs.groupby("lever_label").cost_usd.sum().to_dict() == pytest.approx(expected)


def test_a_smaller_border_effect_buys_fewer_agents_lowers_apprehensions_and_spends_the_same_budget():
    scenario, params = shortened("border_enforcement", "2018-01", "2029-12"), default_parameters()
    weaker = apply({"lever.border_enforcement.effect_scale": 0.3}, params, scenario)[1]
    assert dict(weaker.levers)["border_enforcement"].agents_per_billion_usd == pytest.approx(0.3 * 5834)
    assert "lever.border_enforcement.cost_scale" not in {u.name for u in uncertainties()}
    stated, weak = run_many([scenario, weaker], 0, households_per_agent=SCALE)

    def caught(result):  # per person setting out: families travel and are counted together, so counts are noisy
        years = result.national().loc[2026:2029]
        return years.apprehended_us.sum() / years.departures_irregular.sum()

    assert caught(weak) < caught(stated)
    assert weak.costs.cost_usd.sum() == pytest.approx(stated.costs.cost_usd.sum())  # the budget is spent as stated


def test_a_parameter_the_scenario_sets_keeps_its_value_in_every_world():
    from sim.scenario import load_scenario

    scenario = load_scenario(SCENARIOS / "assumptions" / "agreement_package_no_fee_response.yaml")
    params, _ = apply(
        {"journey.fee_enforcement_elasticity": 0.6, "journey.p_death": 0.004}, default_parameters(), scenario
    )
    model = MigrationModel(scenario, seed=0, households_per_agent=20_000, parameters=params)
    assert model.params.journey.fee_enforcement_elasticity == 0  # the scenario's own assumption
    assert model.params.journey.p_death == 0.004  # the world's, where the scenario says nothing


def test_params_lists_plausible_ranges_and_every_uncertainty(capsys):
    assert main(["params", "--status", "assumed"]) == 0
    listed = capsys.readouterr().out
    assert "0.1 to 0.6" in listed and "Gathmann 2008" in listed and "plausible" in listed
    assert main(["params", "--uncertain"]) == 0
    listed = capsys.readouterr().out
    assert "lever.border_enforcement.effect_scale" in listed and "journey.p_us" not in listed
    assert f"{len(uncertainties())} uncertainties" in listed
