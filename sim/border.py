"""What happens at the US border, by unit: surrender or evade, then what the US does with those it encounters.

The month's regime is a 3 x 3 table (``Environment.border``): for each group (single adults, family units,
unaccompanied children, :mod:`sim.units`), the share who **surrender** to claim asylum or protection, and of
those encountered, the share **expelled** (Title 42: sent back at once; the unit tries again soon, and each
attempt is another encounter, as in CBP's counts) and the share **released** into immigration proceedings
(families) or placed with sponsors (children); the rest are **removed** (MPP returns to Mexico count here:
in the model they wait outside the US, and go home). Those who evade are caught with the month's
apprehension probability, which enforcement raises; those who surrender are encountered whatever it is
(surrendering is not deterred by the risk of being caught). Released people are in the US (stock abroad,
remittances, network ties); their asylum cases are decided ``asylum_months`` later, denied with the TRAC
rate, and a share of the denied are removed then.

The defaults (``border`` in ``sim/data/parameters.yaml``) are the Title 8 regime before 2014; the dated
regimes since then are conditions (``us_border_regime``, ``sim/conditions/border_regime.py``) in
``scenarios/baseline.yaml``, each period with its source, and a scenario may end, change or add one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from sim.parameters import Parameters

SURRENDER, EXPEL, RELEASE = 0, 1, 2  # rows of the regime table; columns are sim.units groups
SETTINGS = ("surrender", "expel", "release")


class BorderParams(BaseModel):
    """The regime before any dated period (Title 8, 2002-2014), re-attempts after expulsion, and asylum."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    surrender_adult: float = Field(ge=0, le=1, description="share of single adults who surrender at the border")
    surrender_family: float = Field(ge=0, le=1, description="share of family units who surrender at the border")
    surrender_child: float = Field(
        ge=0, le=1, description="share of unaccompanied children who surrender at the border"
    )
    release_adult: float = Field(ge=0, le=1, description="share of encountered single adults released")
    release_family: float = Field(
        ge=0, le=1, description="share of encountered family units released into immigration proceedings"
    )
    release_child: float = Field(
        ge=0, le=1, description="share of encountered unaccompanied children placed with sponsors"
    )
    expelled_reattempt: float = Field(
        ge=0, le=1, description="monthly chance an expelled unit tries again (an expulsion uses up no attempt)"
    )
    asylum_months: int = Field(ge=1, le=240, description="months from release into proceedings to the asylum decision")
    asylum_denial: float = Field(ge=0, le=1, description="share of asylum decisions that deny")
    denied_removed: float = Field(ge=0, le=1, description="share of those denied asylum who are removed")


def default_regime(params: Parameters) -> np.ndarray:
    """The regime table before any condition: surrender and release from ``border``, no expulsions."""
    b = params.border
    table = np.zeros((len(SETTINGS), 3))
    table[SURRENDER] = b.surrender_adult, b.surrender_family, b.surrender_child
    table[RELEASE] = b.release_adult, b.release_family, b.release_child
    return table


def removed_later(params: Parameters) -> float:
    """Chance a released person is removed when the asylum case is decided (denied, then removed)."""
    return params.border.asylum_denial * params.border.denied_removed
