"""The Compare page's "who" view: journeys averted by group, drawn with Solara's test rendering."""

from __future__ import annotations

import pytest

from sim.units import GROUP_NAMES
from viz import viewmodel as vm
from viz.results import ResultStore

SCALE = 2000.0
SEEDS = range(2)
YEARS = (2026, 2035)


@pytest.fixture(scope="module")
def result():
    shipped = vm.shipped_scenarios()
    return ResultStore().comparison([shipped["baseline"], shipped["agreement package"]], SEEDS, SCALE)


def test_the_who_view_splits_each_scenarios_averted_journeys_by_group(result):
    import solara

    from viz.groups_view import GroupsResults

    _, rc = solara.render(GroupsResults(result, YEARS), handle_error=False)
    shown = " ".join(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets)
    assert "Who: single adults, families and children, 2026-2035" in shown
    for name in GROUP_NAMES:
        assert shown.count(f"<td>{name}</td>") == 2, name  # a row for each scenario
    (spec,) = [w.spec for w in rc.find(solara.widgets.VegaLite).widgets]
    bars = next(iter(spec["datasets"].values()))
    assert [b["who"] for b in bars] == list(GROUP_NAMES) and {b["scenario"] for b in bars} == {"agreement package"}
    averted = vm.totals(result, YEARS).set_index("scenario").loc["agreement package", "averted"]
    assert sum(b["journeys_averted"] for b in bars) == pytest.approx(averted)  # the stack is the whole effect


def test_the_compare_page_shows_the_who_view_under_the_totals(result):
    import solara

    from viz import app

    context = vm.Context(SCALE, {name: "" for name in result.scenarios})
    _, rc = solara.render(app.Results(result, 1.0, context, stale=False), handle_error=False)
    texts = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets]
    totals = next(i for i, t in enumerate(texts) if "Totals 2026-2035" in t)
    who = next(i for i, t in enumerate(texts) if "Who: single adults" in t)
    assert totals < who
