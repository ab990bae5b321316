"""One world as one call (sim.exploratory): named levers, uncertainties and outcomes, and what drives it."""

from __future__ import annotations

import pytest

from sim import exploratory

SCALE = 5000.0


def test_every_lever_and_outcome_is_named_with_its_range():
    levers = exploratory.levers()
    assert {"job_programs", "border_enforcement", "legal_pathways"} <= {d.name for d in levers}
    assert all(d.low <= d.default <= d.high for d in levers)
    assert {o.name for o in exploratory.OUTCOMES} >= {"journeys_averted", "arrivals_averted", "cost_usd"}


def test_no_lever_averts_nothing_and_costs_nothing_and_more_jobs_avert_more():
    nothing = exploratory.run_world(seed=2, households_per_agent=SCALE)
    assert nothing["journeys_averted"] == 0 and nothing["arrivals_averted"] == 0 and nothing["cost_usd"] == 0
    # at 1:1000 the effect of 80,000 more jobs a year stands well above chance (at 1:5000 it does not)
    some = exploratory.run_world(seed=2, households_per_agent=1000.0, job_programs=20_000)
    more = exploratory.run_world(seed=2, households_per_agent=1000.0, job_programs=100_000)
    assert 0 < some["cost_usd"] < more["cost_usd"]
    assert more["journeys_averted"] > some["journeys_averted"] > 0
    assert exploratory.run_world(seed=2, households_per_agent=1000.0, job_programs=20_000) == some  # repeatable


def test_an_uncertainty_moves_the_answer_in_its_world():
    name = "journey__fee_enforcement_elasticity"
    low, high = next((u.low, u.high) for u in exploratory.uncertainties() if u.name == name)
    runs = [
        exploratory.run_world(seed=1, households_per_agent=SCALE, border_enforcement=2.0e9, **{name: value})
        for value in (low, high)
    ]
    assert runs[0]["journeys_averted"] != runs[1]["journeys_averted"]
    assert runs[0]["cost_usd"] == runs[1]["cost_usd"]  # the fee's response to enforcement changes no price tag


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"job_program": 3.0}, "did you mean 'job_programs'"),
        ({"job_programs": -1.0}, "job_programs must be 0 to"),
        ({"journey__fee_enforcement_elasticity": 99.0}, "journey__fee_enforcement_elasticity must be within"),
        ({"journey__fee_enforcement_elasticty": 0.1}, "did you mean 'journey__fee_enforcement_elasticity'"),
    ],
)
def test_bad_names_and_values_say_what_is_allowed(values, message):
    with pytest.raises(ValueError, match=message):
        exploratory.run_world(households_per_agent=SCALE, **values)


def test_ema_workbench_drives_it():
    ema = pytest.importorskip("ema_workbench")  # the optional extra `ema` (installed by `dev`)
    model = ema.Model("migsim", function=exploratory.run_world)
    model.uncertainties = [ema.RealParameter(u.name, u.low, u.high) for u in exploratory.uncertainties()]
    model.levers = [ema.RealParameter("job_programs", 0, 50_000)]
    model.outcomes = [ema.ScalarOutcome(o.name) for o in exploratory.OUTCOMES]
    model.constants = [ema.Constant("households_per_agent", 20_000)]
    experiments, outcomes = ema.perform_experiments(model, scenarios=2, policies=1)
    assert len(experiments) == 2 and len(outcomes["journeys_averted"]) == 2
    again = exploratory.run_world(
        households_per_agent=20_000,
        job_programs=float(experiments["job_programs"].iloc[0]),
        **{u.name: float(experiments[u.name].iloc[0]) for u in exploratory.uncertainties()},
    )
    assert again["journeys_averted"] == outcomes["journeys_averted"][0]
