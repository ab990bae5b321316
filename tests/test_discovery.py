"""PRIM scenario discovery finds boxes we planted, reports them as they are, and refuses bad settings."""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest

from sim.discovery import Box, discover


def planted(seed: int, n: int = 1000, noise: float = 0.03) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Five uniform inputs; the case is x1 < 0.3 and x2 > 0.6, with a share ``noise`` of labels flipped."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.uniform(size=(n, 5)), columns=[f"x{i}" for i in range(1, 6)])
    box = ((X.x1 < 0.3) & (X.x2 > 0.6)).to_numpy()
    return X, box ^ (rng.uniform(size=n) < noise), box


@pytest.mark.parametrize("seed", range(4))
def test_prim_finds_a_planted_box_with_its_bounds_and_only_its_inputs(seed):
    X, y, _ = planted(seed)
    found = discover(X, y)
    box = found.boxes[0]
    assert set(box.limits) == {"x1", "x2"}
    assert box.limits["x1"][0] == -np.inf and box.limits["x1"][1] == pytest.approx(0.3, abs=0.04)
    assert box.limits["x2"][0] == pytest.approx(0.6, abs=0.04) and box.limits["x2"][1] == np.inf
    assert box.density > 0.9 and box.coverage > 0.65


@pytest.mark.parametrize("seed", range(3))
def test_a_planted_box_among_56_inputs_is_found_from_300_worlds(seed):
    """As many inputs as migsim has assumed numbers, and few worlds: peels of 30 worlds, box chosen on the way."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.uniform(size=(300, 56)), columns=[f"u{i}" for i in range(56)])
    y = ((X.u3 < 0.3) & (X.u7 > 0.5)).to_numpy() ^ (rng.uniform(size=300) < 0.05)
    box = discover(X, y).boxes[0]
    assert set(box.limits) == {"u3", "u7"}
    assert box.limits["u3"][1] == pytest.approx(0.3, abs=0.1) and box.limits["u7"][0] == pytest.approx(0.5, abs=0.1)


def test_coverage_density_and_mass_are_the_shares_they_claim():
    X, y, _ = planted(1)
    box = discover(X, y).boxes[0]
    inside = box.contains(X)
    assert box.coverage == pytest.approx(y[inside].sum() / y.sum())
    assert box.density == pytest.approx(y[inside].mean())
    assert box.mass == pytest.approx(inside.mean())


def test_the_trajectory_peels_from_every_world_down_to_the_smallest_box():
    X, y, _ = planted(1)
    trajectory = discover(X, y, mass_min=0.05).trajectory
    assert trajectory.iloc[0].tolist() == [1.0, pytest.approx(y.mean()), 1.0, 0]
    assert trajectory.mass.is_monotonic_decreasing and 0.05 <= trajectory.mass.iloc[-1] < 0.05 / 0.95
    assert trajectory.density.max() > 0.9


def test_the_sentence_names_the_case_the_limits_and_both_shares():
    box = Box({"journey.fee_elasticity": (-np.inf, 0.2), "x2": (0.6, np.inf), "x3": (0.1, 0.45)}, 0.81, 0.92, 0.1)
    assert box.describe("fails to avert journeys") == (
        "fails to avert journeys in worlds where journey.fee_elasticity < 0.2 and x2 > 0.6 and 0.1 < x3 < 0.45 "
        "(coverage 81%, density 92%)"
    )


def test_two_planted_boxes_are_found_in_turn_by_covering():
    rng = np.random.default_rng(5)
    X = pd.DataFrame(rng.uniform(size=(2000, 4)), columns=["a", "b", "c", "d"])
    y = ((X.a < 0.25) & (X.b < 0.5) | (X.c > 0.8) & (X.d > 0.6)).to_numpy()
    found = discover(X, y)
    assert len(found.boxes) == 2
    assert [sorted(box.limits) for box in found.boxes] in (
        [["a", "b"], ["c", "d"]],
        [["c", "d"], ["a", "b"]],
    )
    assert sum(box.coverage for box in found.boxes) > 0.85
    assert "; or in worlds where" in found.describe("fails")


def test_cases_spread_everywhere_give_no_box_and_say_so():
    rng = np.random.default_rng(2)
    X = pd.DataFrame(rng.uniform(size=(500, 3)), columns=["a", "b", "c"])
    found = discover(X, rng.uniform(size=500) < 0.3)
    assert found.boxes == ()
    assert (
        found.describe("fails") == f"fails in {found.base_rate:.0%} of worlds, in no region of the inputs in particular"
    )


@pytest.mark.parametrize(
    "settings, words",
    [
        ({"threshold": 0}, "threshold must be in"),
        ({"peel_alpha": 1.5}, "peel_alpha must be a share"),
        ({"mass_min": 0}, "mass_min must be a share"),
        ({"max_boxes": 0}, "max_boxes must be at least 1"),
        ({"significance": 2}, "significance must be in"),
    ],
)
def test_bad_settings_are_one_clear_error(settings, words):
    X, y, _ = planted(0, n=50)
    with pytest.raises(ValueError, match=words):
        discover(X, y, **settings)


def test_bad_inputs_are_one_clear_error():
    X, y, _ = planted(0, n=50)
    with pytest.raises(ValueError, match="y must be 50 booleans"):
        discover(X, y[:10])
    with pytest.raises(ValueError, match="numbers without gaps in every column of X: x2"):
        discover(X.assign(x2=np.where(X.x2 > 0.5, np.nan, X.x2)), y)


@pytest.mark.skipif(importlib.util.find_spec("ema_workbench") is None, reason="EMA Workbench not installed ([ema])")
def test_our_box_agrees_with_ema_workbench_prim():
    from ema_workbench.analysis import prim

    X, y, _ = planted(1)
    theirs = prim.Prim(X, y.astype(int)).find_box()
    ours = discover(X, y).boxes[0]
    assert ours.limits["x1"][1] == pytest.approx(theirs.box_lim.loc[1, "x1"], abs=0.03)
    assert ours.limits["x2"][0] == pytest.approx(theirs.box_lim.loc[0, "x2"], abs=0.03)
    assert ours.density == pytest.approx(theirs.density, abs=0.05)
    assert ours.coverage == pytest.approx(theirs.coverage, abs=0.08)
