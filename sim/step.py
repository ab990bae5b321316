"""One month, in the order the model paper would tell it, around the compiled passes of ``sim/kernel.py``.

The environment (data, conditions, levers) is built per department; pass 1 counts what allocations need;
the programs' enrolment odds are set and households enrolled; the built-in rules' coefficients on household
features are gathered per department; pass 2 updates households and forms their decisions' ingredients (in
two halves when third-party rules must be evaluated in between); visas and humanitarian cases are allotted
per department; pass 3 carries the decisions out and adds up the month. This module packs what the passes
read into named structures (each declared here beside its packing, or beside what it packs: the household
columns in :mod:`sim.households`, the programs in :mod:`sim.programs`, the features in :mod:`sim.features`).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable

import numpy as np

from sim import border, units
from sim import kernel as k
from sim import programs as prog
from sim.environment import Environment, job_finding, monthly, slot_rate
from sim.features import (
    ASPIRATION,
    CAPABILITY,
    SETTINGS,
    AspirationCoefficients,
    CapabilityCoefficients,
)
from sim.households import Columns, Households
from sim.parameters import Parameters
from sim.programs import Program, enrol_probability
from sim.ruleset import RuleSet

NONE = np.zeros(0)

# the month's scalar values, as the passes read them (``scalars.separation``); all float64, as numbers
Scalars = namedtuple(
    "Scalars",
    [
        "month",  # month index (sim.calendar)
        "separation",  # monthly chance the main earner loses work
        "unemployed_share",  # income without the main earner's work, as a share of base income
        "saving",  # share of income saved
        "remit_saving",  # share of remittances saved
        "interest",  # monthly interest on debt
        "remittance",  # USD a month a member abroad sends
        "remit_kept",  # share of remittances that arrives after sending costs
        "lag",  # months after arrival before a migrant sends money
        "return_rate",  # monthly chance a member abroad comes home
        "removal_rate",  # monthly chance a member abroad is removed
        "redraw",  # monthly chance a household's aspiration threshold is redrawn
        "act_rate",  # monthly chance an aspiring, capable household sets out
        "reattempt",  # monthly chance an apprehended migrant tries again while the fee covers it
        "rehire_months",  # months after a temporary worker's return the household waits for another season
        "rehire_weight",  # weight of returning workers' households for visas
        "legal_months",  # months a temporary worker stays abroad
        "package",  # attempts one smuggler fee covers
        "protection",  # 1 when humanitarian cases are offered this month (pass 2 then counts the claims on them)
        "poverty_line",  # USD a person a month
        "expelled_reattempt",  # monthly chance an expelled unit tries again
        *(f"{s}_{g}" for s in border.SETTINGS for g in units.GROUPS),  # the US regime by group (sim.border)
        "family_rural_poor",  # who goes (sim.units): log-odds of a family unit for rural poor households
        "child_kin",  # log-odds of a child alone per log(1 + ties abroad)
        "removed_later",  # chance a released person is removed when the asylum case is decided
        "asylum_months",  # months from release to the asylum decision
        *SETTINGS,  # the features' settings (sim.features.SETTINGS), given by the rules that use them
    ],
)


def scalars(env: Environment, params: Parameters, settings: dict[str, float]) -> Scalars:
    """The month's national values and the model's scalar parameters, as the passes read them."""
    p = params
    values = {
        "month": env.month,
        "separation": p.economy.job_separation,
        "unemployed_share": p.population.unemployed_income_share,
        "saving": p.economy.saving_rate,
        "remit_saving": p.economy.remittance_saving_share,
        "interest": p.economy.debt_interest,
        "remittance": env.remittance,
        "remit_kept": env.remittance_kept,
        "lag": p.remittances.lag_months,
        "return_rate": env.return_rate,
        "removal_rate": env.removal_rate,
        "redraw": p.aspiration.latent_redraw,
        "act_rate": monthly(p.aspiration.action_rate),
        "reattempt": p.journey.reattempt_rate,
        "rehire_months": p.legal.rehire_months,
        "rehire_weight": p.legal.rehire_priority,
        "legal_months": p.legal.duration_months,
        "package": p.journey.package_attempts,
        "protection": bool(env.protection),
        "poverty_line": env.poverty_line,
        "expelled_reattempt": p.border.expelled_reattempt,
        **{f"{s}_{g}": env.border[i, k] for i, s in enumerate(border.SETTINGS) for k, g in enumerate(units.GROUPS)},
        "family_rural_poor": p.units.family_rural_poor,
        "child_kin": p.units.child_kin,
        "removed_later": border.removed_later(p),
        "asylum_months": p.border.asylum_months,
        **settings,
    }
    return Scalars(**{name: float(value) for name, value in values.items()})


# department values the passes read (one array each, one value per department)
Places = namedtuple(
    "Places",
    [
        "find",  # monthly chance an unemployed main earner finds work
        "victim",  # monthly chance a household suffers a crime
        "crop_loss",  # share of agricultural income lost this month
        "fee",  # smuggler fee, USD
        "visa_rate",  # visas per unit of priority-weighted eligible household (set between passes 2 and 3)
        "protection_rate",  # humanitarian cases per eligible household (set between passes 2 and 3)
        "cut_mexico",  # a journey's draw below this: stopped in Mexico
        "cut_death",  # below this: died
        "cut_us",  # below this: caught at the US border if evading; above: arrived
        "unit_family",  # who goes (sim.units): the department's part of a family unit's log-odds
        "unit_child",  # the department's part of a child's log-odds
        "unit_family_drought",  # a family unit's log-odds from recent drought, for farming households
    ],
)


def places(env: Environment, params: Parameters) -> Places:
    """The month's department values, as the passes read them (visas and cases are allotted after pass 2)."""
    cut_mexico, cut_death, cut_us = env.journey_thresholds()
    terms = units.department_terms(env, params)
    as_array = np.asarray
    return Places(
        find=as_array(job_finding(env.unemployment, params.economy.job_separation), dtype=np.float64),
        victim=as_array(env.victimisation, dtype=np.float64),
        crop_loss=as_array(env.crop_loss, dtype=np.float64),
        fee=as_array(env.fee, dtype=np.float64),
        visa_rate=np.zeros(len(env.prevalence)),
        protection_rate=np.zeros(len(env.prevalence)),
        cut_mexico=as_array(cut_mexico, dtype=np.float64),
        cut_death=as_array(cut_death, dtype=np.float64),
        cut_us=as_array(cut_us, dtype=np.float64),
        unit_family=terms.family,
        unit_child=terms.child,
        unit_family_drought=terms.family_drought,
    )


