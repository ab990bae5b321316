"""The rules a run uses: every built-in rule with its weight, plus third-party rules a scenario adds.

Built-in rules run inside the compiled step (their weights scale their terms there). Third-party rules run
between the step's two halves, after the month's economy and before the decision, so they see the
household as the built-in rules do: their vectorised form on the columns, or, failing that, their
per-household form looped over households (slow: the model says so once).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from sim.parameters import Parameters
from sim.rules import RULES, Rule
from sim.scenario import Scenario

log = logging.getLogger(__name__)


@dataclass
class RuleSet:
    built_in: dict[str, Rule]
    weights: dict[str, float]
    extra: list[tuple[str, Rule, float]] = field(default_factory=list)  # label, rule, weight

    def weighted(self) -> Iterator[tuple[Rule, float]]:
        """Every rule with its weight (built-in first), for the reference implementation and inspection."""
        for name, rule in self.built_in.items():
            yield rule, self.weights[name]
        for _, rule, weight in self.extra:
            yield rule, weight

    def weight(self, name: str) -> float:
        return self.weights[name]

    def extra_terms(self, h, env, views=None) -> tuple[np.ndarray, np.ndarray]:
        """Third-party aspiration (log-odds) and capability (USD) terms, summed with their weights."""
        utility = np.zeros(h.n)
        resources = np.zeros(h.n)
        for _, rule, weight in self.extra:
            if rule.has_vectorised():
                term = np.asarray(rule.vectorised(h, env), dtype=np.float64)
            else:
                term = np.zeros(h.n)
                for view in views():
                    term[view.row] = rule.one(view, view.d, env)
            (utility if rule.kind == "aspiration" else resources)[:] += weight * term
        return utility, resources


def build_rules(params: Parameters, scenario: Scenario | None = None) -> RuleSet:
    """Instantiate the built-in rules with the run's parameters and the scenario's rule choices."""
    built_in = {name: cls(params[name]) for name, cls in RULES.items()}
    weights = dict.fromkeys(built_in, 1.0)
    extra = []
    for label, choice in scenario.rules if scenario else ():
        if choice.rule in RULES:
            weights[choice.rule] = choice.weight
            continue
        cls = RULES.lookup(choice.rule)
        if not cls.has_vectorised():
            log.warning(
                "rule %s has only a per-household form: each month it runs one household at a time in "
                "Python (slow at scale); give it a vectorised form",
                label,
            )
        extra.append((label, cls(cls.Params.model_validate(choice.params)), choice.weight))
    return RuleSet(built_in, weights, extra)
