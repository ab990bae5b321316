"""Model parameters: typed, range-checked sections, with values and sources kept in one data file.

The schema (meaning, unit, allowed range) lives here and in each rule's ``Params``; the values and
the evidence for each live in ``sim/data/parameters.yaml``. A scenario may override values under
``parameters:``; the same ranges apply. Every assumed value also has a plausible range with its reason
(``plausible:``, ``plausible_source:``), which plausible worlds sample (:mod:`sim.uncertainties`).
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from sim.border import BorderParams
from sim.errors import Problem, ScenarioError, nearest
from sim.rules import RULES
from sim.schema import field_range
from sim.units import UnitParams


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PopulationParams(Section):
    income_sigma: float = Field(ge=0.1, le=2.0, description="standard deviation of log income per person")
    education_income_correlation: float = Field(
        ge=-1, le=1, description="correlation of the head's schooling with log income"
    )
    savings_months: float = Field(ge=0, le=24, description="mean savings, in months of household income")
    relatives_abroad_mean: float = Field(
        ge=0,
        le=10,
        description="national mean ties per household at the start to extended kin in the US (not its own members)",
    )
    settled_abroad: float = Field(
        ge=0, le=3e6, description="Guatemalans abroad at the start who left before 2002, persons (household members)"
    )
    settled_exit_annual: float = Field(
        ge=0, le=0.2, description="yearly probability a member who left before 2002 dies, comes back or stops sending"
    )
    unemployed_income_share: float = Field(
        ge=0, le=1, description="household income without the main earner's work, as a share of base income"
    )
    engagement_baseline: float = Field(
        ge=0, le=1, description="share of households taking part in prevention programs without any new measure"
    )


class EconomyParams(Section):
    job_separation: float = Field(ge=0, le=0.5, description="monthly probability the main earner loses work")
    saving_rate: float = Field(ge=0, le=0.5, description="share of income saved each month")
    remittance_saving_share: float = Field(ge=0, le=1, description="share of remittances saved each month")
    debt_interest: float = Field(ge=0, le=0.2, description="monthly interest on debt")
    victimisation_annual: float = Field(
        ge=0, le=1, description="yearly probability a household suffers a crime at the national homicide rate of 2018"
    )


class AspirationParams(Section):
    intercept: float = Field(ge=-15, le=5, description="log-odds of aspiring with every rule term at zero")
    latent_redraw: float = Field(
        ge=0, le=1, description="monthly probability a household's propensity is redrawn (life events)"
    )
    action_rate: float = Field(ge=0, le=1, description="yearly probability an aspiring, capable household sets out")


class JourneyParams(Section):
    p_mexico: float = Field(ge=0, le=0.95, description="probability an attempt is stopped in Mexico")
    p_us: float = Field(
        ge=0,
        le=0.95,
        description="probability an attempt reaching the US border is stopped there, at 2018 Border Patrol staffing",
    )
    p_death: float = Field(ge=0, le=0.2, description="probability of dying on an attempt")
    staffing_elasticity: float = Field(
        ge=0, le=3, description="elasticity of US apprehension probability to Border Patrol southwest staffing"
    )
    fee_enforcement_elasticity: float = Field(
        ge=0, le=3, description="elasticity of the smuggler fee to an enforcement multiplier"
    )
    package_attempts: int = Field(ge=1, le=5, description="attempts one smuggler fee covers")
    reattempt_rate: float = Field(
        ge=0, le=1, description="monthly probability an apprehended migrant tries again while the fee still covers it"
    )


class ReturnsParams(Section):
    return_annual: float = Field(ge=0, le=1, description="yearly probability a member abroad comes home voluntarily")
    removal_annual: float = Field(
        ge=0, le=1, description="yearly probability a member abroad is removed from the US interior"
    )
    enforcement_elasticity: float = Field(
        ge=0, le=3, description="elasticity of voluntary return to an enforcement multiplier (negative effect)"
    )


class RemittanceParams(Section):
    lag_months: int = Field(ge=0, le=24, description="months after arrival before a member sends money")
    us_demand_elasticity: float = Field(
        ge=0, le=3, description="elasticity of remittances per migrant to the US labour demand index"
    )


class LegalParams(Section):
    slots_per_year: float = Field(ge=0, le=500000, description="temporary US work visas to Guatemalans per year")
    duration_months: int = Field(ge=1, le=36, description="months a temporary worker stays abroad")
    rehire_months: int = Field(
        ge=0,
        le=120,
        description="months after a temporary worker's return during which the household waits for another season instead of going irregularly",
    )
    rehire_priority: float = Field(
        ge=1, le=50, description="weight of returning workers' households in the allocation of visas"
    )


class CrimeParams(Section):
    leader_arrest: float = Field(ge=0, le=1, description="monthly hazard of arrest of a leader without new operations")
    member_arrest: float = Field(ge=0, le=1, description="monthly hazard of arrest of a member without new operations")
    seizure: float = Field(
        ge=0, le=1, description="monthly hazard that a drug shipment is seized without new operations"
    )
    operation_leader: float = Field(
        ge=0, le=1, description="leader arrest hazard added by one operation against the organisation"
    )
    operation_member: float = Field(ge=0, le=1, description="member arrest hazard added by one operation, per member")
    operation_seizure: float = Field(ge=0, le=1, description="seizure hazard added by one operation, per shipment")
    intelligence_gain: float = Field(
        ge=0,
        le=10,
        description="factor by which full information sharing multiplies operations' hits on leaders and shipments (1 + gain)",
    )
    succession: float = Field(
        ge=0, le=1, description="monthly chance a leader's vacancy is filled (successors, splinters, rivals)"
    )
    recruitment: float = Field(
        ge=0, le=1, description="monthly chance a member's vacancy is filled from young people in the territory"
    )
    engagement_recruitment: float = Field(
        ge=0, le=20, description="fall in recruitment per unit share of households in prevention programs"
    )
    leader_weight: float = Field(
        ge=0, le=1, description="weight of leaders (against members) in an organisation's capacity"
    )
    fee_elasticity: float = Field(ge=0, le=3, description="smuggler fee ~ smuggling capacity ** -elasticity")
    risk_elasticity: float = Field(
        ge=0, le=3, description="journey death risk ~ smuggling capacity ** -elasticity (less experienced smugglers)"
    )
    violence_elasticity: float = Field(
        ge=0, le=3, description="homicide ~ trafficking capacity ** elasticity in the territory"
    )
    succession_violence: float = Field(
        ge=0,
        le=5,
        description="homicide rises by this share times the share of leaders' posts vacant (succession fights)",
    )
    displacement: float = Field(
        ge=0, le=1, description="share of the other corridors' capacity that fills in for a weakened smuggling corridor"
    )
    police_officers: float = Field(
        ge=1000, le=500000, description="size of the police force that capacity building trains"
    )
    training_gain: float = Field(
        ge=0, le=10, description="effectiveness of operations rises by this times the share of officers trained"
    )


CORE_SECTIONS: dict[str, type[Section]] = {
    "population": PopulationParams,
    "economy": EconomyParams,
    "aspiration": AspirationParams,
    "journey": JourneyParams,
    "returns": ReturnsParams,
    "remittances": RemittanceParams,
    "legal": LegalParams,
    "crime": CrimeParams,
    "units": UnitParams,
    "border": BorderParams,
}


def section_schemas() -> dict[str, type[BaseModel]]:
    """Every parameter section: the core ones and one per registered rule."""
    return {**CORE_SECTIONS, **{name: rule.Params for name, rule in RULES.items()}}


class Parameters:
    """Validated parameter values by section, e.g. ``params.journey.p_us`` or ``params["employment"]``."""

    def __init__(self, sections: dict[str, BaseModel], sources: dict[str, dict[str, str]]) -> None:
        self._sections = sections
        self.sources = sources

    def __getattr__(self, name: str) -> BaseModel:
        try:
            return self.__dict__["_sections"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> BaseModel:
        return self._sections[name]

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return {name: section.model_dump() for name, section in self._sections.items()}

    def with_overrides(self, overrides: dict[str, dict[str, Any]]) -> Parameters:
        """A new set with some values replaced (validated); this one is unchanged."""
        merged = self.as_dict()
        for section, values in overrides.items():
            merged[section] = {**merged[section], **values}
        return build_parameters(merged, self.sources)


def build_parameters(values: dict[str, dict[str, Any]], sources: dict[str, dict[str, str]]) -> Parameters:
    """Validate plain values into a :class:`Parameters` (raises pydantic's ValidationError)."""
    schemas = section_schemas()
    missing = set(schemas) - set(values)
    if missing:
        raise ValueError(f"parameter sections missing: {sorted(missing)}")
    return Parameters({name: schemas[name].model_validate(values[name]) for name in schemas}, sources)


def read_parameter_file(text: str) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, str]]]:
    """Split the ``{section: {name: {value, source}}}`` file into values and sources."""
    raw = yaml.safe_load(text)
    values = {s: {k: entry["value"] for k, entry in body.items()} for s, body in raw.items()}
    sources = {s: {k: entry["source"] for k, entry in body.items()} for s, body in raw.items()}
    return values, sources


