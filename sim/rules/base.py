"""What a decision rule is, and the registry that finds rules by name.

A rule adds one term to a household's aspiration (log-odds of wanting to migrate) or to its
capability (USD it can raise to pay a smuggler). It has its own validated parameters, a vectorised
form over all households and a per-household form for the reference implementation; both must agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from sim.registry import Registry

if TYPE_CHECKING:
    from sim.environment import Environment
    from sim.households import Households


class RuleParams(BaseModel):
    """Base for rule parameters: frozen, unknown keys rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule:
    """One term of the decision. Subclasses set ``name``, ``kind``, ``Params`` and the two forms."""

    name: ClassVar[str]
    kind: ClassVar[Literal["aspiration", "capability"]]
    Params: ClassVar[type[RuleParams]]

    def __init__(self, params: RuleParams) -> None:
        self.params = params

    def vectorised(self, h: Households, env: Environment) -> np.ndarray:
        """Term for every household (float32, one per row)."""
        raise NotImplementedError

    def one(self, hh: object, d: int, env: Environment) -> float:
        """Term for one household ``hh`` (any object with the column attributes) in department ``d``."""
        raise NotImplementedError


RULES = Registry("rule")
register = RULES.register
get_rule = RULES.lookup
