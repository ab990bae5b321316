"""The app's charts (Altair, drawn as SVG so they stay sharp and can be saved from the chart's menu)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import altair as alt
import pandas as pd

MAP = Path(__file__).resolve().parent / "data" / "deptos.json"
SVG = {"embedOptions": {"renderer": "svg"}}


@cache
def _topology() -> dict:
    return json.loads(MAP.read_text())


PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"]  # Tableau's first five, in scenario order


def scenario_colours(names: list[str]) -> alt.Scale:
    """The same colour for a scenario in every chart of a comparison: its place among the compared ones."""
    return alt.Scale(domain=list(names), range=PALETTE[: len(names)])


def _yearly_bands(data: pd.DataFrame, names: list[str], column: str, title: str, label: str) -> alt.LayerChart:
    """A line per scenario of ``column`` a year, over its 90% band (``<column>_low`` to ``<column>_high``)."""
    base = alt.Chart(data.assign(year=data["year"].astype(int))).encode(
        x=alt.X("year:O", title="year"),
        color=alt.Color(
            "scenario:N",
            scale=scenario_colours(names),
            legend=alt.Legend(orient="bottom", columns=2, symbolType="stroke", symbolStrokeWidth=3, labelLimit=400),
        ),
    )
    band = base.mark_area(opacity=0.2).encode(y=alt.Y(f"{column}_low:Q", title=title), y2=f"{column}_high:Q")
    line = base.mark_line(point=True).encode(
        y=f"{column}:Q",
        tooltip=[
            "scenario:N",
            "year:O",
            alt.Tooltip(f"{column}:Q", format=",.0f", title=f"{label} (mean)"),
            alt.Tooltip(f"{column}_low:Q", format=",.0f", title="5%"),
            alt.Tooltip(f"{column}_high:Q", format=",.0f", title="95%"),
        ],
    )
    return band + line


def outflow_chart(per_year: pd.DataFrame) -> alt.LayerChart:
    """Irregular departures per year: a line per scenario (mean over seeds) and its 90% band."""
    data = per_year.rename(columns={"mean": "departures", "low": "departures_low", "high": "departures_high"})
    names = list(dict.fromkeys(data.scenario))
    chart = _yearly_bands(data, names, "departures", "irregular departures a year (journeys)", "departures")
    return chart.properties(width="container", height=320, usermeta=SVG)


def averted_chart(per_year: pd.DataFrame) -> alt.LayerChart:
    """Departures each scenario averts a year against the first, paired by seed: a line and its 90% band.

    The levels' bands overlap because each seed carries its own parameter draw; the paired effect says how
    sure the difference is, and this is where a policymaker sees it.
    """
    names = list(dict.fromkeys(per_year.scenario))  # the first keeps its colour for itself, unused here
    data = per_year[per_year.scenario != names[0]]
    title = f"journeys averted a year against '{names[0]}'"
    zero = alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(color="black").encode(y="zero:Q")
    chart = _yearly_bands(data, names, "averted", title, "averted") + zero
    return chart.properties(width="container", height=260, usermeta=SVG)


def cost_chart(totals: pd.DataFrame) -> alt.Chart:
    """Departures averted against the first scenario, with the 90% interval, and what each cost."""
    colours = scenario_colours(list(totals.scenario))  # as in the yearly chart, the first scenario included
    data = totals.iloc[1:].assign(cost_musd=lambda t: t.cost_usd / 1e6)
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("scenario:N", sort=None, title=None),
            x=alt.X("averted:Q", title="irregular departures averted (journeys)"),
            color=alt.Color("scenario:N", scale=colours, legend=None),
            tooltip=[
                "scenario:N",
                alt.Tooltip("averted:Q", format=",.0f"),
                alt.Tooltip("cost_musd:Q", format=",.0f", title="cost (USD million)"),
                alt.Tooltip("cost_per_averted_usd:Q", format=",.0f", title="USD per departure averted"),
            ],
        )
    )
    rules = alt.Chart(data).mark_rule().encode(y=alt.Y("scenario:N", sort=None), x="averted_low:Q", x2="averted_high:Q")
    return (bars + rules).properties(width="container", height=40 * max(len(data), 1) + 40, usermeta=SVG)


def department_map(values: pd.DataFrame, column: str, title: str, diverging: bool = False) -> alt.Chart:
    """Guatemala's 22 departments coloured by ``column``; hovering shows the numbers."""
    topo = alt.Data(values=_topology(), format=alt.DataFormat(type="topojson", feature="departamentos_gtm"))
    fields = ["department", "departures", "change", "change_percent", "departures_per_1000_households"]
    if diverging:  # white at no change whatever the signs: a domain symmetric about 0
        reach = float(values[column].abs().max()) if values[column].notna().any() else 1.0
        scale = alt.Scale(scheme="redblue", domain=[-reach, reach], reverse=True)
    else:
        scale = alt.Scale(scheme="oranges")
    return (
        alt.Chart(topo)
        .mark_geoshape(stroke="white", strokeWidth=0.7, invalid=None)  # keep departments without a value (grey)
        .transform_lookup(lookup="properties.id", from_=alt.LookupData(values, "id", fields))
        .encode(
            color=alt.Color(f"{column}:Q", title=title, scale=scale, legend=alt.Legend(titleLimit=400)),
            tooltip=[
                alt.Tooltip("department:N"),
                alt.Tooltip("departures:Q", format=",.0f", title="irregular departures"),
                alt.Tooltip("change:Q", format="+,.0f", title="change vs first scenario"),
                alt.Tooltip("change_percent:Q", format="+.1f", title="change (%)"),
                alt.Tooltip("departures_per_1000_households:Q", format=".1f", title="a year per 1,000 households"),
            ],
        )
        .project(type="mercator")
        .properties(width="container", height=460, usermeta=SVG)
    )


