"""Contracts every rule and lever must keep; run by migsim's tests over every registered one, and by plugins' own.

A rule's terms have one value per household, are finite, come out the same when asked twice, leave the
households' columns untouched, and its vectorised and per-household forms (where it has both) agree. A
lever's edits to the month's environment are finite and repeatable, it does nothing before it starts,
and its cost is a finite, non-negative number of dollars.

    from sim.contracts import check_rule, check_lever
    check_rule(MyRule)                       # raises AssertionError with what is wrong
    check_lever(MyLever, {"start": "2026-01", ...})
"""

from __future__ import annotations

import copy
import sys
from typing import Any

import numpy as np

from sim.calendar import parse_month
from sim.model import HouseholdAgent, MigrationModel
from sim.parameters import default_parameters
from sim.programs import effects
from sim.rules import RULES, Rule
from sim.scenario import validate_scenario
from sim.schedule import Activity

MONTH = "2026-06"


def _model(levers: dict | None = None, households_per_agent: float = 20000) -> MigrationModel:
    """A small model a few months into 2026, for trying rules and levers on realistic households."""
    scenario = validate_scenario({"name": "contract", "start": "2026-01", "end": "2026-12", "levers": levers or {}})
    model = MigrationModel(scenario, seed=3, households_per_agent=households_per_agent)
    while model.month < parse_month(MONTH):
        model.step()
    return model


def check_rule(cls: type[Rule], params: dict[str, Any] | None = None, households_per_agent: float = 20000) -> None:
    """Assert the rule's contract on a small, realistic population (about 160 households)."""
    assert cls.kind in ("aspiration", "capability"), f"{cls.__name__}.kind must be 'aspiration' or 'capability'"
    assert cls.has_vectorised() or cls.has_one(), f"{cls.__name__} needs vectorised() or one()"
    documented = (cls.__doc__ or "").strip() or (sys.modules[cls.__module__].__doc__ or "").strip()
    assert documented, f"{cls.__name__} needs a docstring saying what it models and on what evidence"
    if params is None and RULES.get(cls.name) is cls:  # built-in: its values are in parameters.yaml
        params = default_parameters()[cls.name].model_dump()
    rule = cls(cls.Params.model_validate(params or {}))
    model = _model(households_per_agent=households_per_agent)
    h = model.households
    env, _ = model.environment()
    h.effects = effects(h, model.programs, model.month)
    before = {name: column.copy() for name, column in h.columns.items()}
    forms = {}
    if cls.has_vectorised():
        first = np.asarray(rule.vectorised(h, env))
        second = np.asarray(rule.vectorised(h, env))
        assert first.shape == (h.n,), f"vectorised() gave shape {first.shape}, expected ({h.n},)"
        assert np.issubdtype(first.dtype, np.floating), f"vectorised() gave {first.dtype}, expected floats"
        assert np.isfinite(first).all(), "vectorised() gave NaN or infinite values"
        assert np.array_equal(first, second), "vectorised() gave different values when asked twice"
        forms["vectorised"] = first.astype(np.float64)
    if cls.has_one():
        views = model.agents_by_type[HouseholdAgent]
        values = np.zeros(h.n)
        for view in views:
            values[view.row] = rule.one(view, view.d, env)
        assert np.isfinite(values).all(), "one() gave NaN or infinite values"
        again = [rule.one(view, view.d, env) for view in list(views)[:20]]
        assert np.array_equal(values[:20], again), "one() gave different values when asked twice"
        forms["one"] = values
    for name, column in h.columns.items():
        assert np.array_equal(column, before[name], equal_nan=True), f"the rule changed the column {name!r}"
    if len(forms) == 2:
        np.testing.assert_allclose(
            forms["vectorised"], forms["one"], rtol=1e-4, atol=1e-4, err_msg="vectorised() and one() disagree"
        )


def check_lever(cls: type[Activity], settings: dict[str, Any]) -> None:
    """Assert the lever's contract with ``settings`` (a scenario's settings for it; ``start`` no later than 2026-06)."""
    config = cls.Config.model_validate(settings)
    assert config.start <= parse_month(MONTH), "give settings that start by 2026-06 for the contract"
    lever = cls("contract", config)
    model = _model()
    base, _ = model.environment()
    results = []
    for _ in range(2):
        env = copy.deepcopy(base)
        cost = lever.apply(env, model.params)
        results.append((env, cost))
    (env, cost), (again, cost_again) = results
    assert np.isfinite(cost) and cost >= 0, f"cost must be a finite number of dollars >= 0, got {cost}"
    assert cost == cost_again, "apply() cost differed when asked twice"
    for field, value in vars(env).items():
        other = vars(again)[field]
        if isinstance(value, np.ndarray):
            assert value.shape == vars(base)[field].shape, f"apply() changed the shape of env.{field}"
            assert np.isfinite(value).all(), f"apply() put NaN or infinite values in env.{field}"
            assert np.array_equal(value, other), f"apply() gave different env.{field} when asked twice"
        elif isinstance(value, float):
            assert np.isfinite(value), f"apply() made env.{field} NaN or infinite"
            assert value == other, f"apply() gave different env.{field} when asked twice"
    early = copy.deepcopy(base)
    early.month = config.start - 1
    before = copy.deepcopy(early)
    assert lever.apply(early, model.params) == 0, "a lever costs nothing before it starts"
    for field, value in vars(early).items():
        if isinstance(value, np.ndarray):
            assert np.array_equal(value, vars(before)[field]), f"before it starts, the lever changed env.{field}"
        elif isinstance(value, (int, float)):
            assert value == vars(before)[field], f"before it starts, the lever changed env.{field}"
    program = lever.program() if hasattr(lever, "program") else None
    if program is not None:
        assert np.isfinite([float(v) for v in vars(program.effect).values()]).all(), "program effects must be finite"
        assert program.months >= 1 and program.lag >= 0
