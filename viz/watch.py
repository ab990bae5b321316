"""The single-run view: Mesa's SolaraViz stepping one model month by month, with live national series."""

from __future__ import annotations

from mesa.visualization import SolaraViz, make_plot_component

from sim.model import MigrationModel
from viz.viewmodel import shipped_scenarios

SCENARIOS = shipped_scenarios()


class WatchModel(MigrationModel):
    """The model as SolaraViz (re)builds it from its controls: a shipped scenario by name, a seed, a scale."""

    def __init__(self, scenario_name: str = "baseline", seed: int = 0, households_per_agent: int = 2000) -> None:
        super().__init__(SCENARIOS[scenario_name], seed=int(seed), households_per_agent=float(households_per_agent))


MODEL_PARAMS = {
    "scenario_name": {"type": "Select", "value": "baseline", "values": list(SCENARIOS), "label": "Scenario"},
    "seed": {"type": "SliderInt", "value": 0, "min": 0, "max": 99, "step": 1, "label": "Seed (which random draws)"},
    "households_per_agent": {
        "type": "SliderInt",
        "value": 2000,
        "min": 200,
        "max": 5000,
        "step": 100,
        "label": "Households per agent (coarser is faster)",
    },
}


def page(model: WatchModel | None = None):
    """SolaraViz with the model's DataCollector series (people a month, national)."""
    return SolaraViz(
        model or WatchModel(),
        components=[
            make_plot_component("departures"),
            make_plot_component(["arrivals"]),
            make_plot_component("stock_abroad"),
        ],
        model_params=MODEL_PARAMS,
        name="Watch one run: departures, arrivals and members abroad each month (people, national)",
        play_interval=50,
    )
