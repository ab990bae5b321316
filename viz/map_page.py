"""The app's map page: a comparison's departures by department, coloured by change or by level, with a table."""

from __future__ import annotations

import html

import solara

from sim.comparison_columns import whole
from viz import charts
from viz import viewmodel as vm
from viz.components import Chart, Md

# per browser session
map_scenario = solara.reactive("")
map_measure = solara.reactive("change against the first scenario (%)")


def department_markdown(values, scenario: str, reference: str, years: tuple[int, int]) -> str:
    """The map's numbers as a table with units, departments in INE order."""
    head = (
        f"| department | irregular departures {years[0]}-{years[1]} ('{html.escape(scenario)}') "
        f"| change against '{html.escape(reference)}' | change (%) | departures a year per 1,000 households |\n"
        "|---|---:|---:|---:|---:|\n"
    )
    rows = [
        f"| {html.escape(r.department)} | {whole(r.departures)} | {_signed(r.change)} | {_signed(r.change_percent, 1)} "
        f"| {r.departures_per_1000_households:.1f} |"
        for r in values.itertuples()
    ]
    return head + "\n".join(rows)


def _signed(value: float, digits: int = 0) -> str:
    if value != value:
        return "-"
    return f"{round(value, digits) + 0.0:+,.{digits}f}"  # + 0.0: a change that rounds to nothing is +0, not -0


@solara.component
def page(result, years: tuple[int, int]):
    """The map and table of one scenario of ``result`` over ``years``, against its first scenario."""
    names = result.scenarios
    if map_scenario.value not in names:
        map_scenario.set(names[-1])
    measures = {
        "change against the first scenario (%)": ("change_percent", True),
        "irregular departures a year per 1,000 households": ("departures_per_1000_households", False),
        "irregular departures (journeys)": ("departures", False),
    }
    with solara.Row():
        solara.Select("scenario", values=names, value=map_scenario)
        solara.Select("colour by", values=list(measures), value=map_measure)
    Md(
        f"<small>{years[0]}-{years[1]}, mean over {len(result.seeds)} seeds; hover a department for its numbers. Change is against '{names[0]}'.</small>"
    )
    values = vm.department_map_values(result, years, map_scenario.value)
    column, diverging = measures[map_measure.value]
    Chart(charts.department_map(values, column, map_measure.value, diverging).to_dict())
    Md(department_markdown(values, map_scenario.value, names[0], years))
