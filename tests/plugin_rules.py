"""Third-party-style rules for the plugin tests, loaded by dotted path (tests.plugin_rules:Name)."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field

from sim.rules import Rule, RuleParams


class AnxietyParams(RuleParams):
    per_member_abroad: float = Field(0.4, ge=-5, le=5, description="log-odds per relative or member abroad")


class Anxiety(Rule):
    """Worry for members abroad: a test rule with both forms (assumed, for tests only)."""

    name = "anxiety"
    kind = "aspiration"
    Params = AnxietyParams

    def vectorised(self, h, env):
        return self.params.per_member_abroad * (h.relatives_abroad.astype(np.float64) + h.members_abroad)

    def one(self, hh, d, env):
        return self.params.per_member_abroad * (hh.relatives_abroad + hh.members_abroad)


class SlowAnxiety(Anxiety):
    """The same rule with only a per-household form (the model loops it, slowly)."""

    name = "slow_anxiety"
    vectorised = Rule.vectorised


class LoanFromChurch(Rule):
    """A capability term: every household can borrow a fixed sum (for tests only)."""

    name = "church_loan"
    kind = "capability"

    class Params(RuleParams):
        """How much."""

        usd: float = Field(5000, ge=0, le=100000)

    def vectorised(self, h, env):
        return np.full(h.n, self.params.usd)

    def one(self, hh, d, env):
        return self.params.usd


# rules that break the contract, each in one way a researcher's first draft might
class ForgotReturn(Anxiety):
    """Computes its term and forgets to return it (None)."""

    name = "forgot_return"

    def vectorised(self, h, env):
        self.params.per_member_abroad * h.members_abroad


class PerDepartment(Anxiety):
    """Returns one value per department instead of one per household."""

    name = "per_department"

    def vectorised(self, h, env):
        return np.zeros(22)


class SomeNaN(Anxiety):
    """NaN for some households (as a division by zero would give)."""

    name = "some_nan"

    def vectorised(self, h, env):
        return np.where(np.arange(h.n) % 7 == 3, np.nan, 0.0)


class Crashes(Anxiety):
    """Raises inside its vectorised form."""

    name = "crashes"

    def vectorised(self, h, env):
        return h.no_such_column


class Aspirational(Anxiety):
    """A misspelt kind."""

    name = "aspirational"
    kind = "aspirational"


class WrongSignature(Anxiety):
    """vectorised without env."""

    name = "wrong_signature"

    def vectorised(self, h):
        return np.zeros(h.n)


class PlainParams(Anxiety):
    """Parameters from a plain pydantic model (would accept misspelt keys)."""

    name = "plain_params"

    class Params(BaseModel):  # noqa: D106
        per_member_abroad: float = 0.4


class StaticForms(Anxiety):
    """Both forms as static methods: a valid rule (nothing of the instance is needed)."""

    name = "static_forms"

    @staticmethod
    def vectorised(h, env):
        return np.zeros(h.n)

    @staticmethod
    def one(hh, d, env):
        return 0.0
