"""Shared arithmetic of levers that enrol households: so many a year, shared among departments, at a unit cost."""

from __future__ import annotations

from functools import cached_property
from typing import ClassVar, Literal

import numpy as np

from sim.departments import load_departments
from sim.levers.base import Lever, TargetedConfig
from sim.programs import Program

Target = Literal["any", "poor", "aspiring", "children", "returnees"]


class EnrolmentConfig(TargetedConfig):
    """A lever that reaches households; subclasses add the amount per year, its duration, effect and cost."""


class EnrolmentLever(Lever):
    """Enrols ``per_year()`` real households a year, shared among its departments by census households."""

    per_year_field: ClassVar[str]
    unit_cost_field: ClassVar[str]
    months_field: ClassVar[str] = "effect_months"
    needs_worker: ClassVar[bool] = False
    lag_field: ClassVar[str | None] = None

    def households_per_year(self) -> float:
        return getattr(self.config, self.per_year_field)

    def share_by(self) -> np.ndarray:
        return load_departments().households.astype(float)

    def apply(self, env, params) -> float:
        n = self.households_per_year() / 12 * self.intensity(env.month)
        if n <= 0:
            return 0.0
        weights, total = self._shares
        env.enrol[self.label] = n * weights / total  # what split(n, share_by()) gives, without reading data monthly
        return n * self.unit_cost()

    @cached_property
    def _shares(self) -> tuple[np.ndarray, float]:
        weights = np.where(self.mask, self.share_by(), 0.0)
        return weights, weights.sum()

    def unit_cost(self) -> float:
        return getattr(self.config, self.unit_cost_field)

    def program(self) -> Program:
        c = self.config
        return Program(
            label=self.label,
            target=self.target(),
            months=getattr(c, self.months_field),
            effect=self.effect(),
            lag=getattr(c, self.lag_field) if self.lag_field else 0,
            needs_worker=self.needs_worker,
        )

    def target(self) -> str:
        return getattr(self.config, "targeting", "any")

    def effect(self):
        raise NotImplementedError
