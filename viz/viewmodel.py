"""What the app's pages compute, apart from drawing: scenarios offered, the custom scenario, result tables.

Nothing here imports Solara, so every number the page shows can be tested without a browser. The custom
scenario is built as plain data and validated by the same schema as scenario files: a value outside a
lever's range (from a slider or sent straight to the server) is refused with the schema's own message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.calibration.free import FREE
from sim.compare import HEADLINE, Comparison
from sim.comparison_columns import summary as totals  # the page's totals: departures, costs and the targets
from sim.comparison_report import comparison_report, rounded
from sim.departments import load_departments
from sim.levers import LEVERS
from sim.levers.base import TargetedConfig
from sim.scenario import SHIPPED, Scenario, load_scenario, validate_scenario
from sim.schema import field_range

SCENARIOS = SHIPPED
CUSTOM = "custom scenario"
BASELINE = "baseline"
_SHARED_KEYS = set(TargetedConfig.model_fields)


def shipped_scenarios(folder: Path = SCENARIOS) -> dict[str, Scenario]:
    """The scenario files of ``folder`` by their names, baseline first."""
    found = {s.name: s for s in (load_scenario(f) for f in sorted(folder.glob("*.yaml")))}
    return dict(sorted(found.items(), key=lambda item: (item[0] != BASELINE, item[0])))


@dataclass(frozen=True)
class LeverControl:
    """One lever of the custom scenario: its "how much" setting with the schema's range, and defaults."""

    lever: str
    summary: str
    key: str  # the setting the slider moves
    meaning: str
    low: float
    high: float  # the slider's top: the schema's limit, or four times the shipped setting when that is lower
    step: float
    default: float
    settings: dict = field(default_factory=dict)  # the shipped scenario's other settings (costs, duration ...)
    placed: bool = True  # takes departments
    departments: tuple[str, ...] = ()
    start_year: int = 2026
    yearly_cost: str | None = None  # a cost per year that does not follow the amount by itself (see custom_scenario)

    def cost_note(self) -> str:
        """How the custom scenario prices this lever, in a line."""
        if self.yearly_cost is None:
            return "Cost: the shipped scenario's cost per unit, times the units."
        usd = self.settings[self.yearly_cost]
        return (
            f"Cost: US${usd / 1e6:,.0f} million a year at {self.default:g} in the shipped scenario, scaled with the "
            f"{self.key.replace('_', ' ')} above {self.low:g} (assumed: proportional)."
        )


def _amount_key(config: type) -> str:
    """The lever's first own number that is not a cost: jobs, trainees, visas, operations ..."""
    for key, info in config.model_fields.items():
        if key not in _SHARED_KEYS and "cost" not in key and info.annotation in (int, float):
            return key
    raise ValueError(f"{config.__name__} has no numeric setting")


def lever_controls(scenarios: dict[str, Scenario]) -> dict[str, LeverControl]:
    """A control for every built-in lever a shipped scenario uses, set as in the simplest such scenario."""
    table = load_departments()
    names = table.name
    controls: dict[str, LeverControl] = {}
    for scenario in sorted(scenarios.values(), key=lambda s: (len(s.levers), s.name)):
        for label, config in scenario.levers:
            lever = config.lever or label
            if lever in controls or lever not in LEVERS:
                continue
            cls = LEVERS.lookup(lever)
            key = _amount_key(cls.Config)
            info = cls.Config.model_fields[key]
            low, high = field_range(info)
            default = float(getattr(config, key))
            if high > 3 and default > 0:
                high = min(high, _nice(4 * default))
            settings = config.model_dump(mode="json", exclude_none=True)
            departments = settings.get("departments", "all")
            if departments != "all":
                departments = [names[table.index(d)] for d in departments]
            controls[lever] = LeverControl(
                lever=lever,
                summary=cls.summary,
                key=key,
                meaning=info.description or key,
                low=float(low),
                high=float(high),
                step=1.0 if info.annotation is int or high > 100 else 0.05,
                default=default,
                settings=settings,
                placed="departments" in cls.Config.model_fields,
                departments=tuple(departments) if departments != "all" else tuple(names),
                start_year=config.start // 12,
                yearly_cost="cost_usd_per_year" if "cost_usd_per_year" in cls.Config.model_fields else None,
            )
    return dict(sorted(controls.items()))


