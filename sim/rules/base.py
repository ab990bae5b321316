"""What a decision rule is, and the registry that finds rules by name.

A rule adds one term to a household's aspiration (log-odds of wanting to migrate) or to its
capability (USD it can raise to pay a smuggler). It has its own validated parameters (with defaults, for
third-party rules), a docstring saying what it models and on what evidence, and one or both of two forms
of one method: ``vectorised(h, env)`` over all households' columns (numpy; fast) and ``one(hh, d, env)``
for one household (plain Python; the model loops it over households, which is slow). Built-in rules have
both and the contract tests check they agree; they also say their term in the compiled step,
``compiled(env)``: coefficients on the household features of :mod:`sim.features`, which the tests check
against ``vectorised``.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from sim.registry import Registry

if TYPE_CHECKING:
    from sim.environment import Environment
    from sim.features import Term
    from sim.households import Households


class RuleParams(BaseModel):
    """Base for rule parameters: frozen, unknown keys rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule:
    """One term of the decision. Subclasses set ``name``, ``kind``, the two forms and ``Params`` if any."""

    name: ClassVar[str]
    kind: ClassVar[Literal["aspiration", "capability"]]
    Params: ClassVar[type[RuleParams]] = RuleParams  # none, unless the rule declares its own

    def __init__(self, params: RuleParams) -> None:
        self.params = params

    def vectorised(self, h: Households, env: Environment) -> np.ndarray:
        """Term for every household (one per row)."""
        raise NotImplementedError

    def one(self, hh: object, d: int, env: Environment) -> float:
        """Term for one household ``hh`` (any object with the column attributes) in department ``d``."""
        raise NotImplementedError

    def compiled(self, env: Environment) -> Term | None:
        """The term as the compiled step computes it: coefficients on household features (built-in rules).

        None for rules that are not compiled (third-party rules): the model evaluates them between the
        step's two halves, in their vectorised or per-household form.
        """
        return None

    @classmethod
    def has_vectorised(cls) -> bool:
        return cls.vectorised is not Rule.vectorised

    @classmethod
    def has_one(cls) -> bool:
        return cls.one is not Rule.one

    @classmethod
    def definition_problem(cls) -> str | None:
        """What is wrong with a rule class before it runs (kind, parameters, forms), or None."""
        kind = getattr(cls, "kind", None)
        if kind not in KINDS:
            return f"kind must be one of {', '.join(map(repr, KINDS))}, got {kind!r}"
        if not (isinstance(cls.Params, type) and issubclass(cls.Params, RuleParams)):
            return "Params must subclass sim.rules.RuleParams (which rejects misspelt parameters)"
        if not (cls.has_vectorised() or cls.has_one()):
            return "define vectorised(self, h, env), one(self, hh, d, env), or both"
        for form, arguments in (("vectorised", ("h", "env")), ("one", ("hh", "d", "env"))):
            if getattr(cls, form) is getattr(Rule, form):
                continue
            bound = not isinstance(inspect.getattr_static(cls, form), staticmethod | classmethod)
            try:
                inspect.signature(getattr(cls, form)).bind(*([None] if bound else []), *arguments)
            except TypeError:
                return f"{form} must take (self, {', '.join(arguments)})"
            except ValueError:  # a callable whose signature cannot be read: it will tell at run time
                continue
        return None


KINDS = ("aspiration", "capability")


RULES = Registry("rule", "migsim.rules", Rule)
register = RULES.register
get_rule = RULES.lookup
