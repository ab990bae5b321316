"""Guatemalans who left before 2002: they send remittances at the rate per sender, are ties, and leave slowly."""

from __future__ import annotations

import numpy as np
import pytest

from sim.calibration.moments import without_emigration_data
from sim.departments import load_departments
from sim.environment import monthly
from sim.features import ties
from sim.model import MigrationModel
from sim.parameters import default_parameters
from tests.conftest import shortened


@pytest.fixture(scope="module")
def model():
    """Three years from 2016 at a coarse scale, stepped month by month by the tests that need it."""
    return MigrationModel(shortened("baseline", "2016-01", "2018-12"), seed=4, households_per_agent=400)


def test_each_member_abroad_since_before_2002_sends_the_rate_per_sender(model):
    h = model.households
    before = h.settled_abroad.copy()
    env, _ = model.environment()
    model.step()
    # households with nobody who left since the run started: their remittances are the settled members' alone
    only_settled = (h.members_abroad == 0) & (h.legal_abroad == 0) & (before > 0) & (h.settled_abroad == before)
    assert only_settled.sum() > 100
    np.testing.assert_allclose(
        h.remittances[only_settled], env.remittance * env.remittance_kept * before[only_settled], rtol=1e-6
    )
    # extended kin alone send nothing: their money is in the senders' rate already
    kin_only = (h.members_abroad == 0) & (h.legal_abroad == 0) & (h.settled_abroad == 0) & (before == 0)
    assert (h.relatives_abroad[kin_only] > 0).any() and (h.remittances[kin_only] == 0).all()


def test_the_settled_stock_leaves_at_the_stated_yearly_rate(model):
    h = model.households
    start = int(h.settled_abroad.astype(int).sum())
    months = 0
    while model.running:
        model.step()
        months += 1
    rate = default_parameters().population.settled_exit_annual
    expected = start * (1 - monthly(rate)) ** months
    left = int(h.settled_abroad.astype(int).sum())
    assert left < start
    assert abs(left - expected) < 4 * np.sqrt(start * (1 - (1 - monthly(rate)) ** months))  # binomial spread
    assert (h.settled_abroad >= 0).all() and (ties(h) >= h.settled_abroad).all()


def test_held_out_departments_do_not_see_the_census_pointer_of_the_settled_stock():
    d = load_departments()
    hidden = (d.index("Huehuetenango"), d.index("Alta Verapaz"))
    blind = without_emigration_data(d, hidden)
    seen = np.ones(len(d.households), bool)
    seen[list(hidden)] = False
    per_household = d.settled_share[seen].sum() / d.households[seen].sum()
    np.testing.assert_allclose(blind.settled_share[list(hidden)], per_household * d.households[list(hidden)])
    np.testing.assert_array_equal(blind.settled_share[seen], d.settled_share[seen])
