"""Household economy helpers shared by the compiled step, the reference implementation and inspection."""

from __future__ import annotations

import numpy as np

from sim.households import Households


def working_age_home(h: Households) -> np.ndarray:
    """Working-age members still at home (migrants are of working age)."""
    return h.working_age - h.members_abroad - h.legal_abroad - h.dead


def job_finding(unemployment: np.ndarray, separation: float) -> np.ndarray:
    """Monthly job-finding chance that keeps each department at its unemployment rate."""
    u = np.maximum(unemployment, 1e-3)
    return np.minimum(separation * (1 - u) / u, 1.0)
