"""The rules a run uses: every built-in rule with its weight, plus third-party rules a scenario adds.

Built-in rules run inside the compiled step (their weights scale their terms there). Third-party rules run
between the step's two halves, after the month's economy and before the decision, so they see the
household as the built-in rules do: their vectorised form on the columns, or, failing that, their
per-household form looped over households (slow: the model says so once).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from sim.errors import RuleError
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
        """Third-party aspiration (log-odds) and capability (USD) terms, summed with their weights.

        A term must be one finite number per household: anything else (None, NaN, one value per
        department) would silently change every household's decision, so it stops the run, naming the rule.
        """
        utility = np.zeros(h.n)
        resources = np.zeros(h.n)
        for label, rule, weight in self.extra:
            term = _term(label, rule, h, env, views)
            (utility if rule.kind == "aspiration" else resources)[:] += weight * term
        return utility, resources


def _term(label: str, rule: Rule, h, env, views) -> np.ndarray:
    name = f"rule {label!r} ({type(rule).__module__}.{type(rule).__qualname__})"
    form = "vectorised" if rule.has_vectorised() else "one"
    try:
        if form == "vectorised":
            term = np.asarray(rule.vectorised(h, env), dtype=np.float64)
        else:
            term = np.zeros(h.n)
            for view in views():
                term[view.row] = rule.one(view, view.d, env)
    except Exception as exc:
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        raise RuleError(
            f"{name}: {form} failed with {type(exc).__name__}: {exc} (at {frame.filename}:{frame.lineno})"
        ) from exc
    if term.shape != (h.n,):
        got = "None or a single number" if term.shape == () else f"shape {term.shape}"
        raise RuleError(f"{name}: {form} must return one number per household, shape ({h.n},); got {got}")
    bad = ~np.isfinite(term)
    if bad.any():
        raise RuleError(
            f"{name}: {form} returned {int(bad.sum()):,} values that are not finite numbers (NaN or infinite), "
            f"e.g. for household row {int(np.argmax(bad))}"
        )
    return term


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
