"""The example in docs/adding-to-the-step.md is real: its rule runs in the compiled step as its three forms say."""

from __future__ import annotations

import re
import types

import numpy as np
import pytest

from sim import programs
from sim.features import evaluate
from sim.model import MigrationModel
from sim.parameters import build_parameters, default_parameters, read_parameter_file
from sim.reference_model import ReferenceModel
from sim.rules import RULES
from tests.conftest import shortened


@pytest.fixture
def example(root):
    """The page's rule module, executed and registered as a built-in rule (only for this test), and its parameters."""
    text = (root / "docs" / "adding-to-the-step.md").read_text(encoding="utf-8")
    code = next(block for block in re.findall(r"```python\n(.*?)```", text, re.S) if "@register" in block)
    yaml_block = re.search(r"```yaml\n(.*?)```", text, re.S).group(1)
    before, defaults = dict(RULES), default_parameters()  # read before the rule is known: it has no section there
    module = types.ModuleType("family_safety")
    exec(compile(code, "docs/adding-to-the-step.md", "exec"), module.__dict__)
    values, sources = read_parameter_file(re.sub(r"(?m)^  ", "", yaml_block))
    parameters = build_parameters({**defaults.as_dict(), **values}, {**defaults.sources, **sources})
    yield module.FamilySafety, parameters
    RULES.clear()
    RULES.update(before)


def test_the_example_rule_runs_in_the_compiled_step_as_its_numpy_and_per_household_forms_say(example):
    rule_class, parameters = example
    assert RULES["family_safety"] is rule_class
    scenario = shortened("baseline", "2025-01", "2025-12")
    fast = MigrationModel(scenario, seed=6, households_per_agent=1000, parameters=parameters)
    slow = ReferenceModel(scenario, seed=6, households_per_agent=1000, parameters=parameters)
    rule = rule_class(parameters["family_safety"])
    while fast.running:
        if fast.month == scenario.end:  # the forms, on the last month's households and environment
            h, (env, _) = fast.households, fast.environment()
            h.effects = programs.effects(h, fast.programs, fast.month)
            term = evaluate(rule.compiled(env), "aspiration", h, env.month)
            np.testing.assert_allclose(term, rule.vectorised(h, env), rtol=1e-9)
            assert term.max() > 0.2  # about 0.26 log-odds for households with children
        fast.step()
        slow.step()
    np.testing.assert_allclose(fast.collector.values, slow.collector.values, rtol=1e-5)
    without = parameters.with_overrides({"family_safety": {"per_victimisation": 0.0}})
    plain = MigrationModel(scenario, seed=6, households_per_agent=1000, parameters=without)
    while plain.running:
        plain.step()
    aspiring = fast.collector.values[..., 0].sum(), plain.collector.values[..., 0].sum()
    assert aspiring[0] > aspiring[1] * 1.02
