"""The portfolio search finds a known cheapest portfolio, repeats itself and resumes without re-evaluating.

Bad settings are one clear error each.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from sim.optimise import optimise, pareto_front

LEVERS = {"a": (0.0, 1.0), "b": (0.0, 1.0), "c": (0.0, 1.0), "waste": (0.0, 1.0)}
OBJECTIVES = {"cost": "min", "effect": "max"}


def toy(portfolios: pd.DataFrame) -> pd.DataFrame:
    """Linear costs, diminishing effects, and a lever that costs much and does little.

    The cheapest portfolio with effect E (up to about 6) is a = c = (2E/19)^2, b = (3E/19)^2, waste = 0,
    costing 2E^2/19 (equal marginal effect per dollar); for E = 5: a = c = 0.277, b = 0.623, cost 2.632.
    """
    p = portfolios
    return pd.DataFrame(
        {
            "cost": p.a + 2 * p.b + 4 * p.c + 3 * p.waste,
            "effect": np.sqrt(p.a) + 3 * np.sqrt(p.b) + 4 * np.sqrt(p.c) + 0.2 * p.waste,
        }
    )


class Counting:
    """The toy problem, recording every portfolio it is asked to evaluate."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, ...]] = []

    def __call__(self, portfolios: pd.DataFrame) -> pd.DataFrame:
        self.seen += [tuple(row) for row in portfolios.to_numpy()]
        return toy(portfolios)


def test_the_front_holds_the_known_cheapest_portfolio_that_meets_a_threshold():
    found = optimise(LEVERS, toy, OBJECTIVES, population=60, generations=60, seed=0)
    cheapest = found.front[found.front.effect >= 5].iloc[0]
    assert cheapest.effect < 5.1
    assert cheapest.cost == pytest.approx(2 * 5**2 / 19, rel=0.05)
    assert cheapest.waste < 0.05
    assert found.front.cost.is_monotonic_increasing and found.front.effect.is_monotonic_increasing


def test_a_switch_lever_is_off_or_on_and_on_in_the_cheapest_portfolio_when_it_pays():
    """At effect 5 a switch costing 1.5 for an effect of 2 beats the other levers' margin.

    So it is on, the rest supply an effect of 3 at their cheapest (2 * 3^2 / 19): the portfolio costs 18/19 + 1.5.
    ``count`` (0 to 3) does nothing: it shows an integer lever takes every whole value in its bounds.
    """

    def with_switch(portfolios: pd.DataFrame) -> pd.DataFrame:
        found = toy(portfolios.assign(waste=0.0))
        return found.assign(cost=found.cost + 1.5 * portfolios.switch, effect=found.effect + 2 * portfolios.switch)

    levers = {"a": (0.0, 1.0), "b": (0.0, 1.0), "c": (0.0, 1.0), "switch": (0, 1), "count": (0, 3)}
    found = optimise(levers, with_switch, OBJECTIVES, integers=["switch", "count"], population=60, generations=60)
    cheapest = found.front[found.front.effect >= 5].iloc[0]
    assert cheapest.switch == 1 and cheapest.cost == pytest.approx(18 / 19 + 1.5, rel=0.03)
    assert set(found.evaluated.switch) == {0, 1} and set(found.evaluated["count"]) == {0, 1, 2, 3}


def test_the_front_is_the_non_dominated_part_of_what_was_evaluated():
    found = optimise(LEVERS, toy, OBJECTIVES, population=10, generations=5, seed=3)
    assert len(found.evaluated) == found.evaluations <= 10 * 5
    for _, point in found.front.iterrows():
        better = (found.evaluated.cost <= point.cost) & (found.evaluated.effect >= point.effect)
        strictly = (found.evaluated.cost < point.cost) | (found.evaluated.effect > point.effect)
        assert not (better & strictly).any()
    table = pd.DataFrame({"cost": [1, 2, 2, 3], "effect": [1, 3, 2, 3]})
    assert pareto_front(table, OBJECTIVES).to_dict("list") == {"cost": [1, 2], "effect": [1, 3]}


def test_the_same_seed_gives_the_same_front_and_another_seed_another():
    first, again, other = (optimise(LEVERS, toy, OBJECTIVES, population=12, generations=6, seed=s) for s in (4, 4, 5))
    pd.testing.assert_frame_equal(first.front, again.front)
    assert not first.front[list(LEVERS)].equals(other.front[list(LEVERS)])


def reported_to(reports: list) -> Callable[[int, int], None]:
    return lambda done, total: reports.append((done, total))


