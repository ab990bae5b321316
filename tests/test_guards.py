"""Numerical guards, as assertions over random valid scenarios (not checks in the hot path).

Any combination of levers at any allowed strength, from any month, with any allowed conditions, gives
probabilities in [0, 1], no negative count, no NaN, and conserves households.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.metrics import RATES
from sim.model import MigrationModel
from sim.runner import result_of
from sim.scenario import validate_scenario
from viz.viewmodel import lever_controls, shipped_scenarios

SHIPPED = shipped_scenarios()
CONTROLS = lever_controls(SHIPPED)  # every lever with the settings of a shipped scenario and its schema's range
CONDITIONS = {
    label: c.model_dump(mode="json", exclude_none=True) for s in SHIPPED.values() for label, c in s.conditions
}
PROBABILITIES = ("p_death", "p_us", "p_mexico", "victimisation")


def _within_2026(condition: dict) -> dict:
    """A shipped condition moved into the random scenarios' last year if it comes later (the 2027 drought)."""
    if condition["start"] <= "2026-12":
        return condition
    moved = {**condition, "start": "2026-" + condition["start"][5:]}
    return moved | ({"end": "2026-" + condition["end"][5:]} if "end" in condition else {})


@st.composite
def scenarios(draw):
    levers = {}
    for lever in draw(st.lists(st.sampled_from(sorted(CONTROLS)), min_size=1, max_size=4, unique=True)):
        c = CONTROLS[lever]
        amount = draw(st.floats(min_value=c.low, max_value=c.high, allow_nan=False))
        start = f"{draw(st.integers(2024, 2026))}-{draw(st.integers(1, 12)):02d}"
        levers[lever] = {**c.settings, c.key: int(amount) if c.step >= 1 else amount, "start": start}
        levers[lever].pop("end", None)
    conditions = {
        c: _within_2026(CONDITIONS[c])
        for c in draw(st.lists(st.sampled_from(sorted(CONDITIONS)), max_size=3, unique=True))
    }
    data = {"name": "random", "start": "2024-01", "end": "2026-12", "levers": levers, "conditions": conditions}
    return validate_scenario(data, source="random scenario")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(0, 2**31))
def test_random_valid_scenarios_keep_every_number_sane(scenario, seed):
    model = MigrationModel(scenario, seed=seed, households_per_agent=8000)
    members = ("members_home", "members_abroad", "legal_abroad", "dead")
    people = sum(int(model.households.columns[m].sum()) for m in members)
    while model.running:
        env, costs = model.environment()
        for name in PROBABILITIES:
            values = np.asarray(getattr(env, name, 0.0))
            assert np.all((values >= 0) & (values <= 1)), name
        assert all(np.isfinite(c) and c >= 0 for c in np.atleast_1d(costs)), costs
        model.step()
    c = model.households.columns
    for column, values in c.items():
        if values.dtype.kind in "fiu":
            assert np.isfinite(values).all(), column
    for column in ("members_home", "members_abroad", "legal_abroad", "dead", "savings", "attempts_left"):
        assert (c[column] >= 0).all(), column
    # conservation: members move between home, abroad (irregular or on a visa) and the dead; none appear or vanish
    assert sum(int(c[m].sum()) for m in members) == people
    monthly = result_of(model, 0.0).monthly
    numbers = monthly.select_dtypes("number")
    assert not numbers.isna().any().any()
    counts = numbers.drop(columns=[*RATES, "year", "ine_code"])
    assert (counts >= 0).all().all(), counts.min()[counts.min() < 0]
    assert monthly.victimisation_rate.between(0, 100).all() and (monthly.criminal_capacity >= 0).all()