def coefficients(
    env: Environment, params: Parameters, rules: RuleSet
) -> tuple[AspirationCoefficients, CapabilityCoefficients, dict[str, float]]:
    """Every built-in rule's coefficients on the household features, weighted and added up per department.

    Rules are taken in the registry's order; the aspiration intercept is the first part of ``place``.
    Also returns the features' settings the rules give.
    """
    sums: dict[str, dict[str, float | np.ndarray]] = {
        "aspiration": dict.fromkeys(ASPIRATION, 0.0),
        "capability": dict.fromkeys(CAPABILITY, 0.0),
    }  # numbers until a rule gives one per department (adding numbers is cheaper than adding arrays)
    sums["aspiration"]["place"] += params.aspiration.intercept
    settings: dict[str, float] = {}
    for name, rule in rules.built_in.items():
        term = rule.compiled(env)
        if term is None:
            raise TypeError(f"built-in rule {name!r} must say its term in the compiled step (Rule.compiled)")
        table, weight = sums[rule.kind], rules.weight(name)
        for feature, coefficient in term.coefficients.items():
            if feature not in table:
                raise KeyError(f"rule {name!r}: no {rule.kind} feature {feature!r} (sim.features: {', '.join(table)})")
            table[feature] = table[feature] + weight * coefficient
        for setting, value in term.settings.items():
            if setting not in SETTINGS or setting in settings:
                raise KeyError(f"rule {name!r}: setting {setting!r} is unknown or given by another rule too")
            settings[setting] = value
    missing = SETTINGS.keys() - settings.keys()
    if missing:
        raise KeyError(f"no built-in rule gives the feature settings {sorted(missing)}")
    n_dept = len(env.prevalence)
    tables = {}
    for kind, table in sums.items():
        block = np.empty((len(table), n_dept))  # one array per feature: the rows of one block
        for row, value in zip(block, table.values(), strict=True):
            row[:] = value
        tables[kind] = dict(zip(table, block, strict=True))
    return AspirationCoefficients(**tables["aspiration"]), CapabilityCoefficients(**tables["capability"]), settings


