"""What a policy lever is: where, when, how much, at what cost; and the registry of levers by name.

A lever edits the month's :class:`~sim.environment.Environment` (never household columns directly)
and returns what it cost that month in USD. Households then respond through the rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, ValidationInfo, field_validator

from sim.calendar import format_month, parse_month
from sim.departments import N_DEPARTMENTS, load_departments
from sim.registry import Registry

if TYPE_CHECKING:
    from sim.environment import Environment
    from sim.parameters import Parameters

Month = Annotated[int, BeforeValidator(parse_month), PlainSerializer(format_month, return_type=str)]


class LeverConfig(BaseModel):
    """Settings every lever shares: its type (if the label is not its name) and when it acts."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    lever: str | None = Field(None, description="lever type, when the scenario label is not the lever's name")
    start: Month = Field(description="first month the lever acts, YYYY-MM")
    end: Month | None = Field(None, description="last month the lever acts, YYYY-MM (none: until the horizon)")
    ramp_months: int = Field(0, ge=0, le=120, description="months to reach full strength, growing linearly")

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: int | None, info: ValidationInfo) -> int | None:
        start = info.data.get("start")
        if end is not None and start is not None and end < start:
            raise ValueError(f"end ({format_month(end)}) is before start ({format_month(start)})")
        return end


class TargetedConfig(LeverConfig):
    """A lever that acts in chosen departments."""

    departments: Literal["all"] | list[str | int] = Field(
        "all", description="department names or INE codes (1-22), or 'all'"
    )

    @field_validator("departments")
    @classmethod
    def _known(cls, value: Any) -> Any:
        if value != "all":
            if not value:
                raise ValueError("list at least one department, or write 'all'")
            departments = load_departments()
            for item in value:
                try:
                    departments.index(item)
                except KeyError as exc:
                    raise ValueError(
                        f"{exc.args[0]} (names or INE codes 1-22; `migsim departments` lists them)"
                    ) from None
        return value

    def department_mask(self) -> np.ndarray:
        mask = np.zeros(N_DEPARTMENTS, dtype=bool)
        if self.departments == "all":
            mask[:] = True
        else:
            departments = load_departments()
            mask[[departments.index(d) for d in self.departments]] = True
        return mask


class Lever:
    """A configured lever in a run. Subclasses set ``name``, ``Config``, ``summary`` and ``apply``."""

    name: ClassVar[str]
    summary: ClassVar[str]
    Config: ClassVar[type[LeverConfig]]

    def __init__(self, label: str, config: LeverConfig) -> None:
        self.label = label
        self.config = config

    def intensity(self, month: int) -> float:
        """0 outside the active window, rising linearly to 1 over ``ramp_months``."""
        c = self.config
        if month < c.start or (c.end is not None and month > c.end):
            return 0.0
        if c.ramp_months == 0:
            return 1.0
        return min(1.0, (month - c.start + 1) / c.ramp_months)

    def apply(self, env: Environment, params: Parameters) -> float:
        """Edit ``env`` for its month; return the cost of this month in USD."""
        raise NotImplementedError


LEVERS = Registry("lever")
register = LEVERS.register
get_lever = LEVERS.lookup
