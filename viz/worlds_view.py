"""The app's plausible worlds: in how many each scenario averts journeys and arrivals and meets each target.

The same tables as ``migsim compare --worlds`` prints (:data:`sim.comparison_columns.WORLDS`), as Markdown.
"""

from __future__ import annotations

import html

import pandas as pd
import solara

from sim.compare import Comparison
from sim.comparison_columns import WORLDS, markdown_table
from sim.worlds import beats, shares
from viz.components import Md


def worlds_markdown(in_worlds: Comparison, years: tuple[int, int]) -> str:
    """The shares of worlds, one row per scenario against the first."""
    return markdown_table(WORLDS, shares(in_worlds, years))


def beats_markdown(in_worlds: Comparison, years: tuple[int, int]) -> str:
    """The chance, world by world, that the row's scenario averts more journeys than the column's."""
    chances = beats(in_worlds, years)
    names = [html.escape(n).replace("|", "\\|") for n in chances.columns]
    lines = ["| scenario | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for name, row in zip(names, chances.itertuples(index=False), strict=True):
        lines.append(f"| {name} | " + " | ".join("" if pd.isna(v) else f"{v:.0%}" for v in row) + " |")
    return "\n".join(lines)


@solara.component
def WorldsResults(in_worlds: Comparison, years: tuple[int, int], seconds: float):
    """The plausible worlds' tables under the seeds' results."""
    shown = solara.use_memo(
        lambda: (worlds_markdown(in_worlds, years), beats_markdown(in_worlds, years)), dependencies=[in_worlds]
    )
    Md(f"### Across {len(in_worlds.seeds)} plausible worlds, {years[0]}-{years[1]}")
    Md(
        "<small>The totals above carry chance and the calibrated parameters. Most of the model's numbers are "
        "assumed instead, each with a plausible range: here every scenario runs again in worlds that draw all of "
        "them at once (a Latin hypercube, the same worlds for every scenario), each against the first scenario "
        f"in the same world. {seconds:.1f} s.</small>"
    )
    Md(shown[0])
    Md("<small>Chance that the row's scenario averts more journeys than the column's:</small>")
    Md(shown[1])