PARAMETER_FILE = "sim/data/parameters.yaml"
ENTRY_KEYS = ("value", "source", "plausible", "plausible_source")


@dataclass(frozen=True)
class Plausible:
    """A parameter's plausible range and why: what plausible worlds sample, inside the schema's allowed range."""

    low: float
    high: float
    why: str


def read_plausible(text: str, file: str = PARAMETER_FILE) -> dict[str, Plausible]:
    """Each parameter's plausible range (``section.name`` -> :class:`Plausible`), checked against its entry.

    Assumed values must have one (the intervals would otherwise pretend to know them), calibrated ones must
    not (their posterior is their uncertainty), values from data may. The range lies inside the schema's
    allowed range, contains the value and says why; each problem is one line naming the parameter
    (:class:`~sim.errors.ScenarioError`).
    """
    from sim.provenance import parameter_status

    raw = yaml.safe_load(text)
    schemas = section_schemas()
    ranges: dict[str, Plausible] = {}
    problems: list[Problem] = []
    for section, body in raw.items():
        for name, entry in body.items():
            path = (section, name)
            unknown = [key for key in entry if key not in ENTRY_KEYS]
            for key in unknown:
                hint = nearest(str(key), ENTRY_KEYS)
                message = "unknown key" + (f"; did you mean '{hint}'?" if hint else "")
                problems.append(Problem(file, (*path, key), None, f"{message} (allowed: {', '.join(ENTRY_KEYS)})"))
            info = schemas[section].model_fields.get(name) if section in schemas else None
            if info is None or unknown:
                continue  # an unknown parameter is the schema's error (build_parameters)
            found = _plausible(entry, parameter_status(str(entry.get("source", ""))), info)
            if isinstance(found, str):
                problems.append(Problem(file, (*path, "plausible"), None, found))
            elif found is not None:
                ranges[f"{section}.{name}"] = found
    if problems:
        raise ScenarioError(problems)
    return ranges


