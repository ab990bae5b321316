"""Synthesise Guatemala's 3,275,931 census-2018 households from department marginals.

Each department gets ``round(households / households_per_agent)`` rows (at least one); each row stands
for ``weight = households / rows`` real households, so scaled totals equal the census exactly.
Department marginals come from ``sim/data`` (see :mod:`sim.departments`); the joint structure within a
department (who is poor, who has kin abroad) is drawn from the assumptions stated below.
"""

from __future__ import annotations

import numpy as np
from scipy.special import logit, ndtri

from sim.departments import Departments, facts, read_csv
from sim.environment import monthly_victimisation
from sim.households import NEVER, Households, new_columns
from sim.parameters import PopulationParams

MAX_SIZE = 20


def poverty_line_usd() -> float:
    """ENCOVI 2023 national total poverty line, USD per person per month."""
    f = facts()
    return f["poverty_line_total_national_gtq"] / f["gtq_per_usd_DERIVED"] / 12


def children_per_household() -> np.ndarray:
    """Children aged 0-14 per household by department (census 2018 microdata aggregates), in INE order."""
    rows = sorted(read_csv("household_composition.csv"), key=lambda r: int(r["ine_code"]))
    return np.array([float(r["children_0_14_per_household"]) for r in rows])


def block_layout(households: np.ndarray, households_per_agent: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows per department, first row of each block, and real households per row."""
    if households_per_agent < 1:
        raise ValueError("households_per_agent must be at least 1")
    count = np.maximum(np.rint(households / households_per_agent), 1).astype(np.int64)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    return count, start, households / count


def synthesise(
    departments: Departments,
    params: PopulationParams,
    victimisation_annual: float,
    households_per_agent: float,
    start_month: int,
    rng: np.random.Generator,
) -> Households:
    """Draw every household column; see the module docstring for what comes from data."""
    f = facts()
    count, start, weight = block_layout(departments.households, households_per_agent)
    n = int(count.sum())
    blocks = [slice(a, a + k) for a, k in zip(start, count, strict=True)]
    c = new_columns(n)

    def below(u: np.ndarray, chance: np.ndarray, out: np.ndarray, compare: np.ufunc = np.less) -> np.ndarray:
        """``u < chance`` of the row's department, block by block (no per-row copy of department values)."""
        for block, value in zip(blocks, np.asarray(chance, dtype=np.float64), strict=True):
            compare(u[block], value, out=out[block])
        return out

    # Draws are made in bulk, in a fixed order (the population of a seed never changes with this code);
    # arithmetic runs per department block, in the columns' own dtypes, to keep a full-scale population
    # (3.3 million rows) from allocating dozens of 26 MB temporaries.
    # Household size: 1 + Poisson, mean = census persons per household of the department.
    size = np.concatenate([rng.poisson(m, k) for m, k in zip(departments.household_size - 1, count, strict=True)])
    np.minimum(size + 1, MAX_SIZE, out=size)
    c["size"][:] = c["members_home"][:] = size
    # Working-age members: the head plus each other member with the chance that makes the national
    # share of 15-64-year-olds 61.0% (census 2018); the rest are children or elderly.
    mean_size = departments.population.sum() / departments.households.sum()
    q_working = (f["population_share_age_15_64_census2018"] * mean_size - 1) / (mean_size - 1)
    working_age = 1 + rng.binomial(size - 1, q_working)
    c["working_age"][:] = working_age
    # Of the others, each is a child under 15 with the chance that gives the department's census 2018 children
    # per household (sim/data/household_composition.csv); the rest are 65 or older.
    others = (departments.household_size - 1) * (1 - q_working)
    share_children = np.minimum(children_per_household() / others, 1.0)
    minors = rng.binomial(size - working_age, np.repeat(share_children, count))
    np.greater(minors, 0, out=c["children"])
    c["minors"][:] = minors
    c["elderly"][:] = size - working_age - minors
    del working_age, minors

    # Head's schooling: literate with the department's adult literacy; literate heads reach 6, 9 and
    # 12 years with chances tied to the department's school attendance at 13-15 (assumed mapping).
    literate = below(rng.random(n), departments.literacy, np.empty(n, dtype=np.bool_))
    u = rng.random(n)
    education = c["head_education"]
    reached = np.empty(n, dtype=np.bool_)
    for share in (1.0, 0.5, 0.2):
        education += below(u, share * np.asarray(departments.school_attendance), reached)
    education *= 3
    education += 3
    education *= literate
    del literate, reached, u

    # Income per person: lognormal whose median puts the department's ENCOVI 2023 poverty rate below
    # the national poverty line; correlated with the head's schooling within the department.
    line = poverty_line_usd()
    sigma = params.income_sigma
    median = line * np.exp(-sigma * ndtri(departments.poverty))
    rho = params.education_income_correlation
    z = np.sqrt(1 - rho**2) * rng.standard_normal(n)
    for block, middle in zip(blocks, median, strict=True):
        years = education[block].astype(np.float64)
        mean = years.sum() / len(years)
        sd = np.sqrt(max((years**2).sum() / len(years) - mean**2, 1e-9))
        z[block] += rho * ((years - mean) / sd)
        z[block] = middle * np.exp(sigma * z[block])
    z *= size
    c["base_income"][:] = base_income = z  # float64 until every use below has its value
    del z, size

    employed = below(rng.random(n), departments.unemployment, c["employed"], np.greater_equal)
    np.multiply(base_income, np.where(employed, 1.0, params.unemployed_income_share), out=c["income"], casting="unsafe")
    c["savings"][:] = base_income * rng.exponential(params.savings_months, n)
    del base_income

    victim_p = monthly_victimisation(victimisation_annual, departments.homicide_rate)
    months_ago = np.concatenate([rng.geometric(p, k) for p, k in zip(victim_p, count, strict=True)])
    victim_month = c["victim_month"]
    victim_month[:] = NEVER
    recent = months_ago <= 12  # months since the last crime
    victim_month[recent] = start_month - months_ago[recent]
    del months_ago, recent

    # Extended kin in the US at the start (not the household's own members): Poisson, spread like census-2018
    # emigrants per household.
    per_household = departments.emigrants / departments.households
    national = departments.emigrants.sum() / departments.households.sum()
    means = params.relatives_abroad_mean * per_household / national
    relatives = np.concatenate([rng.poisson(m, k) for m, k in zip(means, count, strict=True)])
    np.minimum(relatives, 100, out=c["relatives_abroad"], casting="unsafe")

    below(rng.random(n), departments.rural_share, c["rural"])
    below(rng.random(n), departments.agricultural_share, c["agricultural"])
    c["threshold"][:] = logit(rng.random(n))
    np.less(rng.random(n), params.engagement_baseline, out=c["engaged"])
    for name in ("last_arrival", "legal_return", "legal_back", "asylum_month"):
        c[name][:] = NEVER
    # Members who left before 2002 and still live abroad: Poisson, the department's share of the stock
    # (Departments.settled_share) over its households; drawn last, so the draws above are those of earlier versions.
    means = params.settled_abroad * departments.settled_share / departments.households
    settled = np.concatenate([rng.poisson(m, k) for m, k in zip(means, count, strict=True)])
    np.minimum(settled, 100, out=c["settled_abroad"], casting="unsafe")
    households = Households(start=start, count=count, weight=weight, columns=c)
    households.check()
    return households
