"""Household economy in one month: work, job programs, crime, remittances, savings and debt."""

from __future__ import annotations

import numpy as np

from sim.environment import Environment
from sim.households import Households
from sim.parameters import Parameters


def working_age_home(h: Households) -> np.ndarray:
    """Working-age members still at home (migrants are of working age)."""
    return h.working_age - h.members_abroad - h.legal_abroad - h.dead


def job_finding(unemployment: np.ndarray, separation: float) -> np.ndarray:
    """Monthly job-finding chance that keeps each department at its unemployment rate."""
    u = np.maximum(unemployment, 1e-3)
    return np.minimum(separation * (1 - u) / u, 1.0)


def hiring_eligible(h: Households, env: Environment, in_program: np.ndarray) -> np.ndarray:
    """Households a job program may hire.

    Someone of working age is at home, nobody is already hired, and the household is in the lever's
    target group (anyone; below the poverty line; or aspiring to migrate last month).
    """
    target = h.per_household(env.program_target, np.int8)
    poor = h.income < np.float32(env.poverty_line) * np.maximum(h.members_home, 1)
    in_group = (target == 0) | ((target == 1) & poor) | ((target == 2) & h.aspiring)
    return in_group & ~in_program & (working_age_home(h) >= 1)


def hiring_probability(eligible_per_dept: np.ndarray, env: Environment, weight: np.ndarray) -> np.ndarray:
    """Chance an eligible household gets one of this month's program jobs, per department."""
    wanted_rows = env.program_jobs / weight
    return np.divide(wanted_rows, eligible_per_dept, out=np.zeros_like(wanted_rows), where=eligible_per_dept > 0).clip(
        0, 1
    )


def update_economy(
    h: Households, env: Environment, params: Parameters, u_job: np.ndarray, u_program: np.ndarray, u_crime: np.ndarray
) -> None:
    """Advance work, income, crime, remittances, savings and debt in place."""
    month = env.month
    e = params.economy
    in_program = h.program_until > month
    lose = h.employed & ~in_program & (u_job < np.float32(e.job_separation))
    found = ~h.employed & (u_job < h.per_household(job_finding(env.unemployment, e.job_separation)))
    employed = (h.employed & ~lose) | found

    if env.program_jobs.any():
        eligible = hiring_eligible(h, env, in_program)
        p = hiring_probability(h.dept_sum(eligible), env, h.weight)
        hired = eligible & (u_program < h.per_household(p))
        h.program_until[hired] = (month + h.per_household(env.program_months, np.int32)[hired]).astype(np.int16)
        in_program |= hired
    employed |= in_program
    h.employed[:] = employed
    wage = np.where(in_program, h.per_household(env.program_wage), np.float32(0))
    own = np.where(employed, h.base_income, h.base_income * np.float32(params.population.unemployed_income_share))
    h.income[:] = own + wage

    h.victim_month[u_crime < h.per_household(env.victimisation)] = month

    r = params.remittances
    recent = (h.members_abroad > 0) & ((month - h.last_arrival.astype(np.int32)) < r.lag_months)
    senders = h.members_abroad - recent + h.legal_abroad
    h.remittances[:] = np.float32(env.remittance) * senders + np.float32(r.kin_usd_month) * h.relatives_abroad

    saved = np.float32(e.saving_rate) * h.income + np.float32(e.remittance_saving_share) * h.remittances
    owed = h.debt * np.float32(1 + e.debt_interest)
    paid = np.minimum(owed, saved)
    h.debt[:] = owed - paid
    h.savings += saved - paid