def _plausible(entry: dict[str, Any], status: str, info: Any) -> Plausible | str | None:
    """One entry's range, None if it has none (and need not), or what is wrong with it."""
    bounds, why = entry.get("plausible"), entry.get("plausible_source")
    if bounds is None:
        if status == "assumed":
            return "an assumed value needs a plausible range: plausible: [low, high] and plausible_source: why"
        return "plausible_source without plausible: [low, high]" if why is not None else None
    if status == "calibrated":
        return "a calibrated value takes no plausible range: its uncertainty is the posterior (posterior.csv)"
    numbers = isinstance(bounds, list) and len(bounds) == 2
    if not numbers or any(
        isinstance(b, bool) or not isinstance(b, int | float) or not math.isfinite(b) for b in bounds
    ):
        return f"must be [low, high], two numbers; got {bounds!r}"
    low, high = bounds
    if not isinstance(why, str) or not why.strip():
        return "needs plausible_source: the reason for the range (evidence, or 'judgement: ...')"
    if low > high:
        return f"[{low:g}, {high:g}]: low is above high"
    if info.annotation is int and not (float(low).is_integer() and float(high).is_integer()):
        return f"[{low:g}, {high:g}]: the parameter is a whole number, so are its bounds"
    allowed_low, allowed_high = field_range(info)
    if (allowed_low is not None and low < allowed_low) or (allowed_high is not None and high > allowed_high):
        return f"[{low:g}, {high:g}] is outside the allowed range {allowed_low:g} to {allowed_high:g}"
    value = entry["value"]
    if not low <= value <= high:
        return f"[{low:g}, {high:g}] does not contain the value {value:g}"
    return Plausible(float(low), float(high), why.strip())


def _parameter_text() -> str:
    return resources.files("sim.data").joinpath("parameters.yaml").read_text(encoding="utf-8")


@cache
def default_parameters() -> Parameters:
    """The model's default parameters, from ``sim/data/parameters.yaml``."""
    return build_parameters(*read_parameter_file(_parameter_text()))


@cache
def plausible_ranges() -> dict[str, Plausible]:
    """The plausible range of every parameter that has one (all assumed ones), from ``sim/data/parameters.yaml``."""
    return read_plausible(_parameter_text())


def _data_text(name: str) -> str:
    path = resources.files("sim.data").joinpath(name)
    if not path.is_file():
        raise FileNotFoundError(f"sim/data/{name} not found: run `migsim calibrate --install` to create it")
    return path.read_text(encoding="utf-8")


@cache
def calibration_record() -> dict[str, Any]:
    """The installed calibration's summary (``sim/data/calibration.json``): best vector, draws, settings."""
    return json.loads(_data_text("calibration.json"))


@cache
def posterior_draws() -> tuple[dict[str, dict[str, float]], ...]:
    """The installed posterior's parameter vectors (``sim/data/posterior.csv``), each as overrides by section."""
    draws = []
    for row in csv.DictReader(io.StringIO(_data_text("posterior.csv"))):
        overrides: dict[str, dict[str, float]] = {}
        for key, value in row.items():
            if key != "draw":
                section, name = key.split(".")
                overrides.setdefault(section, {})[name] = float(value)
        draws.append(overrides)
    return tuple(draws)


def parameter_draw(index: int) -> Parameters:
    """Posterior draw ``index`` (cycling through the draws): the parameters a seed's run uses by default."""
    draws = posterior_draws()
    return default_parameters().with_overrides(draws[index % len(draws)])