def test_an_interrupted_search_resumes_to_the_same_front_without_evaluating_a_portfolio_twice(tmp_path):
    settings = {"population": 12, "generations": 8, "seed": 6}
    whole = Counting()
    uninterrupted = optimise(LEVERS, whole, OBJECTIVES, **settings, folder=tmp_path / "a")

    def stop_after_three(done: int, total: int) -> None:
        if done == 3:
            raise KeyboardInterrupt

    before, after, reported = Counting(), Counting(), []
    with pytest.raises(KeyboardInterrupt):
        optimise(LEVERS, before, OBJECTIVES, **settings, folder=tmp_path / "b", progress=stop_after_three)
    resumed = optimise(LEVERS, after, OBJECTIVES, **settings, folder=tmp_path / "b", progress=reported_to(reported))
    pd.testing.assert_frame_equal(resumed.front, uninterrupted.front)
    assert len(set(before.seen) | set(after.seen)) == len(before.seen) + len(after.seen) == len(whole.seen)
    assert len(before.seen) >= 3 * 12 - 3 and resumed.evaluations == len(after.seen)
    assert reported == [(g, 8) for g in range(1, 9)]
    again = Counting()
    optimise(LEVERS, again, OBJECTIVES, **settings, folder=tmp_path / "b")
    assert again.seen == []


def test_the_folder_gets_the_front_as_a_table_and_a_plot(tmp_path):
    found = optimise(LEVERS, toy, OBJECTIVES, population=8, generations=3, folder=tmp_path)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "front.csv"), found.front, check_dtype=False)
    assert (tmp_path / "front.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((tmp_path / "search.json").read_text())["objectives"] == OBJECTIVES


def test_three_objectives_are_plotted_with_the_third_in_colour(tmp_path):
    def three(portfolios: pd.DataFrame) -> pd.DataFrame:
        return toy(portfolios).assign(spread=portfolios.a - portfolios.b)

    found = optimise(LEVERS, three, {**OBJECTIVES, "spread": "max"}, population=8, generations=3, folder=tmp_path)
    assert list(found.front.columns[-4:]) == ["cost", "effect", "spread", "generation"]
    assert (tmp_path / "front.png").stat().st_size > 0


def test_a_folder_holding_another_search_is_refused(tmp_path):
    optimise(LEVERS, toy, OBJECTIVES, population=4, generations=1, folder=tmp_path, fingerprint="v1")
    with pytest.raises(ValueError, match="holds evaluations of another search"):
        optimise(LEVERS, toy, OBJECTIVES, population=4, generations=1, folder=tmp_path, fingerprint="v2")


@pytest.mark.parametrize(
    "settings, words",
    [
        ({"population": 1}, "population must be at least 2, not 1"),
        ({"generations": 0}, "generations must be at least 1, not 0"),
        ({"bounds": {"a": (1.0, 0.0)}}, "lever 'a': bounds must be two finite numbers with low < high"),
        ({"bounds": {}}, "no levers"),
        ({"objectives": {"cost": "minimise"}}, "objective 'cost': direction must be 'min' or 'max'"),
        ({"objectives": {}}, "no objectives"),
        ({"objectives": {"costs": "min"}}, "unknown objective 'costs': evaluate returns cost, effect"),
        ({"objectives": {"a": "min"}}, "names both a lever and an objective: a"),
        ({"evaluate": lambda p: toy(p).head(1)}, "one row per portfolio"),
        ({"integers": ["d"]}, "integers names no lever: d"),
        ({"integers": ["a"], "bounds": {"a": (0, 0.5)}}, "integer levers need whole-number bounds: a"),
        ({"evaluate": lambda p: toy(p) / 0}, "non-finite objective"),
    ],
)
def test_bad_settings_are_one_clear_error(settings, words):
    arguments = {"bounds": LEVERS, "evaluate": toy, "objectives": OBJECTIVES, "population": 4, "generations": 1}
    with pytest.raises(ValueError, match=words):
        optimise(**{**arguments, **settings})


def test_the_search_starts_from_no_lever_and_from_portfolios_with_about_half_the_levers_off():
    """So the front reaches down to the cheap portfolios even in a short search."""
    counting = Counting()
    optimise(LEVERS, counting, OBJECTIVES, population=40, generations=1, seed=3)
    start = np.array(counting.seen[:40])
    assert (start[0] == 0).all()  # the portfolio of nothing: the front's anchor at no cost
    off = (start[1:] == 0).mean()
    assert 0.35 < off < 0.65, off
