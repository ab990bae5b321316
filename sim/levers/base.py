"""What a policy lever is: where, when, how much, at what cost; and the registry of levers by name.

A lever edits the month's :class:`~sim.environment.Environment` and returns what it cost that month in
USD. A lever that reaches households rather than whole departments also declares a
:class:`~sim.programs.Program` and asks, through ``env.enrol``, how many households to enrol.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from pydantic import Field

from sim.registry import Registry
from sim.schedule import Activity, PlacedConfig, TimedConfig

if TYPE_CHECKING:
    from sim.environment import Environment
    from sim.parameters import Parameters
    from sim.programs import Program


class LeverConfig(TimedConfig):
    """Settings every lever shares: its type (if the label is not its name) and when it acts."""

    lever: str | None = Field(None, description="lever type, when the scenario label is not the lever's name")


class TargetedConfig(LeverConfig, PlacedConfig):
    """A lever that acts in chosen departments."""


class Lever(Activity):
    """A configured lever. Subclasses set ``name``, ``summary``, ``Config`` and ``apply``."""

    name: ClassVar[str]
    summary: ClassVar[str]
    Config: ClassVar[type[LeverConfig]]

    def apply(self, env: Environment, params: Parameters) -> float:
        """Edit ``env`` for its month; return the cost of this month in USD."""
        raise NotImplementedError

    def program(self) -> Program | None:
        """The program this lever enrols households in, if it reaches households."""
        return None


LEVERS = Registry("lever", "migsim.levers", Lever)
register = LEVERS.register
get_lever = LEVERS.lookup
