"""Who goes: when a household sets out irregularly, it sends an adult alone, a family unit or a child alone.

A multinomial logit over the units the household can form (an adult alone is the reference, utility 0):

* **a family unit**: one parent with every child living at home, when another member stays behind. Its
  utility rises with department violence, with drought for farming households (Linke et al. 2023: 70.7%
  more family-unit apprehensions after drier growing seasons) and with rural poverty (Brookings/Duke 2022,
  "Rural poverty, climate change, and family migration from Guatemala"), and with the share of families the
  US regime releases into immigration proceedings (what the 2014, 2019 and 2021 surges followed);
* **an unaccompanied child**: one child, only when kin are abroad to receive them (reunification). Its
  utility rises with violence (Clemens 2017: homicides drove the apprehensions of unaccompanied children
  from the Northern Triangle, 2011-2016), with the number of kin abroad, and with the share of children the
  regime places with sponsors.

Violence is the department's homicide rate, in log units relative to the national 2018 rate. Every
coefficient is assumed (sizes from the directions the evidence gives) with a plausible range, until the
by-group calibration fits them. The compiled step (``sim/kernel.py``) reads the department part of each
utility from :func:`department_terms` and adds the household part; :func:`choose_one` is the same choice
for one household, for the per-agent reference model, and :func:`probabilities` the numpy form, for
inspection and tests.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sim.environment import REFERENCE_HOMICIDE

if TYPE_CHECKING:
    from sim.environment import Environment
    from sim.households import Households
    from sim.parameters import Parameters

ADULT, FAMILY, CHILD = 0, 1, 2
GROUPS = ("adult", "family", "child")  # the suffixes of the metrics by group (sim.metrics)
GROUP_NAMES = ("single adults", "family-unit members", "unaccompanied children")


class UnitParams(BaseModel):
    """Coefficients of the choice of unit (log-odds against an adult alone)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    family: float = Field(ge=-20, le=10, description="log-odds of a family unit against an adult alone, other terms 0")
    child: float = Field(ge=-20, le=10, description="log-odds of a child alone against an adult alone, other terms 0")
    family_violence: float = Field(
        ge=-3, le=5, description="family unit: log-odds per log of the department's homicide rate over 2018's national"
    )
    child_violence: float = Field(
        ge=-3, le=5, description="child alone: log-odds per log of the department's homicide rate over 2018's national"
    )
    family_drought: float = Field(
        ge=0, le=3, description="family unit: log-odds per unit of recent drought severity, farming households"
    )
    family_rural_poor: float = Field(
        ge=0, le=3, description="family unit: log-odds for rural households below the poverty line"
    )
    child_kin: float = Field(ge=0, le=3, description="child alone: log-odds per log(1 + kin and members abroad)")
    release: float = Field(
        ge=0,
        le=20,
        description="log-odds per unit of the share of the unit's group the US releases into proceedings "
        "(families) or places with sponsors (children): the regime's expected treatment",
    )


class UnitTerms(NamedTuple):
    """The department part of each unit's utility (one value per department), as the compiled step reads them."""

    family: np.ndarray
    child: np.ndarray
    family_drought: np.ndarray  # times the household's farming


def department_terms(env: Environment, params: Parameters) -> UnitTerms:
    """Each department's part of the family and child utilities this month (regime, violence, drought)."""
    from sim.border import RELEASE

    p = params.units
    violence = np.log(np.maximum(np.asarray(env.homicide, dtype=np.float64), 0.1) / REFERENCE_HOMICIDE)
    release = env.border[RELEASE]
    return UnitTerms(
        family=p.family + p.release * release[FAMILY] + p.family_violence * violence,
        child=p.child + p.release * release[CHILD] + p.child_violence * violence,
        family_drought=p.family_drought * np.asarray(env.drought_recent, dtype=np.float64),
    )


def choose_one(
    u: np.float32,
    terms: UnitTerms,
    params: Parameters,
    d: int,
    *,
    minors: int,
    members_home: int,
    ties: int,
    agricultural: bool,
    rural_poor: bool,
) -> int:
    """The unit one household sends, for uniform draw ``u`` (the compiled step computes the same, in float32)."""
    from sim.features import LOG1P

    p = params.units
    family_ok = minors >= 1 and members_home - 1 - minors >= 1
    child_ok = minors >= 1 and ties > 0
    e_family = (
        math.exp(terms.family[d] + terms.family_drought[d] * agricultural + p.family_rural_poor * rural_poor)
        if family_ok
        else 0.0
    )
    e_child = math.exp(terms.child[d] + p.child_kin * LOG1P[min(ties, 255)]) if child_ok else 0.0
    total = 1.0 + e_family + e_child
    if u < np.float32(1.0 / total):
        return ADULT
    return FAMILY if u < np.float32((1.0 + e_family) / total) else CHILD


def probabilities(h: Households, env: Environment, params: Parameters, poverty_line: float) -> np.ndarray:
    """Each household's chance of sending an adult, a family or a child if it sets out now (rows x 3)."""
    from sim.features import LOG1P

    p = params.units
    terms = department_terms(env, params)
    minors = h.minors.astype(np.int64)
    ties = h.relatives_abroad.astype(np.int64) + h.settled_abroad + h.members_abroad + h.legal_abroad
    poor = h.income < poverty_line * np.maximum(h.members_home, 1)
    family = (
        h.per_household(terms.family, np.float64)
        + h.per_household(terms.family_drought, np.float64) * h.agricultural
        + p.family_rural_poor * (h.rural & poor)
    )
    child = h.per_household(terms.child, np.float64) + p.child_kin * LOG1P[np.minimum(ties, 255)]
    e_family = np.where((minors >= 1) & (h.members_home - 1 - minors >= 1), np.exp(family), 0.0)
    e_child = np.where((minors >= 1) & (ties > 0), np.exp(child), 0.0)
    total = 1.0 + e_family + e_child
    return np.stack([1.0 / total, e_family / total, e_child / total], axis=1)


def persons(unit: int, minors: int) -> tuple[int, int]:
    """People travelling in a unit, and how many of them are children: a family is one parent and the children."""
    if unit == FAMILY:
        return 1 + minors, minors
    return 1, int(unit == CHILD)
