"""Household economy in one month: work, programs, crop loss, crime, remittances, savings and debt."""

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


def update_economy(h: Households, env: Environment, params: Parameters, u_job: np.ndarray, u_crime: np.ndarray) -> None:
    """Advance work, income, crime, remittances, savings and debt in place (programs' effects in ``h.effects``)."""
    month = env.month
    e = params.economy
    fx = h.effects
    lose = h.employed & ~fx.employed & (u_job < np.float32(e.job_separation))
    found = ~h.employed & (u_job < h.per_household(job_finding(env.unemployment, e.job_separation)))
    employed = ((h.employed & ~lose) | found) | fx.employed
    h.employed[:] = employed
    own = np.where(employed, h.base_income, h.base_income * np.float32(params.population.unemployed_income_share))
    farm = np.float32(1) - h.per_household(env.crop_loss) * h.agricultural
    h.income[:] = own * farm * (np.float32(1) + fx.income_share) + fx.income_usd

    h.victim_month[u_crime < h.per_household(env.victimisation)] = month

    r = params.remittances
    recent = (h.members_abroad > 0) & ((month - h.last_arrival.astype(np.int32)) < r.lag_months)
    senders = h.members_abroad - recent + h.legal_abroad
    sent = np.float32(env.remittance) * senders + np.float32(r.kin_usd_month) * h.relatives_abroad
    h.remittances[:] = np.float32(env.remittance_kept) * sent

    saved = np.float32(e.saving_rate) * h.income + np.float32(e.remittance_saving_share) * h.remittances
    owed = h.debt * np.float32(1 + e.debt_interest)
    paid = np.minimum(owed, saved)
    h.debt[:] = owed - paid
    h.savings += saved - paid
