"""The app's "who" view: what each scenario averts for single adults, family-unit members and children.

A stacked bar of journeys averted by group, and the same table ``migsim compare`` prints
(:data:`sim.comparison_columns.BY_GROUP`), from the same numbers as its ``by_group.csv``.
"""

from __future__ import annotations

import html

import solara

from sim.by_group import by_group, per_group_rows
from sim.compare import Comparison
from sim.comparison_columns import BY_GROUP, markdown_table
from viz import charts
from viz.components import Chart, Md


def groups_view(result: Comparison, years: tuple[int, int]) -> tuple[dict, str]:
    """The chart's spec and the table's Markdown."""
    rows = per_group_rows(by_group(result, years))
    return charts.groups_chart(rows).to_dict(), markdown_table(BY_GROUP, rows)


@solara.component
def GroupsResults(result: Comparison, years: tuple[int, int]):
    """Who the journeys averted are, and what the US border does with each group, under the totals."""
    spec, table = solara.use_memo(lambda: groups_view(result, years), dependencies=[result])
    Md(f"### Who: single adults, families and children, {years[0]}-{years[1]}")
    Md(
        "<small>A household sends an adult alone, a parent with the children (each member of the family unit "
        "counts) or a child alone. The bars split the journeys each scenario averts against "
        f"'{html.escape(result.scenarios[0])}' by group (left of zero: more journeys than there); hover for the "
        "90% interval.</small>"
    )
    Chart(spec)
    Md(
        "<small>Journeys and, of those encountered at the US border (an event per attempt, as CBP counts), who is "
        "released into immigration proceedings (families) or to sponsors (children), expelled (Title 42: they may "
        "try again) or removed; arrived undetected: evaded the Border Patrol. People, mean over seeds; the "
        "intervals and what each scenario averts of each are in the zip's by_group.csv.</small>"
    )
    Md(table)