def sensitivity_chart(indices: pd.DataFrame) -> alt.LayerChart:
    """Sobol' total indices of the inputs kept (bars, with their 95% interval), grouped by scenario."""
    data = indices.assign(
        low=lambda t: (t.ST - t.ST_conf).clip(lower=0),
        high=lambda t: t.ST + t.ST_conf,
        row=lambda t: t.scenario + ": " + t.name,
    )
    base = alt.Chart(data).encode(y=alt.Y("row:N", sort=None, title=None, axis=alt.Axis(labelLimit=420)))
    bars = base.mark_bar().encode(
        x=alt.X("ST:Q", title="part in the variance of journeys averted (Sobol' total index)"),
        color=alt.Color("scenario:N", scale=alt.Scale(range=PALETTE[1:]), legend=None),
        tooltip=[
            "scenario:N",
            "name:N",
            alt.Tooltip("ST:Q", format=".2f", title="total index"),
            alt.Tooltip("ST_conf:Q", format=".2f", title="± (95%)"),
            alt.Tooltip("S1:Q", format=".2f", title="first-order index"),
        ],
    )
    rules = base.mark_rule().encode(x="low:Q", x2="high:Q")
    return (bars + rules).properties(width="container", height=26 * len(data) + 40, usermeta=SVG)


def front_chart(front: pd.DataFrame, quantile: float) -> alt.Chart:
    """The Pareto front: cost against journeys averted in the worst worlds, coloured by worlds meeting targets."""
    data = front.assign(cost_busd=front.cost_usd / 1e9)
    return (
        alt.Chart(data)
        .mark_circle(size=90)
        .encode(
            x=alt.X("cost_busd:Q", title="cost over the years (US$ billion)"),
            y=alt.Y("robust_journeys_averted:Q", title=f"journeys averted in the worst {quantile:.0%} of worlds"),
            color=alt.Color(
                "worlds_meeting_targets:Q",
                title="worlds meeting all three targets",
                scale=alt.Scale(scheme="viridis", domain=[0, 1]),
                legend=alt.Legend(format=".0%", orient="bottom"),
            ),
            tooltip=[
                "scenario:N",
                alt.Tooltip("cost_busd:Q", format=",.1f", title="cost (US$ billion)"),
                alt.Tooltip("robust_journeys_averted:Q", format=",.0f", title="averted, worst worlds"),
                alt.Tooltip("mean_journeys_averted:Q", format=",.0f", title="averted, mean over worlds"),
                alt.Tooltip("worlds_meeting_targets:Q", format=".0%", title="worlds meeting all targets"),
            ],
        )
        .properties(width="container", height=320, usermeta=SVG)
    )


GROUP_COLOURS = ["#8c564b", "#bcbd22", "#17becf"]  # the groups' own (not a scenario's): brown, olive, cyan


def groups_chart(rows: pd.DataFrame) -> alt.Chart:
    """Journeys each scenario averts against the first, stacked by group (single adults, families, children).

    ``rows``: :func:`sim.by_group.per_group_rows`. A group with more journeys than in the first scenario stacks
    to the left of zero, so the bar's parts show who the scenario's effect comes from, and from whom it is taken.
    """
    names = list(dict.fromkeys(rows.scenario))
    who = list(dict.fromkeys(rows.who))
    data = rows[rows.scenario != names[0]].assign(order=lambda t: t.who.map(who.index))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("scenario:N", sort=names[1:], title=None, axis=alt.Axis(labelLimit=300)),
            x=alt.X("journeys_averted:Q", stack="zero", title=f"journeys averted against '{names[0]}', by group"),
            color=alt.Color(
                "who:N",
                scale=alt.Scale(domain=who, range=GROUP_COLOURS[: len(who)]),
                legend=alt.Legend(orient="bottom", title=None, labelLimit=400),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                "scenario:N",
                "who:N",
                alt.Tooltip("journeys_averted:Q", format=",.0f", title="journeys averted (mean)"),
                alt.Tooltip("journeys_averted_low:Q", format=",.0f", title="5%"),
                alt.Tooltip("journeys_averted_high:Q", format=",.0f", title="95%"),
                alt.Tooltip("journeys:Q", format=",.0f", title="journeys"),
            ],
        )
        .properties(width="container", height=40 * max(len(names) - 1, 1) + 60, usermeta=SVG)
    )
