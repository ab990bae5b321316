"""One month, in the order the model paper would tell it, around the compiled passes of ``sim/kernel.py``.

The environment (data, conditions, levers) is built per department; pass 1 counts what allocations need;
the programs' enrolment odds are set and households enrolled; department terms of aspiration are set;
pass 2 updates households and forms their decisions' ingredients (in two halves when third-party rules
must be evaluated in between); visas are allotted per department; pass 3 carries the decisions out and
adds up the month. Only this module knows how parameters are packed for the kernel.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from sim import kernel as k
from sim import programs as prog
from sim.decisions import visa_rate
from sim.economy import job_finding
from sim.environment import Environment, monthly
from sim.households import Households
from sim.parameters import Parameters
from sim.programs import Program, enrol_probability
from sim.rules.violence import REFERENCE_HOMICIDE
from sim.ruleset import RuleSet

LOG1P = np.log1p(np.arange(256, dtype=np.float64))
NONE = np.zeros(0)


def scalars(env: Environment, params: Parameters, rules: RuleSet) -> np.ndarray:
    """Household-level coefficients and this month's national values; built-in rules scaled by their weights."""
    p, w = params, rules.weight
    par = np.zeros(k.N_PAR)
    values = {
        k.MONTH: env.month,
        k.SEPARATION: p.economy.job_separation,
        k.UNEMPLOYED_SHARE: p.population.unemployed_income_share,
        k.SAVING: p.economy.saving_rate,
        k.REMIT_SAVING: p.economy.remittance_saving_share,
        k.INTEREST: p.economy.debt_interest,
        k.REMITTANCE: env.remittance,
        k.REMIT_KEPT: env.remittance_kept,
        k.KIN_USD: p.remittances.kin_usd_month,
        k.LAG: p.remittances.lag_months,
        k.RETURN_RATE: env.return_rate,
        k.REMOVAL_RATE: env.removal_rate,
        k.REDRAW: p.aspiration.latent_redraw,
        k.ACT_RATE: monthly(p.aspiration.action_rate),
        k.REATTEMPT: p.journey.reattempt_rate,
        k.REHIRE_MONTHS: p.legal.rehire_months,
        k.REHIRE_WEIGHT: p.legal.rehire_priority,
        k.LEGAL_MONTHS: p.legal.duration_months,
        k.PACKAGE: p.journey.package_attempts,
        k.POVERTY_LINE: env.poverty_line,
        k.UNEMPLOYED: w("employment") * p.employment.unemployed,
        k.INCOME: w("employment") * p.employment.income,
        k.VICTIMISED: w("violence") * p.violence.victimised,
        k.HEAD_SCHOOLING: w("education") * p.education.head_schooling,
        k.TIES: w("network") * p.network.ties,
        k.RISK: w("journey_risk") * p.journey_risk.risk,
        k.COST: w("journey_risk") * p.journey_risk.cost,
        k.PROGRAM_WEIGHT: w("programs") * p.programs.weight,
        k.USABLE_SAVINGS: w("savings") * p.savings.usable_share,
        k.CREDIT_MONTHS: p.credit.income_months,
        k.CREDIT_WEIGHT: w("credit"),
        k.TIE_USD: w("network_credit") * p.network_credit.usd_per_tie,
        k.MAX_TIES: p.network_credit.max_ties,
    }
    for position, value in values.items():
        par[position] = value
    return par


def places(env: Environment, params: Parameters, rules: RuleSet) -> np.ndarray:
    """Department terms: job finding, crime, the place part of aspiration, crop loss."""
    p, w = params, rules.weight
    dep = np.zeros((k.N_DEP, len(env.prevalence)))
    dep[k.D_FIND] = job_finding(env.unemployment, p.economy.job_separation)
    dep[k.D_VICTIM] = env.victimisation
    # everything in aspiration that is the same for all households of a department (see kernel.main_pass)
    dep[k.D_PLACE] = (
        p.aspiration.intercept
        + w("violence") * p.violence.homicide * np.log(np.asarray(env.homicide) / REFERENCE_HOMICIDE)
        + w("network") * p.network.prevalence * env.prevalence
        + w("us_pull") * p.us_pull.demand * math.log(env.us_demand)
        + w("journey_risk") * (p.journey_risk.risk * env.perceived_failure + p.journey_risk.cost * np.log(env.fee / 12))
        - w("employment") * p.employment.income * math.log(env.poverty_line)
    )
    dep[k.D_CHILDREN] = w("education") * p.education.school_gap * (1 - np.asarray(env.school_attendance))
    dep[k.D_FARM_DROUGHT] = w("drought") * p.drought.recent_drought * np.asarray(env.drought_recent)
    dep[k.D_CROP_LOSS] = env.crop_loss
    dep[k.D_FEE] = env.fee
    dep[k.D_CUT_MEXICO], dep[k.D_CUT_DEATH], dep[k.D_CUT_US] = env.journey_thresholds()
    return dep


