"""Built-in policy levers; importing this package registers them."""

from sim.levers import (  # noqa: F401
    border_enforcement,
    community_health,
    community_programs,
    education_investment,
    humanitarian_processing,
    job_programs,
    legal_aid,
    legal_pathways,
    microfinance,
    public_awareness,
    security,
    vocational_training,
)
from sim.levers.base import LEVERS, Lever, LeverConfig, TargetedConfig, get_lever, register

__all__ = ["LEVERS", "Lever", "LeverConfig", "TargetedConfig", "get_lever", "register"]
