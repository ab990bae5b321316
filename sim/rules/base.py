"""What a decision rule is, and the registry that finds rules by name.

A rule adds one term to a household's aspiration (log-odds of wanting to migrate) or to its
capability (USD it can raise to pay a smuggler). It has its own validated parameters, a vectorised
form over all households and a per-household form for the reference implementation; both must agree.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

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


RULES: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: make a rule available by its ``name``."""
    RULES[cls.name] = cls
    return cls


def get_rule(name: str) -> type[Rule]:
    """Look up a rule; an unknown name says the nearest valid names."""
    try:
        return RULES[name]
    except KeyError:
        near = difflib.get_close_matches(name, RULES, n=3)
        hint = f"; did you mean {', '.join(repr(n) for n in near)}?" if near else ""
        raise KeyError(f"unknown rule {name!r}{hint} (known: {', '.join(sorted(RULES))})") from None
