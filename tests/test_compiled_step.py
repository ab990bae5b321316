"""The compiled step's declarations: each built-in rule's term, the program effects, the passes' named inputs."""

from __future__ import annotations

import ast
import inspect
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import kernel, programs
from sim.features import ASPIRATION, CAPABILITY, FEATURES, SETTINGS, evaluate
from sim.metrics import METRICS
from sim.model import HouseholdAgent, MigrationModel
from sim.parameters import default_parameters
from sim.rules import RULES
from sim.scenario import load_scenario, validate_scenario
from sim.schema import field_range
from tests.conftest import SCENARIOS

DROUGHT = load_scenario(SCENARIOS / "drought_shock.yaml").resolved()["conditions"]["drought"]


@pytest.fixture(scope="module")
def month():
    """The agreement's package with the Dry Corridor drought, in September 2027: programs act, the drought is recent."""
    data = load_scenario(SCENARIOS / "agreement_package.yaml").resolved()
    data["conditions"] = {**data["conditions"], "drought": DROUGHT}
    model = MigrationModel(
        validate_scenario({**data, "start": "2026-01", "end": "2027-12"}), seed=4, households_per_agent=500
    )
    while model.month < 2027 * 12 + 8:
        model.step()
    env, _ = model.environment()
    h = model.households
    h.effects = programs.effects(h, model.programs, model.month)
    assert h.effects.perceived_risk.any() and h.effects.aspiration.any() and np.any(env.drought_recent)
    return h, env


def parameter_values(cls) -> st.SearchStrategy:
    """Any values of a rule's parameters within their declared ranges."""
    fields = {}
    for key, info in cls.Params.model_fields.items():
        low, high = field_range(info)
        fields[key] = st.integers(low, high) if info.annotation is int else st.floats(low, high)
    return st.fixed_dictionaries(fields)


@pytest.mark.parametrize("name", sorted(RULES))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_each_built_in_rule_tells_the_compiled_step_what_its_numpy_form_computes(month, name, data):
    h, env = month
    cls = RULES[name]
    rule = cls(cls.Params.model_validate(data.draw(parameter_values(cls), label="parameters")))
    term = rule.compiled(env)
    assert set(term.coefficients) <= set(FEATURES[cls.kind]) and set(term.settings) <= set(SETTINGS)
    expected = np.asarray(rule.vectorised(h, env), dtype=np.float64)
    np.testing.assert_allclose(evaluate(term, cls.kind, h, env.month), expected, rtol=1e-5, atol=1e-3)


def test_the_default_rules_give_every_feature_setting_once(month):
    h, env = month
    given_by = [s for name, cls in RULES.items() for s in cls(default_parameters()[name]).compiled(env).settings]
    assert sorted(given_by) == sorted(SETTINGS)


def test_every_feature_has_a_coefficient_from_some_built_in_rule(month):
    """A feature no rule weighs would be dead code in the compiled step."""
    _, env = month
    used = {kind: {"place"} for kind in FEATURES}  # aspiration's place holds the intercept at least
    for name, cls in RULES.items():
        used[cls.kind] |= set(cls(default_parameters()[name]).compiled(env).coefficients)
    assert used == {"aspiration": set(ASPIRATION), "capability": set(CAPABILITY)}


def test_the_passes_unpack_each_structure_field_into_a_local_of_its_own_name():
    """``income = h.income``, or ``places_fee = places.fee``: a swapped pair would show as mismatched names.

    Locals are needed at all because numba loses writes made through a named tuple's field inside prange.
    """
    structures = {"h", "rows", "table", "layout", "scalars", "places", "aspiration", "capability"}
    tree = ast.parse(inspect.getsource(kernel))
    checked = 0
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        targets = node.targets[0].elts if isinstance(node.targets[0], ast.Tuple) else [node.targets[0]]
        values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
        for target, value in zip(targets, values, strict=False):
            if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and value.value.id in structures:
                assert target.id in (value.attr, f"{value.value.id}_{value.attr}"), ast.unparse(node)
                checked += 1
    assert checked > 80


def test_what_the_passes_add_up_are_metrics_each_counted_once():
    counted = [*kernel.LEAVING, *kernel.COMING_BACK]
    assert len(counted) == len(set(counted)) and set(counted) <= set(METRICS)


def test_program_effects_follow_their_one_declaration():
    kinds = {f.name: f.metadata["combine"] for f in programs.fields(programs.Effect)}
    assert set(kinds.values()) <= {*programs.COMBINE, "once", "setting"}
    assert list(programs.Effects._fields) == [name for name, kind in kinds.items() if kind in programs.COMBINE]
    assert sorted(programs.PACKED) == sorted(kinds)
    start = 0
    for kind in programs.COMBINE:  # the table's monthly effects, grouped by how they combine
        end = getattr(programs.LAYOUT, f"end_{kind}")
        assert {kinds[name] for name in programs.PACKED[start:end]} == {kind}
        start = end
    assert {kinds[name] for name in programs.PACKED[start:]} <= {"once", "setting"}


def test_a_household_agent_sees_the_program_effects_its_per_household_form_gives():
    data = load_scenario(SCENARIOS / "public_awareness.yaml").resolved()
    model = MigrationModel(
        validate_scenario({**data, "start": "2025-01", "end": "2026-12"}), seed=2, households_per_agent=2000
    )
    while model.month < 2026 * 12 + 6:
        model.step()
    h = model.households
    h.effects = programs.effects(h, model.programs, model.month)
    reached = [a for a in model.agents_by_type[HouseholdAgent] if a.effects["perceived_risk"] > 0]
    assert reached
    for agent in reached[:20]:
        months = zip(h.program_start[agent.row], h.program_until[agent.row], strict=True)
        one = SimpleNamespace(
            programs={label: [int(a), int(b)] for label, (a, b) in zip(h.program_labels, months, strict=True)}
        )
        expected = programs.effects_one(one, model.programs, model.month)
        assert agent.effects == pytest.approx(expected, rel=1e-6)
