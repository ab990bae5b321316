"""Synthesise Guatemala's 3,275,931 census-2018 households from department marginals.

Each department gets ``round(households / households_per_agent)`` rows (at least one); each row stands
for ``weight = households / rows`` real households, so scaled totals equal the census exactly.
Department marginals come from ``sim/data`` (see :mod:`sim.departments`); the joint structure within a
department (who is poor, who has kin abroad) is drawn from the assumptions stated below.
"""

from __future__ import annotations

import numpy as np
from scipy.special import logit, ndtri

from sim.departments import Departments, facts
from sim.environment import monthly_victimisation
from sim.households import COLUMNS, NEVER, Households
from sim.parameters import PopulationParams

MAX_SIZE = 20


def poverty_line_usd() -> float:
    """ENCOVI 2023 national total poverty line, USD per person per month."""
    f = facts()
    return f["poverty_line_total_national_gtq"] / f["gtq_per_usd_DERIVED"] / 12


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

    def by_dept(values: np.ndarray) -> np.ndarray:
        return np.repeat(np.asarray(values, dtype=np.float64), count)

    # Household size: 1 + Poisson, mean = census persons per household of the department.
    size = 1 + rng.poisson(by_dept(departments.household_size - 1))
    size = np.minimum(size, MAX_SIZE)
    # Working-age members: the head plus each other member with the chance that makes the national
    # share of 15-64-year-olds 61.0% (census 2018); the rest are children (33.4%) or elderly (5.6%).
    mean_size = departments.population.sum() / departments.households.sum()
    q_working = (f["population_share_age_15_64_census2018"] * mean_size - 1) / (mean_size - 1)
    working_age = 1 + rng.binomial(size - 1, q_working)
    dependants = size - working_age
    share_children = f["population_share_age_0_14_census2018"] / (
        f["population_share_age_0_14_census2018"] + f["population_share_age_65plus_census2018"]
    )
    children = rng.binomial(dependants, share_children) > 0

    # Head's schooling: literate with the department's adult literacy; literate heads reach 6, 9 and
    # 12 years with chances tied to the department's school attendance at 13-15 (assumed mapping).
    literate = rng.random(n) < by_dept(departments.literacy)
    attendance = by_dept(departments.school_attendance)
    u = rng.random(n)
    years = 3 + 3 * (u < attendance) + 3 * (u < 0.5 * attendance) + 3 * (u < 0.2 * attendance)
    head_education = np.where(literate, years, 0)

    # Income per person: lognormal whose median puts the department's ENCOVI 2023 poverty rate below
    # the national poverty line; correlated with the head's schooling within the department.
    line = poverty_line_usd()
    sigma = params.income_sigma
    median = line * np.exp(-sigma * ndtri(departments.poverty))
    edu_mean = np.add.reduceat(head_education, start) / count
    edu_sd = np.sqrt(np.maximum(np.add.reduceat(head_education.astype(float) ** 2, start) / count - edu_mean**2, 1e-9))
    z_edu = (head_education - by_dept(edu_mean)) / by_dept(edu_sd)
    rho = params.education_income_correlation
    z = rho * z_edu + np.sqrt(1 - rho**2) * rng.standard_normal(n)
    base_income = by_dept(median) * np.exp(sigma * z) * size

    employed = rng.random(n) >= by_dept(departments.unemployment)
    income = np.where(employed, base_income, base_income * params.unemployed_income_share)
    savings = base_income * rng.exponential(params.savings_months, n)

    victim_p = by_dept(monthly_victimisation(victimisation_annual, departments.homicide_rate))
    months_ago = rng.geometric(victim_p)  # months since the last crime
    victim_month = np.where(months_ago <= 12, start_month - months_ago, NEVER)

    # Kin in the US at the start: Poisson, spread like census-2018 emigrants per household.
    per_household = departments.emigrants / departments.households
    national = departments.emigrants.sum() / departments.households.sum()
    relatives = rng.poisson(by_dept(params.relatives_abroad_mean * per_household / national))

    values = {
        "rural": rng.random(n) < by_dept(departments.rural_share),
        "size": size,
        "working_age": working_age,
        "members_home": size,
        "members_abroad": 0,
        "legal_abroad": 0,
        "dead": 0,
        "head_education": head_education,
        "children": children,
        "employed": employed,
        "agricultural": rng.random(n) < by_dept(departments.agricultural_share),
        "base_income": base_income,
        "income": income,
        "savings": savings,
        "debt": 0,
        "victim_month": victim_month,
        "relatives_abroad": np.minimum(relatives, 100),
        "remittances": 0,
        "aspiring": False,
        "threshold": logit(rng.random(n)),
        "attempts": 0,
        "attempts_left": 0,
        "deportations": 0,
        "last_arrival": NEVER,
        "legal_return": NEVER,
        "legal_back": NEVER,
        "engaged": rng.random(n) < params.engagement_baseline,
    }
    columns = {
        name: np.broadcast_to(np.asarray(values[name]), (n,)).astype(dtype) for name, (dtype, _) in COLUMNS.items()
    }
    households = Households(start=start, count=count, weight=weight, columns=columns)
    households.check()
    return households