def return_chance(env: Environment) -> np.ndarray:
    """Chance that one of k irregular members abroad comes home this month, for k = 0..127 (float32)."""
    hazard = env.return_rate + env.removal_rate
    return (1 - (1 - hazard) ** np.arange(128)).astype(np.float32)


def advance(
    h: Households,
    env: Environment,
    params: Parameters,
    rules: RuleSet,
    programs: list[Program],
    packed: tuple[np.ndarray, np.ndarray],
    key: np.uint64,
    views: Callable | None = None,
) -> tuple[dict, dict]:
    """Run the month's passes on ``h``; return department totals and per-program totals.

    ``views`` gives per-household views, for third-party rules that only have a per-household form.
    """
    c = h.columns
    n_dept = len(h.count)
    weight = h.weight * env.scale
    wanted = np.array([p.label in env.enrol and env.enrol[p.label].any() for p in programs], dtype=np.bool_)
    busy = h.busy if programs else h.busy[:0]  # in some program: the program loops visit only these
    group = h.group if programs else h.group[:0]
    prevalence_rows, eligible = k.count_pass(
        h.row_department, c["members_abroad"], c["working_age"], c["legal_abroad"], c["dead"], c["income"],
        c["members_home"], c["aspiring"], c["children"], c["deportations"], h.program_until, packed[1], wanted,
        env.month, env.poverty_line, n_dept, h.bounds, busy, group,
    )  # fmt: skip
    env.prevalence = prevalence_rows / h.count
    wanted_households = np.zeros((len(programs), n_dept))
    for i, program in enumerate(programs):
        if wanted[i]:
            wanted_households[i] = env.enrol[program.label]
    if wanted.any():
        enrol_p = enrol_probability(wanted_households, eligible, weight)
        k.enrol_pass(
            key, group, h.program_start, h.program_until, packed[0], packed[1], enrol_p, c["savings"], c["debt"], busy,
            env.month, h.bounds,
        )  # fmt: skip
    par = scalars(env, params, rules)
    dep = places(env, params, rules)
    priority, flags = h.priority, h.flags

    def main(phase: int, extra_utility: np.ndarray = NONE, extra_resources: np.ndarray = NONE):
        return k.main_pass(
            key, h.row_department, c["working_age"], c["members_home"], c["members_abroad"], c["legal_abroad"],
            c["dead"], c["head_education"], c["children"], c["employed"], c["agricultural"], c["base_income"],
            c["income"], c["savings"], c["debt"], c["victim_month"], c["relatives_abroad"], c["remittances"],
            c["aspiring"], c["threshold"], c["attempts_left"], c["deportations"], c["last_arrival"],
            c["legal_return"], c["legal_back"], c["engaged"], h.program_start, h.program_until, packed[0], par, dep,
            LOG1P, return_chance(env), extra_utility, extra_resources, priority, flags, n_dept, phase, busy,
            h.log_income, h.logged_income, h.bounds,
        )  # fmt: skip

    if rules.extra:
        _, returns, participants = main(1)
        h.effects = prog.effects(h, programs, env.month)
        extra_utility, extra_resources = rules.extra_terms(h, env, views)
        claims, _, _ = main(2, extra_utility, extra_resources)
    else:
        claims, returns, participants = main(0)
    dep[k.D_VISA_RATE] = visa_rate(env.visas, claims * weight)
    totals, departures = k.leave_pass(
        key, h.row_department, c["members_home"], c["members_abroad"], c["legal_abroad"], c["dead"], c["savings"],
        c["debt"], c["remittances"], c["aspiring"], c["attempts"], c["attempts_left"], c["deportations"],
        c["last_arrival"], c["legal_return"], h.program_start, h.program_until, par, dep, priority, flags, n_dept, h.bounds,
        busy,
    )  # fmt: skip
    per_dept = {name: totals[:, i] for i, name in enumerate(k.TOTALS)}
    per_dept.update({name: returns[:, i] for i, name in enumerate(k.RETURNS)})
    per_dept["households"] = h.count.astype(np.float64)
    return per_dept, {p.label: (participants[:, i], departures[:, i]) for i, p in enumerate(programs)}
