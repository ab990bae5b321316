"""What households face in one month, per department: conditions from data, changed by levers.

Computed once per step before any household rule runs ("place first, then household").
Arrays have one entry per department (22); scalars are national. Conditions (uncertainties such
as drought) edit it first, then levers (policies), each in scenario order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.border import default_regime


@dataclass
class SlotPool:
    """Places offered this month to eligible households of the masked departments: work visas or humanitarian cases."""

    slots: float  # visas (people) or cases (households)
    mask: np.ndarray  # (22,) bool


@dataclass
class Environment:
    """Department conditions for one month. Conditions and levers edit a fresh one each month."""

    month: int  # month index: year * 12 + month - 1 (sim.calendar)
    scale: float  # real households per household of the census population (population growth)
    unemployment: np.ndarray  # share of the labour force without work (census 2018 level)
    homicide: np.ndarray  # homicides per 100k per year
    victimisation: np.ndarray  # monthly probability that a household suffers a crime
    school_attendance: np.ndarray  # share of 13-15-year-olds attending school
    prevalence: np.ndarray  # share of households with a member abroad, start of the month
    crop_loss: np.ndarray  # share of agricultural income lost this month to drought or crop disease
    drought_recent: np.ndarray  # severity of a drought in the last 12 months (0-1): aspiration rises
    poverty_line: float  # USD per person per month
    us_demand: float  # US labour demand index: observed history (sim.history), 2019 = 1, 2024's beyond
    staffing: float  # Border Patrol southwest-border agents, index FY2018 = 1 (sim.history): p_us follows it
    fee: np.ndarray  # smuggler fee from each department, USD per person (covers `package_attempts` attempts)
    p_mexico: np.ndarray  # probability an attempt from each department is stopped in Mexico
    p_us: np.ndarray  # probability an attempt that reaches the US border is stopped there
    p_death: np.ndarray  # probability of dying on an attempt
    return_rate: float  # monthly probability a member abroad comes home voluntarily
    removal_rate: float  # monthly probability a member abroad is removed from the US interior
    remittance: float  # USD per month sent by a member abroad, before sending costs
    remittance_kept: float  # share of remittances that arrives after sending costs
    visas: list[SlotPool] = field(default_factory=list)  # temporary work visas offered this month
    protection: list[SlotPool] = field(default_factory=list)  # humanitarian cases decided in Guatemala this month
    enrol: dict[str, np.ndarray] = field(default_factory=dict)  # program label -> real households to enrol
    task_force_ops: np.ndarray = field(default_factory=lambda: np.zeros(22))  # joint operations this month
    anti_smuggling_ops: np.ndarray = field(default_factory=lambda: np.zeros(22))  # operations on smuggling routes
    intelligence: float = 0.0  # share of operations backed by shared intelligence (0-1)
    effectiveness: float = 1.0  # police effectiveness against organisations (capacity building raises it)
    criminal_capacity: np.ndarray = field(default_factory=lambda: np.ones(22))  # organisations' capacity, 1 = usual
    # the US regime by group (sim.border): rows surrender, expel, release; columns adult, family, child
    border: np.ndarray = field(default_factory=lambda: np.zeros((3, 3)))

    @property
    def perceived_failure(self) -> np.ndarray:
        """Chance an attempt ends in apprehension or death, as a household would estimate it, per department."""
        reach = 1.0 - self.p_mexico
        return self.p_mexico + reach * (self.p_death + (1.0 - self.p_death) * self.p_us)

    def journey_thresholds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cumulative cut points on one uniform draw, per department: Mexico stop, death, US stop; above: arrival."""
        mexico = self.p_mexico
        death = mexico + (1.0 - mexico) * self.p_death
        us = death + (1.0 - mexico) * (1.0 - self.p_death) * self.p_us
        return mexico, death, us


VICTIM_HOMICIDE_EXPONENT = 0.5  # crime victimisation varies less across places than homicide (assumed)
REFERENCE_HOMICIDE = 22.4  # national PNC rate 2018, per 100k: victimisation and the violence rule are relative to it


def monthly_victimisation(annual: float, homicide: np.ndarray) -> np.ndarray:
    """Monthly chance of suffering a crime, per department, from the national yearly chance at 2018 homicide."""
    yearly = np.minimum(
        np.maximum(annual * (np.asarray(homicide) / REFERENCE_HOMICIDE) ** VICTIM_HOMICIDE_EXPONENT, 0), 0.99
    )
    return 1 - (1 - yearly) ** (1 / 12)


def job_finding(unemployment: np.ndarray, separation: float) -> np.ndarray:
    """Monthly job-finding chance that keeps each department at its unemployment rate."""
    u = np.maximum(unemployment, 1e-3)
    return np.minimum(separation * (1 - u) / u, 1.0)


def slot_rate(pools: list[SlotPool], eligible_real: np.ndarray) -> np.ndarray:
    """Places per unit of (priority-weighted) eligible real household, per department."""
    rate = np.zeros(len(eligible_real))
    for pool in pools:
        demand = float(eligible_real[pool.mask].sum())
        if demand > 0:
            rate += np.where(pool.mask, pool.slots / demand, 0.0)
    return rate


def monthly(annual: float) -> float:
    """Monthly probability equivalent to a yearly one."""
    return 1 - (1 - annual) ** (1 / 12)


def build_environment(month, history, departments, params, conditions, levers, prevalence, poverty_line):
    """Conditions for ``month`` from the data, then each condition's and each lever's edit.

    Returns the environment and the USD each lever cost this month.
    """
    i = history.at(month)
    j = params.journey
    n = len(prevalence)
    zeros = np.zeros(n)
    env = Environment(
        month=month,
        scale=1.0,
        unemployment=departments.unemployment,
        homicide=departments.homicide_rate * history.homicide[i],
        victimisation=zeros,  # set below, once conditions may have changed homicide
        school_attendance=departments.school_attendance,
        prevalence=prevalence,
        crop_loss=zeros,
        drought_recent=zeros,
        poverty_line=poverty_line,
        us_demand=float(history.us_demand[i]),
        staffing=float(history.staffing[i]),
        fee=np.full(n, float(history.fee[i])),
        p_mexico=np.full(n, j.p_mexico),
        p_us=np.full(n, min(0.95, j.p_us * history.staffing[i] ** j.staffing_elasticity)),
        p_death=np.full(n, j.p_death),
        return_rate=monthly(params.returns.return_annual),
        removal_rate=monthly(params.returns.removal_annual),
        remittance=float(history.remittance[i]),
        remittance_kept=1.0,
        visas=[SlotPool(params.legal.slots_per_year / 12, np.ones(len(prevalence), dtype=bool))],
        border=default_regime(params),
    )
    for condition in conditions:
        condition.apply(env, params)
    costs = np.array([lever.apply(env, params) for lever in levers], dtype=np.float64)
    env.victimisation = monthly_victimisation(params.economy.victimisation_annual, env.homicide)
    return env, costs
