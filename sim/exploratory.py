"""One call runs one world: levers, uncertainties and outcomes as named objects, for scripts and EMA Workbench.

Exploratory-modelling tools (EMA Workbench's ``Model`` and ``perform_experiments``, a plain loop, a
optimiser) need a model as a function: named inputs in, named outcomes out. :func:`run_world` is that
function. Its levers are the portfolio's (:mod:`sim.portfolio`: how much of each measure, in its own units;
a lever left out or at its lowest is off), its uncertainties are :func:`sim.uncertainties.uncertainties`
(left out: their default; named as Python identifiers, a dot written as two underscores, since EMA Workbench 3
wants identifiers: ``journey__fee_enforcement_elasticity``), and it returns what the portfolio averts against the baseline in the same world
(the same seed, posterior draw and assumed numbers), what it costs and whether it meets the agreement's
targets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache

import numpy as np

from sim import DEFAULT_HOUSEHOLDS_PER_AGENT
from sim.errors import nearest
from sim.portfolio import BASELINE, CustomLever, LeverControl, custom_scenario, lever_controls, shipped_scenarios
from sim.scenario import Scenario
from sim.uncertainties import Uncertainty
from sim.uncertainties import uncertainties as _model_uncertainties

YEARS = (2026, 2035)


@dataclass(frozen=True)
class Decision:
    """A lever as a number to choose: how much of it, within the range its schema allows."""

    name: str  # the lever, e.g. "job_programs"
    low: float  # at or below: the lever is off
    high: float
    default: float  # as in the shipped scenarios
    unit: str  # the setting it moves, e.g. "jobs_per_year"
    meaning: str


@dataclass(frozen=True)
class Outcome:
    """A number :func:`run_world` returns, and which way is better."""

    name: str
    meaning: str
    better: str  # "higher" or "lower"


OUTCOMES = (
    Outcome("journeys_averted", "irregular journeys started, baseline less portfolio, over the years", "higher"),
    Outcome("arrivals_averted", "arrivals in the US, baseline less portfolio, over the years", "higher"),
    Outcome("cost_usd", "what the portfolio's levers cost over the years, USD", "lower"),
    Outcome("key_arrests_met", "1 if key arrests average at least 10 a year, else 0", "higher"),
    Outcome("seizure_growth_met", "1 if drug seizures grow at least 30% a year on average, else 0", "higher"),
    Outcome(
        "engagement_met", "1 if engagement in prevention programs is 25% above the baseline's at the end", "higher"
    ),
)


@cache
def _controls() -> dict[str, LeverControl]:
    return lever_controls(shipped_scenarios())


def identifier(name: str) -> str:
    """An uncertainty's name as a Python identifier: ``journey.fee_elasticity`` -> ``journey__fee_elasticity``."""
    return name.replace(".", "__")


def uncertainties() -> tuple[Uncertainty, ...]:
    """Every uncertain number (:mod:`sim.uncertainties`), named as :func:`run_world` takes it."""
    return tuple(replace(u, name=identifier(u.name)) for u in _model_uncertainties())


def levers() -> tuple[Decision, ...]:
    """Every lever a portfolio can use, with its range and the shipped scenarios' setting."""
    return tuple(Decision(name, c.low, c.high, c.default, c.key, c.meaning) for name, c in sorted(_controls().items()))


def portfolio(amounts: Mapping[str, float]) -> Scenario:
    """The baseline plus each lever of ``amounts`` above its lowest, where and from when the shipped ones act.

    Raises ``ValueError`` naming an unknown lever (and the nearest one) or an amount out of its range.
    """
    controls = _controls()
    chosen = {}
    for name, amount in amounts.items():
        if name not in controls:
            raise ValueError(f"no lever {name!r}; did you mean {nearest(name, controls)!r}? ({', '.join(controls)})")
        control = controls[name]
        if not control.low <= amount <= control.high:
            raise ValueError(f"{name} must be {control.low:g} to {control.high:g} {control.key}, got {amount:g}")
        if amount > control.low:
            chosen[name] = CustomLever(float(amount), control.departments, control.start_year)
    return custom_scenario(shipped_scenarios()[BASELINE], controls, chosen)


def run_world(
    *,
    seed: int = 0,
    households_per_agent: float = DEFAULT_HOUSEHOLDS_PER_AGENT,
    years: tuple[int, int] = YEARS,
    **values: float,
) -> dict[str, float]:
    """Run the baseline and the portfolio of ``values``' levers in the world of ``values``' uncertainties.

    Keywords are lever names (:func:`levers`) and uncertainty names (:func:`uncertainties`), e.g.
    ``run_world(job_programs=20_000, journey__fee_enforcement_elasticity=0.1)``. Returns every
    :data:`OUTCOMES` by name. The same seed and values give the same numbers (results are cached on disk).
    """
    from sim.compare import compare, posterior_draws_for
    from sim.worlds import Worlds, per_world

    known = {u.name: u for u in _model_uncertainties()}
    values = {name.replace("__", "."): value for name, value in values.items()}
    controls = _controls()
    unknown = [name for name in values if name not in known and name not in controls]
    if unknown:
        asked, everything = identifier(unknown[0]), [*controls, *map(identifier, known)]
        raise ValueError(f"no lever or uncertainty {asked!r}; did you mean {nearest(asked, everything)!r}?")
    _check_ranges(known, values)
    scenario = portfolio({name: v for name, v in values.items() if name in controls})
    world = Worlds(tuple(known), np.array([[float(values.get(name, u.default)) for name, u in known.items()]]), seed)
    result = compare(
        [shipped_scenarios()[BASELINE], scenario],
        [seed],
        households_per_agent=households_per_agent,
        draws=posterior_draws_for([seed]),
        worlds=world,
    )
    row = per_world(result, years).iloc[1]
    window = result.yearly[(result.yearly.year >= years[0]) & (result.yearly.year <= years[1])]
    cost = float(window.loc[window.scenario == scenario.name, "cost_usd"].sum())
    return {
        "journeys_averted": float(row["journeys_averted"]),
        "arrivals_averted": float(row["arrivals_averted"]),
        "cost_usd": cost,
        **{name: float(row[name]) for name in ("key_arrests_met", "seizure_growth_met", "engagement_met")},
    }


def _check_ranges(known: Mapping[str, Uncertainty], values: Mapping[str, float]) -> None:
    for name, value in values.items():
        if name in known and not known[name].low <= value <= known[name].high:
            u = known[name]
            raise ValueError(
                f"{identifier(name)} must be within its plausible range {u.low:g} to {u.high:g}, got {value:g}"
            )
