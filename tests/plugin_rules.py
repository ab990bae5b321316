"""Third-party-style rules for the plugin tests, loaded by dotted path (tests.plugin_rules:Name)."""

from __future__ import annotations

import numpy as np
from pydantic import Field

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
