"""A dated US border regime: who surrenders, who is expelled and who is released, by group, for a period.

Each period of US policy since 2002 is one of these in ``scenarios/baseline.yaml`` (family detention
2014-15, releases after the Flores ruling, zero tolerance, MPP, Title 42 by fiscal year, CBP One, 2025), with
its source. A period sets the shares it names while it lasts (others keep what earlier conditions, or the
``border`` parameters, gave); later conditions in the scenario override earlier ones, so a scenario can end a
period (``end:``), remove it (``label: null``) or add one, e.g. no release of families from 2027. With
``ramp_months`` the shares move linearly from the previous ones. What the shares do is in :mod:`sim.border`.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, model_validator

from sim.border import EXPEL, RELEASE, SETTINGS, SURRENDER
from sim.conditions.base import Condition, ConditionConfig, register
from sim.units import GROUPS

ROWS = {"surrender": SURRENDER, "expel": EXPEL, "release": RELEASE}


def _share(what: str) -> object:
    return Field(None, ge=0, le=1, description=what + "; unset: as before this period")


class UsBorderRegimeConfig(ConditionConfig):
    history: ClassVar[bool] = True  # a period outside a run's window is part of the record, not a wrong date

    surrender_adult: float | None = _share("share of single adults who surrender to claim asylum")
    surrender_family: float | None = _share("share of family units who surrender to claim asylum")
    surrender_child: float | None = _share("share of unaccompanied children who surrender")
    expel_adult: float | None = _share("share of encountered single adults expelled (Title 42)")
    expel_family: float | None = _share("share of encountered family units expelled (Title 42)")
    expel_child: float | None = _share("share of encountered unaccompanied children expelled (Title 42)")
    release_adult: float | None = _share("share of encountered single adults released into proceedings")
    release_family: float | None = _share("share of encountered family units released into proceedings")
    release_child: float | None = _share("share of encountered unaccompanied children placed with sponsors")
    source: str = Field("", max_length=2000, description="where the period and its shares come from")

    @model_validator(mode="after")
    def _expelled_or_released(self) -> UsBorderRegimeConfig:
        for group in GROUPS:
            expel, release = getattr(self, f"expel_{group}"), getattr(self, f"release_{group}")
            if expel is not None and release is not None and expel + release > 1:
                raise ValueError(
                    f"expel_{group} ({expel:g}) + release_{group} ({release:g}) is above 1: they are shares of the "
                    "same encounters (the rest are removed)"
                )
        return self


@register
class UsBorderRegime(Condition):
    """The US treatment of each group at the border for a period; unset shares are left as they were."""

    name = "us_border_regime"
    summary = "US border regime by group (surrender, expulsion, release) for a period"
    Config = UsBorderRegimeConfig

    def apply(self, env, params):
        strength = self.intensity(env.month)
        if strength == 0:
            return
        border = env.border.copy()
        for setting in SETTINGS:
            for g, group in enumerate(GROUPS):
                value = getattr(self.config, f"{setting}_{group}")
                if value is not None:
                    row = ROWS[setting]
                    border[row, g] += (value - border[row, g]) * strength
        # expelled first, released of the rest: a release share set before an expulsion period gives way to it
        border[RELEASE] = border[RELEASE].clip(max=1 - border[EXPEL])
        env.border = border
