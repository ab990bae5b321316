"""The single-run view: Mesa's SolaraViz stepping one model month by month, with live national series."""

from __future__ import annotations

import solara
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from sim.model import MigrationModel
from viz.viewmodel import shipped_scenarios

SCENARIOS = shipped_scenarios()


class WatchModel(MigrationModel):
    """The model as SolaraViz (re)builds it from its controls: a shipped scenario by name, a seed, a scale."""

    def __init__(self, scenario_name: str = "baseline", seed: int = 0, households_per_agent: int = 2000) -> None:
        super().__init__(SCENARIOS[scenario_name], seed=int(seed), households_per_agent=float(households_per_agent))


MODEL_PARAMS = {  # choices, not sliders: SolaraViz's sliders show no number
    "scenario_name": {"type": "Select", "value": "baseline", "values": list(SCENARIOS), "label": "Scenario"},
    "seed": {"type": "Select", "value": 0, "values": list(range(20)), "label": "Seed (which random draws)"},
    "households_per_agent": {
        "type": "Select",
        "value": 2000,
        "values": [200, 500, 1000, 2000, 5000],
        "label": "Households per agent (coarser: faster, lumpier)",
    },
}
SERIES = {  # DataCollector column: what the plot shows
    "departures": "departures a month (irregular journeys and visa departures)",
    "arrivals": "arrivals in the US a month (people)",
    "stock_abroad": "members abroad who left since 2002 (people)",
}


def month_label(month: int) -> str:
    """``YYYY-MM`` of a model month (months counted from year 0, as in ``MigrationModel.month``)."""
    return f"{month // 12}-{month % 12 + 1:02d}"


def series(name: str, label: str):
    """A live plot of one national series against the calendar (Mesa's own plots count steps)."""

    @solara.component
    def Series(model: WatchModel):
        update_counter.get()  # redrawn after every step, as Mesa's plots are
        table = model.datacollector.get_model_vars_dataframe()
        if table.empty:
            # plain text: solara.Markdown would fetch its diagram library from the CDN, which is not there offline
            solara.Text(f"{label}: press Step or Play to simulate the first month.")
            return
        fig = Figure(figsize=(5, 3.2))
        ax = fig.subplots()
        ax.plot(table["month"], table[name])
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda month, _: month_label(int(month))))
        ax.set_xlabel("month")
        ax.set_ylabel(label)
        solara.FigureMatplotlib(fig, format="png", bbox_inches="tight")

    return Series


def page(model: WatchModel | None = None):
    """SolaraViz with the model's DataCollector series (people a month, national)."""
    return SolaraViz(
        model or WatchModel(),
        components=[series(name, label) for name, label in SERIES.items()],
        model_params=MODEL_PARAMS,
        name="Watch one run: departures, arrivals and members abroad each month (people, national)",
        play_interval=50,
    )
