"""The synthetic population reproduces the census and survey marginals it is built from."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from sim.departments import N_DEPARTMENTS, load_departments
from sim.households import COLUMNS, allocate
from sim.parameters import default_parameters
from sim.population import block_layout, poverty_line_usd, synthesise


@pytest.fixture(scope="module")
def fine():
    """About 330,000 rows (10 households per agent): enough for tight sampling tolerances."""
    p = default_parameters()
    d = load_departments()
    return d, synthesise(d, p.population, p.economy.victimisation_annual, 10, 2002 * 12, np.random.default_rng(5))


def test_department_table_is_complete():
    d = load_departments()
    assert d.households.sum() == 3_275_931
    assert d.population.sum() == 14_901_286
    assert list(d.code) == list(range(1, 23))
    assert d.name[15] == "Alta Verapaz" and d.index("Alta Verapaz") == 15 and d.index("quiche") == 13


def test_unknown_department_names_nearest():
    with pytest.raises(KeyError, match="Huehuetenango"):
        load_departments().index("Huehuetenengo")


@pytest.mark.parametrize("households_per_agent", [1, 7, 50, 1000, 10_000_000])
def test_scaled_households_equal_census(households_per_agent):
    d = load_departments()
    count, start, weight = block_layout(d.households, households_per_agent)
    assert (count >= 1).all()
    np.testing.assert_allclose(count * weight, d.households, rtol=1e-12)
    assert start[0] == 0 and (np.diff(start) == count[:-1]).all()


def test_full_scale_has_every_census_household():
    p = default_parameters()
    d = load_departments()
    h = synthesise(d, p.population, p.economy.victimisation_annual, 1, 2002 * 12, np.random.default_rng(0))
    assert h.n == 3_275_931
    np.testing.assert_array_equal(h.count, d.households)
    assert (h.weight == 1).all()


def test_columns_have_compact_dtypes_and_department_blocks(fine):
    d, h = fine
    h.check()
    for name, (dtype, _) in COLUMNS.items():
        assert h.columns[name].dtype == dtype
    assert (np.diff(h.department) >= 0).all(), "rows must be sorted into department blocks"
    assert (h.members_home == h.size).all() and (h.size >= h.working_age).all() and (h.working_age >= 1).all()


@pytest.mark.parametrize("n", [1, 4096, 65_519, 3 * 2**20])
def test_columns_start_on_different_cache_lines_of_a_page(n):
    """Same rows of different columns must not map to the same cache sets (page-aligned columns: 23% slower)."""
    columns = allocate(n, {name: dtype for name, (dtype, _) in COLUMNS.items()})
    addresses = [column.ctypes.data for column in columns.values()]
    assert len({a % 4096 for a in addresses}) == len(COLUMNS)
    assert all(a % 64 == 0 for a in addresses)
    for name, (dtype, _) in COLUMNS.items():
        column = columns[name]
        assert column.dtype == dtype and column.shape == (n,) and not column.any()
        column[:] = 1  # writable, and apart from every other column
    ends = sorted((column.ctypes.data, column.ctypes.data + column.nbytes) for column in columns.values())
    assert all(end <= start for (_, end), (start, _) in pairwise(ends))


def test_a_copied_population_is_independent(fine):
    _, h = fine
    twin = h.copy()
    twin.savings[:] = -1
    assert (h.savings >= 0).all()
    np.testing.assert_array_equal(twin.size, h.size)


def share(h, mask):
    return h.dept_sum(mask) / h.count


def test_marginals_match_department_data(fine):
    d, h = fine
    # household size: census persons per household, within 2%
    np.testing.assert_allclose(h.dept_sum(h.size) / h.count, d.household_size, rtol=0.02)
    # heads' literacy (census adult literacy), unemployment, agricultural share: within 2.5 points
    np.testing.assert_allclose(share(h, h.head_education > 0), d.literacy, atol=0.025)
    np.testing.assert_allclose(share(h, ~h.employed), d.unemployment, atol=0.01)
    np.testing.assert_allclose(share(h, h.agricultural), d.agricultural_share, atol=0.025)
    # ENCOVI 2023 poverty: share of households whose income per person is below the national line
    poor = h.base_income / h.size < poverty_line_usd()
    np.testing.assert_allclose(share(h, poor), d.poverty, atol=0.025)
    # census rural share 46% nationally
    assert abs(np.average(share(h, h.rural), weights=d.households) - 0.46) < 0.01
    # working-age share of people: 61.0% (census 2018)
    assert abs(h.working_age.sum() / h.size.sum() - 0.61) < 0.01


def test_kin_abroad_follow_census_emigration(fine):
    d, h = fine
    mean_ties = h.dept_sum(h.relatives_abroad) / h.count
    per_household = d.emigrants / d.households
    expected = (
        default_parameters().population.relatives_abroad_mean * per_household / (d.emigrants.sum() / d.households.sum())
    )
    np.testing.assert_allclose(mean_ties, expected, rtol=0.1)
    alta, huehue = d.index("Alta Verapaz"), d.index("Huehuetenango")
    assert mean_ties[huehue] > 5 * mean_ties[alta]


def test_stand_ins_are_labelled():
    d = load_departments()
    assert len(d.homicide_source) == N_DEPARTMENTS
    assert sum("stand-in" in s for s in d.homicide_source) == 10
    assert np.all((d.poverty > 0.2) & (d.poverty < 0.95))


def test_members_who_left_before_2002_are_the_sourced_stock_spread_by_department(fine):
    d, h = fine
    p = default_parameters().population
    settled = h.dept_sum(h.settled_abroad) * d.households / h.count  # scaled to real households
    assert settled.sum() == pytest.approx(p.settled_abroad, rel=0.01)
    # census 2002's printed shares where printed; the others follow census 2018 remittance-receiving households
    assert d.settled_share.sum() == pytest.approx(1.0)
    for name, share in (("Guatemala", 0.225), ("Huehuetenango", 0.122), ("Quetzaltenango", 0.103)):
        assert d.settled_share[d.index(name)] == pytest.approx(share)
        assert settled[d.index(name)] / settled.sum() == pytest.approx(share, rel=0.03)
    assert d.settled_share[d.index("Jutiapa")] > 3 * d.settled_share[d.index("Sacatepéquez")]
    # they are not in the census household: members at home are the census's, and size counts no one abroad
    assert (h.members_home == h.size).all() and h.settled_abroad.any()
