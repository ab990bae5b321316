"""When and where a lever or a condition acts: the settings and arithmetic they share."""

from __future__ import annotations

from functools import cache, cached_property
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import BeforeValidator, ConfigDict, Field, PlainSerializer, ValidationInfo, field_validator

from sim.calendar import format_month, parse_month
from sim.departments import N_DEPARTMENTS, load_departments, read_csv
from sim.schema import NumbersNotBooleans

Month = Annotated[int, BeforeValidator(parse_month), PlainSerializer(format_month, return_type=str)]


class TimedConfig(NumbersNotBooleans):
    """When: start, optional end, and a linear ramp-up."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)
    # a dated period of history (the baseline's border regimes): a run that starts after it or ends before it
    # simply does not see it, which is no mistake; for everything else a window outside the run is a wrong date
    history: ClassVar[bool] = False

    start: Month = Field(description="first month it acts, YYYY-MM")
    end: Month | None = Field(None, description="last month it acts, YYYY-MM (none: until the horizon)")
    ramp_months: int = Field(0, ge=0, le=120, description="months to reach full strength, growing linearly")

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: int | None, info: ValidationInfo) -> int | None:
        start = info.data.get("start")
        if end is not None and start is not None and end < start:
            raise ValueError(f"end ({format_month(end)}) is before start ({format_month(start)})")
        return end


class PlacedConfig(TimedConfig):
    """Where: department names or INE codes, or all."""

    departments: Literal["all"] | list[str | int] = Field(
        "all", description="department names or INE codes (1-22), or 'all'"
    )

    @field_validator("departments", mode="before")
    @classmethod
    def _list_or_all(cls, value: Any) -> Any:
        """One department without brackets, or ``[all]``: say how to write it rather than two puzzling errors."""
        if isinstance(value, str | int) and not isinstance(value, bool) and value != "all":
            raise ValueError(f"write a list, e.g. [{value}], or all")
        if isinstance(value, list) and "all" in value:
            raise ValueError("write all without brackets (departments: all), or list departments")
        return value

    @field_validator("departments")
    @classmethod
    def _known(cls, value: Any) -> Any:
        if value != "all":
            if not value:
                raise ValueError("list at least one department, or write 'all'")
            departments = load_departments()
            unknown = []
            for item in value:
                try:
                    departments.index(item)
                except KeyError as exc:
                    unknown.append(exc.args[0])
            if unknown:
                raise ValueError(f"{'; '.join(unknown)} (names or INE codes 1-22; `migsim departments` lists them)")
        return value

    def department_mask(self) -> np.ndarray:
        mask = np.zeros(N_DEPARTMENTS, dtype=bool)
        if self.departments == "all":
            mask[:] = True
        else:
            departments = load_departments()
            mask[[departments.index(d) for d in self.departments]] = True
        return mask


@cache
def occupied_population() -> np.ndarray:
    """Census 2018 occupied population by department (for sharing jobs)."""
    rows = sorted(read_csv("departments.csv"), key=lambda r: int(r["ine_code"]))
    return np.array([float(r["total_occupied_census2018"]) for r in rows])


class Activity:
    """A configured lever or condition in a run: its label, settings and strength over time."""

    def __init__(self, label: str, config: TimedConfig) -> None:
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

    def cumulative(self, month: int) -> float:
        """Sum of the monthly intensity from the start up to ``month`` (for things that accumulate)."""
        return float(sum(self.intensity(m) for m in range(self.config.start, month + 1)))

    @cached_property
    def mask(self) -> np.ndarray:
        """Departments it acts in (all, for settings without ``departments``)."""
        if isinstance(self.config, PlacedConfig):
            return self.config.department_mask()
        return np.ones(N_DEPARTMENTS, dtype=bool)

    def split(self, amount: float, by: np.ndarray) -> np.ndarray:
        """Share ``amount`` among its departments in proportion to ``by`` (e.g. census households)."""
        weights = np.where(self.mask, by, 0.0)
        return amount * weights / weights.sum()