# what the passes keep per row besides the household columns, and the department blocks
Rows = namedtuple(
    "Rows",
    [
        "dept",  # department position of each row
        "bounds",  # department d holds rows bounds[d]:bounds[d + 1]
        "program_start",  # month each program's effect starts, households x programs
        "program_until",  # month it ends
        "priority",  # claim on a work visa (pass 2 -> 3)
        "flags",  # decisions of pass 2 for pass 3 (sim.kernel F_*)
        "busy",  # in some program (empty without programs)
        "group",  # program target groups and worker at home (pass 1 -> enrolment; empty without programs)
        "log_income",  # log of the income in logged_income
        "logged_income",
    ],
)


def rows(h: Households, with_programs: bool) -> Rows:
    """The households' other per-row arrays, as the passes read them."""
    return Rows(
        dept=h.row_department,
        bounds=h.bounds,
        program_start=h.program_start,
        program_until=h.program_until,
        priority=h.priority,
        flags=h.flags,
        busy=h.busy if with_programs else h.busy[:0],  # the program loops visit only these
        group=h.group if with_programs else h.group[:0],
        log_income=h.log_income,
        logged_income=h.logged_income,
    )


def return_chance(env: Environment, params: Parameters) -> np.ndarray:
    """Chance that one of k members abroad leaves the stock this month, for k = 0..127 (float32, 2 x 128).

    Row 0: irregular members who left since 2002 come home (return or removal); row 1: members who left
    before 2002 die, come back or stop sending (``population.settled_exit_annual``).
    """
    k = np.arange(128)
    hazard = env.return_rate + env.removal_rate
    settled = monthly(params.population.settled_exit_annual)
    return np.array([1 - (1 - hazard) ** k, 1 - (1 - settled) ** k]).astype(np.float32)


def advance(
    h: Households,
    env: Environment,
    params: Parameters,
    rules: RuleSet,
    programs: list[Program],
    table: prog.Table,
    key: np.uint64,
    views: Callable | None = None,
) -> tuple[dict, dict]:
    """Run the month's passes on ``h``; return department totals (by metric name) and per-program totals.

    ``views`` gives per-household views, for third-party rules that only have a per-household form.
    """
    n_dept = len(h.count)
    weight = h.weight * env.scale
    columns = Columns(**h.columns)
    per_row = rows(h, bool(programs))
    wanted = np.array([p.label in env.enrol and env.enrol[p.label].any() for p in programs], dtype=np.bool_)
    prevalence_rows, eligible = k.count_pass(columns, per_row, table, wanted, env.month, env.poverty_line)
    env.prevalence = prevalence_rows / h.count
    wanted_households = np.zeros((len(programs), n_dept))
    for i, program in enumerate(programs):
        if wanted[i]:
            wanted_households[i] = env.enrol[program.label]
    if wanted.any():
        enrol_p = enrol_probability(wanted_households, eligible, weight)
        k.enrol_pass(key, columns, per_row, table, prog.LAYOUT, enrol_p, env.month)
    aspiration, capability, settings = coefficients(env, params, rules)
    month = scalars(env, params, settings)
    department = places(env, params)
    p_return = return_chance(env, params)

    def main(phase: int, extra_utility: np.ndarray = NONE, extra_resources: np.ndarray = NONE):
        return k.main_pass(
            key,
            columns,
            per_row,
            table,
            prog.LAYOUT,
            month,
            department,
            aspiration,
            capability,
            p_return,
            extra_utility,
            extra_resources,
            phase,
        )

    if rules.extra:
        _, returns, participants = main(1)
        h.effects = prog.effects(h, programs, env.month)
        extra_utility, extra_resources = rules.extra_terms(h, env, views)
        claims, _, _ = main(2, extra_utility, extra_resources)
    else:
        claims, returns, participants = main(0)
    department.visa_rate[:] = slot_rate(env.visas, claims[0] * weight)
    department.protection_rate[:] = slot_rate(env.protection, claims[1] * weight)
    totals, departures = k.leave_pass(key, columns, per_row, month, department)
    per_dept = {name: totals[:, i] for i, name in enumerate(k.LEAVING)}
    per_dept |= {name: returns[:, i] for i, name in enumerate(k.COMING_BACK)}
    per_dept["households"] = h.count.astype(np.float64)
    return per_dept, {p.label: (participants[:, i], departures[:, i]) for i, p in enumerate(programs)}
