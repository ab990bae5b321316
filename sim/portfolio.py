"""Portfolios of levers: how much of each measure, where and from when, as numbers to set or search.

Every built-in lever a shipped scenario uses gets a control: its "how much" setting (jobs, trainees, visas,
operations, a share, or the budget of a lever whose effect follows its dollars) with the schema's range, and the shipped scenario's other settings. A portfolio is
the baseline plus chosen levers at chosen amounts, validated like a scenario file. The app's custom
scenario, the Python API (:mod:`sim.exploratory`) and ``migsim optimise`` build their scenarios here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sim.departments import load_departments
from sim.levers import LEVERS
from sim.levers.base import TargetedConfig
from sim.scenario import SHIPPED, Scenario, load_scenario, validate_scenario
from sim.schema import field_range

CUSTOM = "custom scenario"
BASELINE = "baseline"
_SHARED_KEYS = set(TargetedConfig.model_fields)


def shipped_scenarios(folder: Path = SHIPPED) -> dict[str, Scenario]:
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
        if self.key.startswith("cost_usd"):
            return "Cost: the budget above, which sets what the lever buys."
        if self.yearly_cost is None:
            return "Cost: the shipped scenario's cost per unit, times the units."
        usd = self.settings[self.yearly_cost]
        return (
            f"Cost: US${usd / 1e6:,.0f} million a year at {self.default:g} in the shipped scenario, scaled with the "
            f"{self.key.replace('_', ' ')} above {self.low:g} (assumed: proportional)."
        )


def _amount_key(lever: type) -> str:
    """The lever's budget if its effect follows its dollars, else its first own number that is not a cost."""
    if lever.budgets:
        return lever.budgets[0]
    config = lever.Config
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
            key = _amount_key(cls)
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
                yearly_cost="cost_usd_per_year"
                if "cost_usd_per_year" in cls.Config.model_fields and key != "cost_usd_per_year"
                else None,
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
