"""The parameters calibration moves, with the bounds it searches (the prior: uniform within them).

Each is a model parameter whose value no Guatemalan study gives directly; meaning and unit come from
the parameter schema. Everything else keeps its sourced value in ``sim/data/parameters.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.parameters import section_schemas


@dataclass(frozen=True)
class FreeParameter:
    section: str
    name: str
    low: float
    high: float
    why: str  # which target informs it

    @property
    def key(self) -> str:
        return f"{self.section}.{self.name}"

    @property
    def meaning(self) -> str:
        return section_schemas()[self.section].model_fields[self.name].description or ""


FREE = (
    FreeParameter("aspiration", "intercept", -8.0, -1.0, "level of the census share and of intention"),
    FreeParameter("aspiration", "action_rate", 0.05, 1.0, "intention (survey) against departures (census)"),
    FreeParameter("employment", "income", -2.0, 0.0, "ranking of departments by poverty (census)"),
    FreeParameter("network", "ties", 0.0, 3.0, "ranking of departments by past emigration (census)"),
    FreeParameter("network", "prevalence", 0.0, 5.0, "growth of departures over time (apprehensions)"),
    FreeParameter("credit", "income_months", 0.0, 6.0, "who can pay the fee: the poorest departments (census)"),
    FreeParameter("journey", "p_us", 0.1, 0.8, "level of apprehensions against arrivals"),
    FreeParameter("journey", "reattempt_rate", 0.05, 0.95, "apprehension events per migrant"),
    FreeParameter("us_pull", "demand", 0.0, 3.0, "apprehensions against the US labour market over time"),
    FreeParameter("units", "family", -10.0, -2.0, "family-unit members' share of apprehensions before 2014"),
    FreeParameter("units", "child", -10.0, -3.0, "unaccompanied children's share of apprehensions"),
    FreeParameter("units", "release", 0.0, 15.0, "the rise of families and children with the releases of 2015-2019"),
)
LOW = np.array([p.low for p in FREE])
HIGH = np.array([p.high for p in FREE])


def overrides(theta: np.ndarray | list[float]) -> dict[str, dict[str, float]]:
    """Parameter overrides ``{section: {name: value}}`` for a vector in the order of :data:`FREE`."""
    result: dict[str, dict[str, float]] = {}
    for p, value in zip(FREE, theta, strict=True):
        result.setdefault(p.section, {})[p.name] = float(value)
    return result


def to_unit(theta: np.ndarray) -> np.ndarray:
    return (np.asarray(theta) - LOW) / (HIGH - LOW)


def from_unit(u: np.ndarray) -> np.ndarray:
    return LOW + np.asarray(u) * (HIGH - LOW)
