"""What a policy lever is: where, when, how much, at what cost; and the registry of levers by name.

A lever edits the month's :class:`~sim.environment.Environment` and returns what it cost that month in
USD. A lever that reaches households rather than whole departments also declares a
:class:`~sim.programs.Program` and asks, through ``env.enrol``, how many households to enrol.

A lever also declares which of its settings are *effect sizes* (what the money buys: an aspiration
shift, a factor on apprehension) and which are *unit costs*, each group with a plausible range of a
relative factor (:class:`Scale`). A scenario states the values (a policy choice); a plausible world
multiplies the effect's distance from "no effect", or the cost, by a factor drawn from that range
(:mod:`sim.uncertainties`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from sim.environment import SlotPool
from sim.registry import Registry
from sim.schedule import Activity, PlacedConfig, TimedConfig

if TYPE_CHECKING:
    from sim.environment import Environment
    from sim.parameters import Parameters
    from sim.programs import Program


class LeverConfig(TimedConfig):
    """Settings every lever shares: its type (if the label is not its name) and when it acts."""

    # a key a lever no longer has -> the key that replaced it, named in the error instead of the nearest spelling
    replaced_keys: ClassVar[dict[str, str]] = {}

    lever: str | None = Field(None, description="lever type, when the scenario label is not the lever's name")


class TargetedConfig(LeverConfig, PlacedConfig):
    """A lever that acts in chosen departments."""


@dataclass(frozen=True)
class Scale:
    """A relative uncertainty on some of a lever's settings, one factor for the group.

    In a world each setting becomes ``neutral + (stated - neutral) * factor``, clipped to its allowed range.
    ``settings`` maps each setting to its neutral value, the value at which it does nothing (0 for a shift
    or a cost, 1 for a factor), so a factor of 0.5 halves the effect whatever its sign or form. ``low`` and
    ``high`` bound the factor (they contain 1: the scenario as stated); ``why`` gives the reason.
    """

    kind: Literal["effect", "cost"]
    settings: Mapping[str, float]
    low: float
    high: float
    why: str


def effect_scale(settings: Mapping[str, float], low: float, high: float, why: str) -> Scale:
    """The lever's effect sizes (setting -> its neutral value), scaled together by one factor."""
    return Scale("effect", settings, low, high, why)


def cost_scale(settings: tuple[str, ...], low: float, high: float, why: str) -> Scale:
    """The lever's unit costs, multiplied together by one factor."""
    return Scale("cost", dict.fromkeys(settings, 0.0), low, high, why)


COST_WHY = "judgement: unit costs of public programs are uncertain, and overruns are more common than savings"


class Lever(Activity):
    """A configured lever. Subclasses set ``name``, ``summary``, ``Config``, ``apply`` and ``uncertain``."""

    name: ClassVar[str]
    summary: ClassVar[str]
    Config: ClassVar[type[LeverConfig]]
    uncertain: ClassVar[tuple[Scale, ...]] = ()  # its effect sizes and unit costs with plausible factors
    # cost settings that are budgets: spent as stated, what they buy is the effect (its scale), so no cost scale
    budgets: ClassVar[tuple[str, ...]] = ()

    def apply(self, env: Environment, params: Parameters) -> float:
        """Edit ``env`` for its month; return the cost of this month in USD."""
        raise NotImplementedError

    def program(self) -> Program | None:
        """The program this lever enrols households in, if it reaches households."""
        return None

    def offer(self, pools: list[SlotPool], per_year: float, uptake: float, unit_cost: float, month: int) -> float:
        """Offer this month's places (visas, cases) in the lever's departments; return what those taken up cost.

        ``per_year`` places a year, ramped in by the lever's intensity, less those not taken up (``uptake``).
        """
        places = per_year / 12 * uptake * self.intensity(month)
        if places <= 0:
            return 0.0
        pools.append(SlotPool(places, self.mask))
        return places * unit_cost


LEVERS = Registry("lever", "migsim.levers", Lever)
register = LEVERS.register
get_lever = LEVERS.lookup
