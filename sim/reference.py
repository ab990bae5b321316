"""Reference implementation: the same rules, one Mesa agent at a time, in plain Python.

It exists to check the vectorised model (tests run both on a small population with the same seed and
compare) and to measure how much faster the vectorised step is. It reads the same uniform draws as
:class:`~sim.model.MigrationModel` (one row per purpose, one column per household), so both make the
same decisions up to float32-versus-float64 rounding at thresholds.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from sim.conditions import Conditions
from sim.departments import load_departments
from sim.economy import job_finding
from sim.environment import PROGRAM_TARGETS, Environment, build_environment, monthly
from sim.households import COLUMNS
from sim.levers import get_lever
from sim.metrics import NAMES, Collector
from sim.model import (
    ACT,
    CRIME,
    DEFAULT_HOUSEHOLDS_PER_AGENT,
    JOB,
    JOURNEY,
    LATENT,
    LEGAL,
    N_DRAWS,
    PROGRAM,
    RETURN,
    build_rules,
)
from sim.parameters import Parameters, default_parameters
from sim.population import poverty_line_usd, synthesise
from sim.scenario import Scenario


class ReferenceHousehold(mesa.Agent):
    """One household with its state as Python attributes and the decision written out step by step."""

    def __init__(self, model: ReferenceModel, row: int, department: int, state: dict) -> None:
        super().__init__(model)
        self.row = row
        self.d = department
        self.__dict__.update(state)
        self.events: dict[str, float] = {}

    # -- helpers ---------------------------------------------------------------------------------
    def working_age_home(self) -> int:
        return self.working_age - self.members_abroad - self.legal_abroad - self.dead

    def can_send(self) -> bool:
        return self.members_home >= 2 and self.working_age_home() >= 1

    def u(self, kind: int) -> float:
        return float(self.model.draws[kind, self.row])

    # -- the month, in the order of MigrationModel.step --------------------------------------------
    def plan_hiring(self, env: Environment) -> None:
        self.in_program = self.program_until > env.month
        target = PROGRAM_TARGETS[env.program_target[self.d]]
        poor = self.income < env.poverty_line * max(self.members_home, 1)
        in_group = target == "any" or (target == "poor" and poor) or (target == "aspiring" and self.aspiring)
        self.hire_eligible = in_group and not self.in_program and self.working_age_home() >= 1

    def update_economy(self, env: Environment) -> None:
        m, p = self.model, self.model.params
        e = p.economy
        if self.employed:
            employed = not ((not self.in_program) and self.u(JOB) < e.job_separation)
        else:
            employed = self.u(JOB) < job_finding(env.unemployment, e.job_separation)[self.d]
        if env.program_jobs.any() and self.hire_eligible and self.u(PROGRAM) < m.hire_p[self.d]:
            self.program_until = env.month + int(env.program_months[self.d])
            self.in_program = True
        self.employed = employed or self.in_program
        own = self.base_income if self.employed else self.base_income * p.population.unemployed_income_share
        self.income = own + (env.program_wage[self.d] if self.in_program else 0.0)
        if self.u(CRIME) < env.victimisation[self.d]:
            self.victim_month = env.month
        r = p.remittances
        recent = self.members_abroad > 0 and env.month - self.last_arrival < r.lag_months
        senders = self.members_abroad - recent + self.legal_abroad
        self.remittances = env.remittance * senders + r.kin_usd_month * self.relatives_abroad
        saved = e.saving_rate * self.income + e.remittance_saving_share * self.remittances
        owed = self.debt * (1 + e.debt_interest)
        paid = min(owed, saved)
        self.debt = owed - paid
        self.savings += saved - paid

    def come_home(self, env: Environment) -> None:
        hazard = env.return_rate + env.removal_rate
        p_any = 1 - (1 - hazard) ** self.members_abroad
        u = self.u(RETURN)
        back = u < p_any
        removed = back and u < p_any * env.removal_rate / hazard
        if back:
            self.members_abroad -= 1
            self.members_home += 1
        self.deportations += removed
        legal_members = self.legal_abroad if (self.legal_abroad > 0 and self.legal_return <= env.month) else 0
        if legal_members:
            self.members_home += legal_members
            self.legal_abroad = 0
            self.legal_return = int(np.int16(-32768))
        self.events = {"returns": back and not removed, "removals": removed, "legal_returns": legal_members}

    def aspire(self, env: Environment) -> None:
        p = self.model.params
        a = p.aspiration
        u = self.u(LATENT)
        if u < a.latent_redraw:
            self.latent = u / a.latent_redraw
        utility = a.intercept + sum(r.one(self, self.d, env) for r in self.model.rules if r.kind == "aspiration")
        self.aspiring = self.latent < 1 / (1 + math.exp(-utility))
        self.sendable = self.can_send()
        self.reattempt = self.attempts_left > 0 and self.sendable and self.u(ACT) < p.journey.reattempt_rate
        self.legal_eligible = self.aspiring and self.sendable and not self.reattempt and self.legal_abroad == 0

    def leave(self, env: Environment) -> None:
        p = self.model.params
        legal = self.legal_eligible and self.u(LEGAL) < self.model.legal_p
        act = self.u(ACT) < monthly(p.aspiration.action_rate)
        new = False
        if self.aspiring and self.sendable and not legal and self.attempts_left == 0 and act:
            resources = sum(r.one(self, self.d, env) for r in self.model.rules if r.kind == "capability")
            new = resources >= env.fee
        if new:
            from_savings = min(self.savings, env.fee)
            self.savings -= from_savings
            self.debt += env.fee - from_savings
            self.attempts_left = p.journey.package_attempts
        started = new or self.reattempt
        outcome = None
        if started:
            self.attempts += 1
            self.attempts_left -= 1
            mexico, death, us = env.journey_thresholds()
            u = self.u(JOURNEY)
            outcome = "mexico" if u < mexico else "died" if u < death else "us" if u < us else "arrived"
            if outcome in ("mexico", "us"):
                self.deportations += 1
            else:
                self.members_home -= 1
                self.attempts_left = 0
                if outcome == "died":
                    self.dead += 1
                else:
                    self.members_abroad += 1
                    self.last_arrival = env.month
        if legal:
            self.members_home -= 1
            self.legal_abroad += 1
            self.legal_return = env.month + p.legal.duration_months
        events = {
            **self.events,
            **{
                "aspiring": self.aspiring,
                "departures_irregular": started,
                "departures_legal": legal,
                "apprehended_mexico": outcome == "mexico",
                "apprehended_us": outcome == "us",
                "deaths": outcome == "died",
                "arrivals": outcome == "arrived",
                "stock_abroad": self.members_abroad + self.legal_abroad,
                "emigrant_households": self.members_abroad > 0,
                "remittances_usd": self.remittances,
                "receiving_remittances": self.remittances > 0,
                "program_jobs": self.program_until > env.month,
                "population_home": self.members_home,
            },
        }
        for name, value in events.items():
            self.model.tally[name][self.d] += value


class ReferenceModel(mesa.Model):
    """Same scenario, seed and population as MigrationModel; households step one at a time."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int = 0,
        households_per_agent: float = DEFAULT_HOUSEHOLDS_PER_AGENT,
        parameters: Parameters | None = None,
    ) -> None:
        super().__init__(rng=seed)
        self.spec = scenario
        self.params = (parameters or default_parameters()).with_overrides(scenario.parameters)
        self.departments = load_departments()
        h = synthesise(
            self.departments,
            self.params.population,
            self.params.economy.victimisation_annual,
            households_per_agent,
            scenario.start,
            self.rng,
        )
        self.count, self.weight, self.n = h.count, h.weight, h.n
        department = h.department
        for row in range(h.n):
            state = {name: h.columns[name][row].item() for name in COLUMNS}
            ReferenceHousehold(self, row, int(department[row]), state)
        self.rules = build_rules(self.params)
        self.levers = [get_lever(c.lever or label)(label, c) for label, c in scenario.levers]
        self.conditions = Conditions.historical(scenario.start, scenario.end)
        self.poverty_line = poverty_line_usd()
        self.month = scenario.start
        self.collector = Collector(scenario.start, scenario.end - scenario.start + 1, len(self.count))

    def dept_total(self, value) -> np.ndarray:
        totals = np.zeros(len(self.count))
        for agent in self.agents:
            totals[agent.d] += value(agent)
        return totals

    def step(self) -> None:
        prevalence = self.dept_total(lambda a: a.members_abroad > 0) / self.count
        env, _ = build_environment(
            self.month, self.conditions, self.departments, self.params, self.levers, prevalence, self.poverty_line
        )
        self.draws = self.rng.random((N_DRAWS, self.n), dtype=np.float32)
        self.agents.do("plan_hiring", env)
        eligible = self.dept_total(lambda a: a.hire_eligible)
        wanted = env.program_jobs / self.weight
        self.hire_p = np.where(eligible > 0, np.minimum(wanted / np.maximum(eligible, 1), 1), 0)
        self.agents.do("update_economy", env)
        self.agents.do("come_home", env)
        self.agents.do("aspire", env)
        eligible_real = float(self.dept_total(lambda a: a.legal_eligible) @ self.weight)
        self.legal_p = min(1.0, env.legal_slots / eligible_real) if eligible_real > 0 else 0.0
        self.tally = {name: np.zeros(len(self.count)) for name in NAMES}
        self.agents.do("leave", env)
        self.collector.record(self.month, self.tally, self.weight)
        self.month += 1
        if self.month > self.spec.end:
            self.running = False
