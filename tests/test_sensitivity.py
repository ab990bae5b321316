"""Global sensitivity recovers known indices, screens out an input that does nothing, and repeats itself."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from sim.sensitivity import analyse, morris, sobol

PI = (-np.pi, np.pi)
ISHIGAMI = {"x1": PI, "x2": PI, "x3": PI}


def ishigami(X: pd.DataFrame) -> np.ndarray:
    """Ishigami and Homma (1990), a = 7, b = 0.1: S1 = 0.314, 0.442, 0 and ST = 0.558, 0.442, 0.244."""
    return np.sin(X.x1) + 7 * np.sin(X.x2) ** 2 + 0.1 * X.x3**4 * np.sin(X.x1)


def test_sobol_indices_of_the_ishigami_function_match_the_analytic_ones():
    table = sobol(ISHIGAMI, ishigami, samples=2048, seed=1).set_index("name")
    assert table.S1.to_dict() == pytest.approx({"x1": 0.314, "x2": 0.442, "x3": 0.0}, abs=0.04)
    assert table.ST.to_dict() == pytest.approx({"x1": 0.558, "x2": 0.442, "x3": 0.244}, abs=0.04)
    assert (table.S1_conf > 0).all() and (table.ST_conf > 0).all()


def test_morris_ranks_an_input_the_function_ignores_last_with_no_effect():
    table = morris({**ISHIGAMI, "unused": (0.0, 1.0)}, ishigami, seed=2)
    assert table.name.iloc[-1] == "unused"
    assert table.iloc[-1][["mu_star", "sigma"]].tolist() == [0.0, 0.0]
    assert (table.mu_star.iloc[:-1] > 1).all()


def test_screening_then_sobol_measures_the_top_inputs_and_fixes_the_rest_at_their_defaults():
    seen = []

    def recorded(X: pd.DataFrame) -> np.ndarray:
        seen.append(X)
        return ishigami(X) + X.unused

    bounds = {**ISHIGAMI, "unused": (0.0, 1.0), "small": (0.0, 1.0)}
    found = analyse(bounds, lambda X: recorded(X) + 0.001 * X.small, defaults={"unused": 0.25}, top=3, seed=4)
    assert sorted(found.indices.name) == ["x1", "x2", "x3"]
    assert list(found.screening.name[-2:]) == ["unused", "small"]
    assert (seen[1].unused == 0.25).all() and (seen[1].small == 0.5).all()
    assert found.runs == sum(len(X) for X in seen) == 20 * 6 + 256 * 5
    assert re.fullmatch(
        r"y: most sensitive to x1 \(total index 0\.\d\d\), x2 \(0\.\d\d\) and x3 \(0\.\d\d\)", found.describe("y")
    )


def test_the_same_seed_gives_the_same_tables_and_another_seed_does_not():
    bounds = {**ISHIGAMI, "unused": (0.0, 1.0)}
    first, again, other = (analyse(bounds, ishigami, top=2, samples=64, seed=s) for s in (7, 7, 8))
    pd.testing.assert_frame_equal(first.screening, again.screening)
    pd.testing.assert_frame_equal(first.indices, again.indices)
    assert not first.indices.S1.equals(other.indices.S1)


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: sobol({"a": (1.0, 1.0)}, ishigami), "input 'a': bounds must be two finite numbers with low < high"),
        (lambda: sobol({}, ishigami), "no inputs"),
        (lambda: sobol(ISHIGAMI, ishigami, samples=100), "power of 2"),
        (lambda: morris(ISHIGAMI, ishigami, trajectories=1), "at least 2 trajectories"),
        (lambda: morris(ISHIGAMI, ishigami, levels=3), "even number"),
        (lambda: analyse(ISHIGAMI, ishigami, top=0), "top must be at least 1"),
        (lambda: analyse(ISHIGAMI, ishigami, defaults={"x9": 0.0}), "defaults for inputs without bounds: x9"),
        (lambda: analyse(ISHIGAMI, ishigami, defaults={"x1": 9.0}), "defaults outside their bounds: x1"),
        (lambda: sobol(ISHIGAMI, lambda X: np.ones(3), samples=8), "one number per row: 40 rows gave shape"),
        (lambda: sobol(ISHIGAMI, lambda X: ishigami(X) / 0 * 0, samples=8), "non-finite outcomes"),
    ],
)
def test_bad_settings_and_outcomes_are_one_clear_error(call, words):
    with pytest.raises(ValueError, match=words):
        call()
