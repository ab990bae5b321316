"""Built-in policy levers; importing this package registers them."""

from sim.levers import border_enforcement, job_programs  # noqa: F401
from sim.levers.base import LEVERS, Lever, LeverConfig, TargetedConfig, get_lever, register

__all__ = ["LEVERS", "Lever", "LeverConfig", "TargetedConfig", "get_lever", "register"]