def _nice(value: float) -> float:
    """Round up to 1, 2 or 5 times a power of ten, for a slider's end."""
    power = 10 ** (len(str(int(value))) - 1)
    return float(next(m * power for m in (1, 2, 5, 10) if m * power >= value))


@dataclass(frozen=True)
class CustomLever:
    """What the user chose for one lever of the custom scenario."""

    amount: float
    departments: tuple[str, ...] | None = None  # None: all
    start_year: int = 2026


def custom_scenario(base: Scenario, controls: dict[str, LeverControl], chosen: dict[str, CustomLever]) -> Scenario:
    """The baseline plus the chosen levers, validated like a file (raises ``ScenarioError`` on bad values).

    Levers priced per unit (jobs, loans, operations) cost what their amount costs; a lever priced per year
    (patrols, intelligence) has its yearly cost scaled with the amount above the setting that does nothing,
    so that a multiplier of 1 costs nothing and the cost per departure averted means something.
    """
    data = base.resolved()
    data["name"] = CUSTOM
    levers, parts = {}, []
    for lever, choice in chosen.items():
        control = controls[lever]
        settings = {**control.settings, control.key: choice.amount, "start": f"{choice.start_year}-01"}
        settings.pop("end", None)
        settings["lever"] = lever
        if control.placed:
            settings["departments"] = list(choice.departments) if choice.departments else "all"
        if control.yearly_cost is not None:
            span = control.default - control.low
            share = (choice.amount - control.low) / span if span > 0 else float(choice.amount > control.low)
            settings[control.yearly_cost] = control.settings[control.yearly_cost] * share
        levers[f"custom_{lever}"] = settings
        where = ""
        if control.placed:
            where = " in all departments" if not choice.departments else f" in {', '.join(choice.departments)}"
        parts.append(
            f"{lever.replace('_', ' ')}: {choice.amount:,g} {control.key.replace('_', ' ')}{where} from {choice.start_year}"
        )
    data["description"] = "The baseline with " + ("; ".join(parts) if parts else "no lever") + " (built in the app)."
    data["levers"] = {**data["levers"], **levers}
    return validate_scenario(data, source="custom scenario (app)")


PREVIEW_AFTER = 1.0  # seconds: a comparison done sooner shows only its answer
PREVIEW_EVERY = 2.0  # seconds between two previews


def preview_due(elapsed: float, last: float | None) -> bool:
    """Whether to show the seeds done so far, ``elapsed`` seconds into a comparison (``last``: the last preview).

    Each preview redraws the page (tables and charts, on the server and in the browser): for a comparison of
    a few seconds, previews after every seed delayed the whole answer by most of a second (measured in
    Chromium: a custom scenario's five seeds 2.8 s with previews after every seed, 2.0 s without).
    """
    return elapsed >= PREVIEW_AFTER and (last is None or elapsed - last >= PREVIEW_EVERY)


def outflow_per_year(result: Comparison, years: tuple[int, int]) -> pd.DataFrame:
    """Irregular departures per scenario and year: mean and 90% interval over seeds."""
    return result.per_year(HEADLINE, years)


