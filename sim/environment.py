"""What households face in one month, per department: conditions from data, changed by levers.

Computed once per step before any household rule runs ("place first, then household").
Arrays have one entry per department (22); scalars are national.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PROGRAM_TARGETS = ("any", "poor", "aspiring")  # job-program eligibility, see sim.levers.job_programs


@dataclass
class Environment:
    """Department conditions for one month. Levers edit a fresh copy each month; rules only read it."""

    month: int
    unemployment: np.ndarray  # share of the labour force without work (census 2018 level)
    homicide: np.ndarray  # homicides per 100k per year
    victimisation: np.ndarray  # monthly probability that a household suffers a crime
    school_attendance: np.ndarray  # share of 13-15-year-olds attending school
    prevalence: np.ndarray  # share of households with a member abroad, start of the month
    poverty_line: float  # USD per person per month
    fee: float  # smuggler fee, USD per person (covers `package_attempts` attempts)
    p_mexico: float  # probability an attempt is stopped in Mexico
    p_us: float  # probability an attempt that reaches the US border is stopped there
    p_death: float  # probability of dying on an attempt
    return_rate: float  # monthly probability a member abroad comes home voluntarily
    removal_rate: float  # monthly probability a member abroad is removed from the US interior
    remittance: float  # USD per month sent by a member abroad
    legal_slots: float  # temporary work visas issued this month (people)
    program_jobs: np.ndarray  # job-program jobs created this month (real jobs)
    program_wage: np.ndarray  # USD per month paid by a job-program job
    program_months: np.ndarray  # months a job-program job lasts
    program_target: np.ndarray  # who may be hired: index into PROGRAM_TARGETS

    @property
    def perceived_failure(self) -> float:
        """Chance an attempt ends in apprehension or death, as a household would estimate it."""
        reach = 1.0 - self.p_mexico
        return self.p_mexico + reach * (self.p_death + (1.0 - self.p_death) * self.p_us)

    def journey_thresholds(self) -> tuple[float, float, float]:
        """Cumulative cut points on one uniform draw: Mexico stop, death, US stop; above = arrival."""
        mexico = self.p_mexico
        death = mexico + (1.0 - mexico) * self.p_death
        us = death + (1.0 - mexico) * (1.0 - self.p_death) * self.p_us
        return mexico, death, us


VICTIM_HOMICIDE_EXPONENT = 0.5  # crime victimisation varies less across places than homicide (assumed)
REFERENCE_HOMICIDE = 22.4  # national PNC rate 2018, per 100k


def monthly_victimisation(annual: float, homicide: np.ndarray) -> np.ndarray:
    """Monthly chance of suffering a crime, per department, from the national yearly chance at 2018 homicide."""
    yearly = np.clip(annual * (np.asarray(homicide) / REFERENCE_HOMICIDE) ** VICTIM_HOMICIDE_EXPONENT, 0, 0.99)
    return 1 - (1 - yearly) ** (1 / 12)


def monthly(annual: float) -> float:
    """Monthly probability equivalent to a yearly one."""
    return 1 - (1 - annual) ** (1 / 12)


def build_environment(month, conditions, departments, params, levers, prevalence, poverty_line):
    """Conditions for ``month`` from the data, then each lever's edit in scenario order.

    Returns the environment and the USD each lever cost this month.
    """
    i = conditions.at(month)
    j = params.journey
    homicide = departments.homicide_rate * conditions.homicide[i]
    env = Environment(
        month=month,
        unemployment=departments.unemployment,
        homicide=homicide,
        victimisation=monthly_victimisation(params.economy.victimisation_annual, homicide),
        school_attendance=departments.school_attendance,
        prevalence=prevalence,
        poverty_line=poverty_line,
        fee=float(conditions.fee[i]),
        p_mexico=j.p_mexico,
        p_us=min(0.95, j.p_us * conditions.staffing[i] ** j.staffing_elasticity),
        p_death=j.p_death,
        return_rate=monthly(params.returns.return_annual),
        removal_rate=monthly(params.returns.removal_annual),
        remittance=float(conditions.remittance[i]),
        legal_slots=params.legal.slots_per_year / 12,
        program_jobs=np.zeros(len(prevalence)),
        program_wage=np.zeros(len(prevalence)),
        program_months=np.zeros(len(prevalence), dtype=np.int64),
        program_target=np.zeros(len(prevalence), dtype=np.int8),
    )
    costs = np.array([lever.apply(env, params) for lever in levers], dtype=np.float64)
    return env, costs
