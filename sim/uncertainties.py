"""Every uncertain number, named, with its plausible range and reason; and how a world applies them.

The model's numbers are of three kinds. Calibrated parameters carry their uncertainty in the posterior
(``sim/data/posterior.csv``), sampled by seed. Assumed parameters (and a value from data that leaves
doubt) carry a plausible range in ``sim/data/parameters.yaml``: a world sets them to a value in it
(``"journey.fee_enforcement_elasticity"``). Levers' effect sizes and unit costs are stated by the scenario,
a policy choice, so a world scales what the scenario states by a relative factor, one per lever type
and kind (``"lever.border_enforcement.effect_scale"``, ``"lever.job_programs.cost_scale"``; see
:class:`sim.levers.base.Scale`): an effect factor of 0.5 halves the distance of each effect setting from
"no effect" (an aspiration shift of -1 becomes -0.5, a technology multiplier of 1.5 becomes 1.25), a
cost factor of 2 doubles the unit costs. Scaled settings are clipped to their allowed range.

This module is the vocabulary plausible worlds, sensitivity analysis and exploratory-modelling tools
(EMA Workbench's uncertainties) share: :func:`uncertainties` lists them, :func:`apply` makes a world.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

from sim.errors import nearest
from sim.levers import LEVERS
from sim.levers.base import Scale
from sim.parameters import Parameters, default_parameters, plausible_ranges, section_schemas
from sim.scenario import Scenario
from sim.schema import field_range

KINDS = ("parameter", "lever_effect", "lever_cost")
# what a world may set a lever's factor to: a factor below 0 would turn an effect around, or a cost into income
FACTOR_ALLOWED = (0.0, 10.0)


@dataclass(frozen=True)
class Uncertainty:
    """One uncertain number: its name, plausible range, the value the model uses today, and why the range."""

    name: str  # "journey.fee_enforcement_elasticity" or "lever.border_enforcement.effect_scale"
    low: float
    high: float
    default: float
    why: str  # the reason for the range: the evidence, or "judgement: ..."
    kind: str  # one of KINDS
    integer: bool = False  # a whole number (a world's value is rounded to the nearest)


def _lever_name(lever: str, scale: Scale) -> str:
    return f"lever.{lever}.{scale.kind}_scale"


def uncertainties() -> tuple[Uncertainty, ...]:
    """Every uncertain number in a stable order: parameters as the schema lists them, then each lever's scales.

    Raises ValueError naming the lever when a lever declares a factor range that is outside what a world
    may set, does not contain 1 (the scenario as stated), or names a setting the lever does not have.
    """
    defaults = default_parameters()
    ranges = plausible_ranges()
    out = []
    for section, schema in section_schemas().items():
        for key, info in schema.model_fields.items():
            name = f"{section}.{key}"
            if name in ranges:
                r = ranges[name]
                value = float(getattr(defaults[section], key))
                out.append(Uncertainty(name, r.low, r.high, value, r.why, "parameter", info.annotation is int))
    for lever_name, lever in LEVERS.items():
        for scale in lever.uncertain:
            name = _lever_name(lever_name, scale)
            _check_scale(name, scale, lever.Config.model_fields)
            out.append(Uncertainty(name, scale.low, scale.high, 1.0, scale.why, f"lever_{scale.kind}"))
    return tuple(out)


def _check_scale(name: str, scale: Scale, settings: Mapping[str, object]) -> None:
    unknown = [key for key in scale.settings if key not in settings]
    if unknown:
        raise ValueError(f"{name}: no setting {', '.join(unknown)} (settings: {', '.join(settings)})")
    low, high = FACTOR_ALLOWED
    if not low <= scale.low <= 1 <= scale.high <= high:
        raise ValueError(
            f"{name}: plausible factor {scale.low:g} to {scale.high:g} must contain 1 (the scenario as stated) and "
            f"lie within {low:g} to {high:g}"
        )
    if not scale.why.strip():
        raise ValueError(f"{name}: the factor's range needs its reason")


def apply(values: Mapping[str, float], parameters: Parameters, scenario: Scenario) -> tuple[Parameters, Scenario]:
    """A world: ``values`` (any subset of :func:`uncertainties`' names) applied to ``parameters`` and ``scenario``.

    Parameters named get the value (a whole-number parameter is rounded half up); levers of the scenario whose
    type has a named factor get their effect sizes or unit costs scaled. Names left out keep what
    ``parameters`` and ``scenario`` say (the defaults, unless the caller changed them), so an empty world,
    or one at every default, runs exactly as without it. A value may lie outside its plausible range but
    not outside what the schema allows. A scenario that sets a parameter under ``parameters:`` keeps its
    value in every world: the model lays the scenario's own settings over the parameters it is given, so
    an assumption a scenario fixes on purpose (``scenarios/assumptions/``) stays fixed.

    Raises ValueError for an unknown name (naming the nearest valid one) or a value outside what is allowed.
    """
    known = {u.name: u for u in uncertainties()}
    overrides: dict[str, dict[str, float | int]] = {}
    factors: dict[str, float] = {}
    for name, value in values.items():
        u = known.get(name)
        if u is None:
            raise ValueError(_unknown(name, known))
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"{name}: expected a finite number, got {value!r}")
        if u.kind == "parameter":
            section, key = name.split(".")
            low, high = field_range(section_schemas()[section].model_fields[key])
            if (low is not None and value < low) or (high is not None and value > high):
                raise ValueError(f"{name} = {value:g} is outside its allowed range {low:g} to {high:g}")
            overrides.setdefault(section, {})[key] = math.floor(value + 0.5) if u.integer else float(value)
        else:
            low, high = FACTOR_ALLOWED
            if not low <= value <= high:
                raise ValueError(f"{name} = {value:g} is outside the allowed factor range {low:g} to {high:g}")
            factors[name] = float(value)
    world = parameters.with_overrides(overrides) if overrides else parameters
    return world, _scaled(scenario, factors) if factors else scenario


def _unknown(name: str, known: Mapping[str, Uncertainty]) -> str:
    section, _, key = name.partition(".")
    if section in section_schemas() and key in section_schemas()[section].model_fields:
        return (
            f"{name} is a parameter without a plausible range (calibrated: its uncertainty is the posterior); "
            "`migsim params --uncertain` lists the uncertainties"
        )
    hint = nearest(name, known, cutoff=0.6)
    return f"unknown uncertainty {name!r}" + (
        f"; did you mean {hint!r}?" if hint else "; `migsim params --uncertain` lists them"
    )


def _scaled(scenario: Scenario, factors: Mapping[str, float]) -> Scenario:
    """The scenario with its levers' declared settings scaled by the world's factors (1: unchanged)."""
    levers = []
    for label, config in scenario.levers:
        kind = config.lever or label
        lever = LEVERS.lookup(kind)
        update: dict[str, float] = {}
        for scale in lever.uncertain:
            factor = factors.get(_lever_name(kind, scale), 1.0)
            if factor == 1.0:
                continue
            for key, neutral in scale.settings.items():
                low, high = field_range(type(config).model_fields[key])
                value = neutral + (getattr(config, key) - neutral) * factor
                update[key] = min(max(value, low), high)
        levers.append((label, config.model_copy(update=update) if update else config))
    return replace(scenario, levers=tuple(levers))