def department_map_values(result: Comparison, years: tuple[int, int], scenario: str) -> pd.DataFrame:
    """Per department for one scenario: projected departures, change against the first scenario, INE code."""
    table = result.per_department(HEADLINE, years)
    mine = table[table.scenario == scenario].set_index("department")
    departments = load_departments()
    frame = pd.DataFrame({"department": list(departments.name), "ine_code": departments.code})
    frame["departures"] = frame.department.map(mine["total"]).to_numpy()
    frame["change"] = -frame.department.map(mine["averted"]).to_numpy()
    baseline = frame["departures"] - frame["change"]
    frame["change_percent"] = 100 * frame["change"] / baseline.where(baseline > 0)
    frame["households"] = departments.households
    frame["departures_per_1000_households"] = (
        1000 * frame["departures"] / frame["households"] / (years[1] - years[0] + 1)
    )
    frame["id"] = frame["ine_code"] * 100  # the map's department ids (INE code x 100)
    return frame


@dataclass(frozen=True)
class Context:
    """What a comparison was run with, beyond its numbers: for the page and the downloads."""

    households_per_agent: float
    descriptions: dict[str, str]  # scenario name -> description (the custom one says what was chosen)


def comparison_csv(result: Comparison, years: tuple[int, int], context: Context | None = None) -> bytes:
    """The comparison as one tidy CSV: per scenario and year, then the window's totals (``year`` = 'total').

    With ``context``, each row also says the seeds, the scale and the scenario's description. The yearly rows are
    ``per_year.csv``'s, the totals the page's table, rounded as ``totals.csv`` is (:mod:`sim.comparison_report`).
    """
    yearly = comparison_report(result, years).tables["per_year.csv"].rename(columns={"mean": "departures_irregular"})
    yearly.insert(1, "row", "year")
    table = rounded(totals(result, years)).rename(columns={"total": "departures_irregular", "total_low": "low"})
    table = table.rename(columns={"total_high": "high"})
    table.insert(1, "row", "total")
    table.insert(2, "year", f"{years[0]}-{years[1]}")
    both = pd.concat([yearly, table], ignore_index=True)
    if context is not None:
        both["seeds"] = len(result.seeds)
        both["households_per_agent"] = context.households_per_agent
        both["description"] = both.scenario.map(context.descriptions)
    return both.to_csv(index=False).encode()


def comparison_png(result: Comparison, years: tuple[int, int]) -> bytes:
    """The chart ``migsim compare`` writes (matplotlib), as PNG bytes."""
    return comparison_report(result, years).chart_png()


def comparison_zip(result: Comparison, years: tuple[int, int]) -> bytes:
    """Every file ``migsim compare`` writes, zipped: unpacked, ``migsim reproduce`` reruns and checks it."""
    return comparison_report(result, years).as_zip()


READ_ME = (
    "**How to read this.** Each scenario is simulated with the same seeds (the same households, the same "
    "chances and the same parameter values, drawn for each seed from the calibration's posterior), so chance "
    "is paired away and the difference between two scenarios is the policies' effect under the model's "
    "assumptions. Lines are the mean over seeds and the shaded band the 90% interval: it covers chance and the "
    f"{len(FREE)} calibrated parameters, not the assumed ones. *Irregular departures* are journeys started "
    "without a visa: a migrant stopped on the way who tries again counts again. *Arrivals in the US averted* "
    "counts the journeys that no longer get through. Departures on temporary work visas are legal and counted "
    "apart. *Averted* is the first scenario's count minus this one's, seed by seed. Costs are the scenario "
    "files' assumed costs in US dollars.\n\n"
    f"**Caveats.** {len(FREE)} behavioural parameters are calibrated to the 2018 census, Border Patrol "
    "apprehensions and a survey; the rest, every programme cost and all crime parameters are assumed (see the "
    "README, *What is data and what is assumed*). Most of what border enforcement and the operations against "
    "smuggling networks do to journeys rests on one of those assumptions, that smugglers' fees and route risk "
    "rise with enforcement; without it they still cut arrivals in the US but not journeys. The model "
    "reproduces the 2018 census by department but its migration is single migrants only: US border agencies "
    "counted several times more Guatemalans than the model does (Border Patrol apprehensions in 2019, CBP "
    "encounters in 2021-2024). Read the numbers as what the "
    "assumptions imply, not as forecasts."
)
