"""Household features: what the compiled step works out once per household for the built-in rules to weigh.

A built-in rule tells the compiled step its term as coefficients on these features (``Rule.compiled``,
a :class:`Term`): one number, or one per department where the effect differs by place. The step adds up
every rule's coefficients per feature and department (:func:`sim.step.coefficients`), and the households'
month (``sim/kernel.py``) multiplies each feature by its coefficient. So a new rule that uses these features
is written in its own module only; a rule that needs a feature not here declares it in ``ASPIRATION`` or
``CAPABILITY`` (its meaning and numpy form) and adds it to the kernel's sum (docs/adding-to-the-step.md).

Some features take a setting from the rule that uses them (``SETTINGS``, e.g. how many months a crime counts
as recent); the rule gives it in its :class:`Term`.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

LOG1P = np.log1p(np.arange(256, dtype=np.float64))  # ties and members are small integers: a lookup beats log1p


def ties(h) -> np.ndarray:
    """Extended kin abroad plus household members abroad (left before 2002, irregular or on a visa), per household."""
    return h.relatives_abroad.astype(np.int16) + h.settled_abroad + h.members_abroad + h.legal_abroad


@dataclass(frozen=True)
class Feature:
    """A household feature: its meaning, and its numpy form for inspection and tests."""

    meaning: str
    # every household's value (float64) from the households ``h`` (with ``h.effects`` this month's program
    # effects, sim.programs.effects), the month index and the settings of the features
    value: Callable[[Any, int, dict[str, float]], np.ndarray]


# aspiration features (a coefficient on one is log-odds per unit), in the order the compiled step adds them
ASPIRATION: dict[str, Feature] = {
    "place": Feature(
        "1 for every household: its coefficient is what all of a department's households share",
        lambda h, month, s: np.ones(h.n),
    ),
    "not_employed": Feature("1 when the main earner has no work", lambda h, month, s: (~h.employed).astype(float)),
    "log_income": Feature(
        "log of the household's income this month (USD, at least 1)",
        lambda h, month, s: np.log(np.maximum(h.income.astype(np.float64), 1.0)),
    ),
    "log_members_home": Feature(
        "log of the members living at home (at least 1)",
        lambda h, month, s: LOG1P[np.maximum(h.members_home, 1) - 1],
    ),
    "recently_victimised": Feature(
        "1 when the household suffered a crime in the last `victim_memory` months",
        lambda h, month, s: (month - h.victim_month.astype(np.int64) < s["victim_memory"]).astype(float),
    ),
    "children": Feature("1 when the household has members under 15", lambda h, month, s: h.children.astype(float)),
    "head_education": Feature(
        "years of schooling of the household head", lambda h, month, s: h.head_education.astype(float)
    ),
    "log_ties": Feature("log(1 + relatives and members abroad)", lambda h, month, s: LOG1P[np.minimum(ties(h), 255)]),
    "perceived_risk": Feature(
        "what the household's programs add to the perceived chance an attempt fails (program effect)",
        lambda h, month, s: h.effects.perceived_risk.astype(np.float64),
    ),
    "program_aspiration": Feature(
        "log-odds the household's programs add (program effect `aspiration`)",
        lambda h, month, s: h.effects.aspiration.astype(np.float64),
    ),
    "agricultural": Feature(
        "1 when the main earner works in agriculture", lambda h, month, s: h.agricultural.astype(float)
    ),
}
# capability features (a coefficient on one is USD per unit), in the order the compiled step adds them
CAPABILITY: dict[str, Feature] = {
    "savings": Feature("liquid savings, USD", lambda h, month, s: h.savings.astype(np.float64)),
    "credit": Feature(
        "what a local lender would advance: `credit_months` of income less the debt owed, at least 0 (USD)",
        lambda h, month, s: np.maximum(s["credit_months"] * h.income.astype(np.float64) - h.debt, 0.0),
    ),
    "lending_ties": Feature(
        "relatives and members abroad, at most `max_ties` (each may lend towards the fee)",
        lambda h, month, s: np.minimum(ties(h), s["max_ties"]).astype(np.float64),
    ),
    "place": Feature(
        "1 for every household: its coefficient is what all of a department's households share",
        lambda h, month, s: np.ones(h.n),
    ),
}
FEATURES = {"aspiration": ASPIRATION, "capability": CAPABILITY}
# settings of features, each given by the one rule that uses the feature
SETTINGS: dict[str, str] = {
    "victim_memory": "months a crime counts as recent (feature recently_victimised)",
    "credit_months": "months of income a local lender advances (feature credit)",
    "max_ties": "most relatives and members abroad who lend (feature lending_ties)",
}

# the coefficients as the compiled step takes them: one array per feature, one value per department
AspirationCoefficients = namedtuple("AspirationCoefficients", ASPIRATION)
CapabilityCoefficients = namedtuple("CapabilityCoefficients", CAPABILITY)


@dataclass(frozen=True)
class Term:
    """A built-in rule's term in the compiled step: coefficients on features, settings of the features it uses.

    A coefficient is one number, or an array with one per department. The rule's weight multiplies them all.
    """

    coefficients: dict[str, float | np.ndarray]
    settings: dict[str, float] = field(default_factory=dict)


def evaluate(term: Term, kind: str, h, month: int) -> np.ndarray:
    """What ``term`` adds for every household (float64): its coefficients times the features' numpy forms.

    The compiled step computes the same, household by household; ``h.effects`` must hold this month's
    program effects (:func:`sim.programs.effects`).
    """
    total = np.zeros(h.n)
    for name, coefficient in term.coefficients.items():
        c = np.asarray(coefficient, dtype=np.float64)
        total += (h.per_household(c, np.float64) if c.ndim else c) * FEATURES[kind][name].value(h, month, term.settings)
    return total
