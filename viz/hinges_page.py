"""The app's page on what the answers hinge on: ``migsim hinges``' report and ``migsim optimise``'s front.

Both take minutes to hours of runs, so the page reads what those commands wrote (``MIGSIM_APP_HINGES`` and
``MIGSIM_APP_FRONT``, set by ``migsim app --hinges/--front``; by default ``results/hinges`` and
``results/optimise`` where the app was started) rather than running them; it says which command writes a
report that is missing. Each point of the front can be compared with the baseline on the Compare page.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import solara

from sim.hinges_report import read_report
from sim.robust_package import read_front
from viz import charts
from viz.components import Chart, Md

HINGES = Path(os.environ.get("MIGSIM_APP_HINGES", "results/hinges"))
FRONT = Path(os.environ.get("MIGSIM_APP_FRONT", "results/optimise"))


def front_folder() -> Path | None:
    """The front's scenario files, for the app to offer beside the shipped ones (None without a front)."""
    folder = FRONT / "front"
    return folder if (FRONT / "front.json").is_file() and folder.is_dir() else None


def front_markdown(front: pd.DataFrame, quantile: float) -> str:
    """The front as a table, cheapest first: what each point costs, averts in the worst worlds, meets."""
    lines = [
        f"| point | cost (US$ million) | journeys averted, worst {quantile:.0%} of worlds | averted, mean | "
        "worlds meeting all three targets |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in front.itertuples():
        lines.append(
            f"| {row.scenario} | {row.cost_usd / 1e6:,.0f} | {row.robust_journeys_averted:,.0f} | "
            f"{row.mean_journeys_averted:,.0f} | {row.worlds_meeting_targets:.0%} |"
        )
    return "\n".join(lines)


def first_pick(front: pd.DataFrame) -> str:
    """The point shown first: the cheapest that averts, in the worst worlds, 90% of the most any point does.

    The front's first point is the portfolio of nothing, and its last often pays much for little more.
    """
    enough = front[front.robust_journeys_averted >= 0.9 * front.robust_journeys_averted.max()]
    return str(enough.sort_values("cost_usd", kind="stable").scenario.iloc[0])


def levers_markdown(point: pd.Series, levers: list[str]) -> str:
    """One point's levers and how much of each (0: off)."""
    on = [f"{name} {point[name]:g}" for name in levers if point[name] > 0]
    return "Levers: " + (", ".join(on) if on else "none") + "."


def _read_hinges(folder: Path) -> tuple[object, dict | None]:
    """The report (or why there is none) and its chart's spec."""
    try:
        report = read_report(folder)
    except (FileNotFoundError, ValueError) as exc:
        return f"{exc}. It takes about 10 minutes on 2 cores; reload this page when it is done.", None
    return report, charts.sensitivity_chart(report.indices).to_dict() if len(report.indices) else None


@solara.component
def HingesSection(folder: Path):
    report, spec = solara.use_memo(lambda: _read_hinges(folder), dependencies=[folder])
    if isinstance(report, str):
        solara.Info(report)
        return
    Md(f"<small>From `{folder}`.</small>")
    if spec is not None:
        Md("#### What journeys averted is most sensitive to (Sobol' total indices, with their 95% interval)")
        Chart(spec)
    Md(report.text.split("\n", 1)[1])  # the report's own title is the section's


def _read_front(folder: Path) -> tuple[object, dict, dict | None]:
    """The front (or why there is none), the search's settings and the chart's spec."""
    try:
        front, about = read_front(folder)
    except (FileNotFoundError, ValueError) as exc:
        return f"{exc}. Its defaults take about 20 minutes on 2 cores; restart the app when it is done.", {}, None
    return front, about, charts.front_chart(front, about["quantile"]).to_dict()


@solara.component
def FrontSection(folder: Path, offered: set[str], on_compare: Callable[[str], None]):
    front, about, spec = solara.use_memo(lambda: _read_front(folder), dependencies=[folder])
    picked = solara.use_reactive("")
    if isinstance(front, str):
        solara.Info(front)
        return
    if picked.value not in set(front.scenario):
        picked.set(first_pick(front))
        return
    quantile = about["quantile"]
    Md(
        f"<small>From `{folder}`: {len(front)} portfolios that no other beats on cost, journeys averted in the "
        f"worst {quantile:.0%} of {about['worlds_count']} plausible worlds, and the share of worlds meeting all "
        f"three of the agreement's targets, over {about['years'][0]}-{about['years'][1]}. Levers searched: "
        f"{', '.join(about['levers'])}.</small>"
    )
    Chart(spec)
    Md(front_markdown(front, quantile))
    with solara.Row(style={"align-items": "center"}):
        solara.Select("point", values=list(front.scenario), value=picked)
        solara.Button(
            "Compare with the baseline",
            on_click=lambda: on_compare(picked.value),
            disabled=picked.value not in offered,
            color="primary",
        )
    Md(
        levers_markdown(front.set_index("scenario").loc[picked.value], about["levers"])
        + " <small>(Shown first: the cheapest point that averts, in the worst worlds, at least 90% of what the "
        "best point does.)</small>"
    )
    if picked.value not in offered:
        solara.Warning("The app started before this front was written: restart it to compare its points.")


@solara.component
def page(offered: set[str], on_compare: Callable[[str], None]):
    """Both sections; ``offered``: the scenarios the Compare page can run, ``on_compare``: open one there."""
    Md("### Where each conclusion fails, and what it is most sensitive to")
    HingesSection(HINGES)
    Md("### The cheapest robust packages (a Pareto front)")
    FrontSection(FRONT, offered, on_compare)
