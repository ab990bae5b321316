"""Reference implementation: the same rules, one Mesa agent at a time, in plain Python.

It exists to check the compiled model (tests run both on a small population with the same seed and
compare) and to measure how much faster the compiled step is. It reads the same draws as
:class:`~sim.model.MigrationModel` (``sim.draws``: by month, purpose and household) and compares them
with the same float32 thresholds, so both make the same decisions; continuous state (savings, income)
is float64 here and float32 there, so it agrees to rounding.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from sim import programs as prog
from sim.border import EXPEL, RELEASE, SURRENDER
from sim.crime import Underworld
from sim.departments import load_departments
from sim.draws import (
    ACT,
    ASYLUM,
    BORDER,
    CRIME,
    JOB,
    JOURNEY,
    LATENT,
    LEGAL,
    OUTCOME,
    PROGRAM,
    PROTECTION,
    RETURN,
    SETTLED,
    UNIT,
    month_stream,
    run_key,
    uniforms,
)
from sim.environment import Environment, build_environment, job_finding, monthly, slot_rate
from sim.history import History
from sim.households import COLUMNS, NEVER
from sim.metrics import NAMES, Collector, security_levels
from sim.model import DEFAULT_HOUSEHOLDS_PER_AGENT, build_activities
from sim.parameters import Parameters, default_parameters
from sim.population import poverty_line_usd, synthesise
from sim.rules.violence import VICTIM_MEMORY
from sim.ruleset import build_rules
from sim.scenario import Scenario
from sim.units import ADULT, CHILD, FAMILY, GROUPS, choose_one, department_terms, persons

f32 = np.float32


class ReferenceHousehold(mesa.Agent):
    """One household with its state as Python attributes and the decision written out step by step."""

    def __init__(self, model: ReferenceModel, row: int, department: int, state: dict) -> None:
        super().__init__(model)
        self.row = row
        self.d = department
        self.__dict__.update(state)
        self.programs = {p.label: [int(NEVER), int(NEVER)] for p in model.programs}
        self.events: dict[str, float] = {}

    # -- helpers ---------------------------------------------------------------------------------
    def working_age_home(self) -> int:
        return self.members_home - self.minors - self.elderly

    def can_send(self) -> bool:
        return self.members_home >= 2 and self.working_age_home() >= 1

    def u(self, purpose: int) -> np.float32:
        return self.model.draw(purpose)[self.row]

    # -- the month, in the order of MigrationModel.step --------------------------------------------
    def eligible_for(self, program: prog.Program, env: Environment) -> bool:
        ok = prog.in_target_one(self, program.target, env.poverty_line) and self.programs[program.label][1] <= env.month
        return ok and (not program.needs_worker or self.working_age_home() >= 1)

    def enrol(self, k: int, program: prog.Program, env: Environment) -> None:
        if self.eligible_now and self.u(PROGRAM + k) < f32(self.model.enrol_p[self.d]):
            self.programs[program.label] = [env.month + program.lag, env.month + program.lag + program.months]
            self.savings += program.effect.savings_usd
            self.debt += program.effect.debt_usd

    def update_economy(self, env: Environment) -> None:
        p = self.model.params
        e = p.economy
        self.effects = prog.effects_one(self, self.model.programs, env.month)
        fx = self.effects
        if self.employed:
            employed = fx["employed"] or not self.u(JOB) < f32(e.job_separation)
        else:
            employed = self.u(JOB) < f32(job_finding(env.unemployment, e.job_separation)[self.d])
        self.employed = employed or fx["employed"]
        own = self.base_income if self.employed else self.base_income * p.population.unemployed_income_share
        farm = 1 - env.crop_loss[self.d] * self.agricultural
        self.income = own * farm * (1 + fx["income_share"]) + fx["income_usd"]
        if self.u(CRIME) < f32(env.victimisation[self.d]):
            self.victim_month = env.month
        r = p.remittances
        adults_abroad = self.members_abroad - self.minors_abroad  # children abroad send nothing
        recent = adults_abroad > 0 and env.month - self.last_arrival < r.lag_months
        senders = adults_abroad - recent + self.legal_abroad + self.settled_abroad  # at the rate per sender
        self.remittances = env.remittance_kept * env.remittance * senders
        saved = e.saving_rate * self.income + e.remittance_saving_share * self.remittances
        owed = self.debt * (1 + e.debt_interest)
        paid = min(owed, saved)
        self.debt = owed - paid
        self.savings += saved - paid

    def come_home(self, env: Environment) -> None:
        settled = monthly(self.model.params.population.settled_exit_annual)
        if self.settled_abroad > 0 and self.u(SETTLED) < f32(1 - (1 - settled) ** self.settled_abroad):
            self.settled_abroad -= 1  # one who left before 2002 dies, comes back or stops sending
        hazard = env.return_rate + env.removal_rate
        p_any = f32(1 - (1 - hazard) ** self.members_abroad)
        u = self.u(RETURN)
        abroad = self.members_abroad > 0
        removal = u < p_any * f32(env.removal_rate / hazard)
        removable = self.members_abroad > self.protected_abroad  # those protected are never removed
        back = abroad and u < p_any and (not removal or removable)
        removed = back and removal
        if back:
            child = self.minors_abroad == self.members_abroad  # children come home after the adults
            self.members_abroad -= 1
            self.members_home += 1
            self.minors_abroad -= child
            self.minors += child
            self.protected_abroad = min(self.protected_abroad, self.members_abroad)
        self.deportations += removed
        denied = 0
        if abroad and self.asylum_month == env.month:  # asylum denied: removed
            removable = self.members_abroad - self.protected_abroad
            adults = min(self.asylum_adults, self.members_abroad - self.minors_abroad, removable)
            kids = min(self.asylum_minors, self.minors_abroad, removable - adults)
            denied = adults + kids
            self.members_abroad -= denied
            self.minors_abroad -= kids
            self.members_home += denied
            self.minors += kids
            self.deportations += denied > 0
            self.asylum_month, self.asylum_adults, self.asylum_minors = int(NEVER), 0, 0
        legal_members = self.legal_abroad if (self.legal_abroad > 0 and self.legal_return <= env.month) else 0
        if legal_members:
            self.members_home += legal_members
            self.legal_abroad = 0
            self.legal_return = int(NEVER)
            self.legal_back = env.month
        self.events = {"returns": back and not removed, "removals": removed + denied, "legal_returns": legal_members}

    def aspire(self, env: Environment) -> None:
        p = self.model.params
        a = p.aspiration
        u = self.u(LATENT)
        if u < f32(a.latent_redraw):
            q = float(u / f32(a.latent_redraw))
            self.threshold = float(f32(math.log(q / (1 - q)))) if q > 0 else -math.inf
        terms = (w * r.one(self, self.d, env) for r, w in self.model.rules.weighted() if r.kind == "aspiration")
        utility = a.intercept + sum(terms)
        self.aspiring = utility > self.threshold
        self.sendable = self.can_send()
        reattempt_p = (
            f32(p.border.expelled_reattempt)
            if self.expelled
            else f32(p.journey.reattempt_rate) * f32(self.effects["reattempt_factor"])
        )
        self.reattempt = self.attempts_left > 0 and self.sendable and self.u(ACT) < reattempt_p
        self.rehire = env.month - self.legal_back < p.legal.rehire_months
        eligible = (self.aspiring or self.rehire) and self.sendable and not self.reattempt and self.legal_abroad == 0
        self.legal_eligible = eligible
        rehire_weight = f32(p.legal.rehire_priority) if self.rehire else f32(1)
        self.priority = float(f32(self.effects["visa_priority"]) * rehire_weight) if eligible else 0.0
        # humanitarian processing takes those setting out, paid for or not, whom its screening takes: in danger
        # (a recent crime) or with kin to join
        self.act = self.u(ACT) < f32(monthly(p.aspiration.action_rate))
        victimised = env.month - self.victim_month < VICTIM_MEMORY
        ties = self.relatives_abroad + self.settled_abroad + self.members_abroad + self.legal_abroad
        wanted = self.aspiring and self.sendable and not self.reattempt and self.act
        self.protectable = wanted and (victimised or ties > 0)

    def leave(self, env: Environment) -> None:
        p = self.model.params
        chance = min(f32(self.priority) * f32(self.model.visa_rate[self.d]), f32(1))
        legal = self.legal_eligible and self.u(LEGAL) < chance
        case = min(f32(self.model.protection_rate[self.d]), f32(1))
        protected = self.protectable and case > 0 and not legal and self.u(PROTECTION) < case
        new = False
        free = not legal and not protected
        if self.aspiring and self.sendable and free and not self.rehire and self.attempts_left == 0 and self.act:
            resources = sum(
                w * r.one(self, self.d, env) for r, w in self.model.rules.weighted() if r.kind == "capability"
            )
            new = resources >= f32(env.fee[self.d])
        poor = self.income < env.poverty_line * max(self.members_home, 1)
        protected_going = self.leave_protected(poor, env) if protected else 0
        if new:
            fee = float(f32(env.fee[self.d]))
            from_savings = min(self.savings, fee)
            self.savings -= from_savings
            self.debt += fee - from_savings
            self.attempts_left = p.journey.package_attempts
        started = new or self.reattempt
        outcome, travellers, g = None, 0, ADULT
        if started:
            self.attempts += 1
            self.attempts_left -= 1
            g, travellers, kids = self.unit_going(new, poor, env)
            mexico, death, us = (f32(c[self.d]) for c in env.journey_thresholds())
            u = self.u(JOURNEY)
            if u < mexico:
                outcome = "mexico"
            elif u < death:
                outcome = "died"
            elif self.u(BORDER) >= f32(env.border[SURRENDER, g]) and u >= us:
                outcome = "arrived"
            else:
                w = self.u(OUTCOME)
                expel, release = env.border[EXPEL, g], env.border[RELEASE, g]
                outcome = "expelled" if w < f32(expel) else "released" if w < f32(expel + release) else "removed"
            self.journey_outcome(outcome, g, travellers, kids, env)
        if legal:
            self.members_home -= 1
            self.legal_abroad += 1
            self.legal_return = env.month + p.legal.duration_months
        encountered = outcome in ("expelled", "released", "removed")
        events = {
            **self.events,
            "aspiring": self.aspiring,
            "departures_irregular": travellers,
            "departures_legal": legal,
            "departures_protected": protected_going,
            "departures_poor": travellers if poor else 0,
            "apprehended_mexico": travellers if outcome == "mexico" else 0,
            "apprehended_us": travellers if encountered else 0,
            "deaths": outcome == "died",
            "arrivals": travellers if outcome in ("arrived", "released") else 0,
            "stock_abroad": self.members_abroad + self.legal_abroad,
            "emigrant_households": self.members_abroad > 0,
            "remittances_usd": self.remittances,
            "receiving_remittances": self.remittances > 0,
            "engaged_households": self.engaged or self.effects["engaged"],
            "population_home": self.members_home,
        }
        group = GROUPS[g]
        events |= {f"journeys_{group}": travellers, f"encounters_{group}": travellers if encountered else 0}
        for what, happened in (("arrivals", "arrived"), ("removals", "removed"), ("expulsions", "expelled")):
            events[f"{what}_{group}"] = travellers if outcome == happened else 0
        events[f"releases_{group}"] = travellers if outcome == "released" else 0
        for name, value in events.items():
            self.model.tally[name][self.d] += value
        for program in self.model.programs:
            start, until = self.programs[program.label]
            if start <= env.month < until:
                counts = self.model.program_tally[program.label]
                counts[0][self.d] += 1
                counts[1][self.d] += travellers

    def leave_protected(self, poor: bool, env: Environment) -> int:
        """A humanitarian case granted in Guatemala: the unit the household would have sent goes, and stays.

        Returns the people who went.
        """
        g = self.choose_unit(poor)
        travellers, kids = persons(g, self.minors)
        self.members_home -= travellers
        self.minors -= kids
        self.members_abroad += travellers
        self.minors_abroad += kids
        self.protected_abroad += travellers
        if g != CHILD:
            self.last_arrival = env.month
        return travellers

    def choose_unit(self, poor: bool) -> int:
        """Who goes (sim.units), chosen anew."""
        return choose_one(
            self.u(UNIT),
            self.model.unit_terms,
            self.model.params,
            self.d,
            minors=self.minors,
            members_home=self.members_home,
            ties=self.relatives_abroad + self.settled_abroad + self.members_abroad + self.legal_abroad,
            agricultural=self.agricultural,
            rural_poor=self.rural and poor,
        )

    def unit_going(self, new: bool, poor: bool, env: Environment) -> tuple[int, int, int]:
        """Who travels (sim.units): the group, the people and the children among them."""
        family_ok = self.minors >= 1 and self.members_home - 1 - self.minors >= 1
        if new:
            self.unit = self.choose_unit(poor)
        g = self.unit
        if (g == FAMILY and not family_ok) or (g == CHILD and self.minors < 1):
            g = ADULT
        travellers, kids = persons(g, self.minors)
        return g, travellers, kids

    def journey_outcome(self, outcome: str, g: int, travellers: int, kids: int, env: Environment) -> None:
        """What the journey's outcome does to the household (as the kernel's leaving pass)."""
        b = self.model.params.border
        if outcome == "died":  # one dies: the child alone, or the adult (a family's children come home)
            self.members_home -= 1
            self.minors -= g == CHILD
            self.dead += 1
            self.attempts_left = 0
        elif outcome == "expelled":
            self.attempts_left += 1  # an expulsion uses up no attempt
        if outcome in ("mexico", "expelled", "removed"):
            self.deportations += 1
        self.expelled = outcome == "expelled"
        if outcome in ("arrived", "released"):
            self.members_home -= travellers
            self.minors -= kids
            self.members_abroad += travellers
            self.minors_abroad += kids
            if g != CHILD:
                self.last_arrival = env.month
            self.attempts_left = 0
        if outcome == "released" and self.u(ASYLUM) < f32(b.asylum_denial * b.denied_removed):
            if self.asylum_month < env.month:
                self.asylum_adults, self.asylum_minors = 0, 0
            self.asylum_month = env.month + b.asylum_months
            self.asylum_adults += g != CHILD
            self.asylum_minors += kids


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
        self.rules = build_rules(self.params, scenario)
        self.conditions, self.levers = build_activities(scenario)
        self.programs = [p for p in (lever.program() for lever in self.levers) if p is not None]
        department = h.department
        for row in range(h.n):
            state = {name: h.columns[name][row].item() for name in COLUMNS}
            ReferenceHousehold(self, row, int(department[row]), state)
        self.underworld = Underworld(self, self.params)
        self.history = History.from_data(scenario.start, scenario.end)
        self.poverty_line = poverty_line_usd()
        self.month = scenario.start
        self.key = run_key(seed)
        self._draws: dict[int, np.ndarray] = {}
        self.collector = Collector(
            scenario.start, scenario.end - scenario.start + 1, len(self.count), [p.label for p in self.programs]
        )

    def draw(self, purpose: int) -> np.ndarray:
        """The current month's draws for ``purpose``, one per household (computed once a month)."""
        if purpose not in self._draws:
            self._draws[purpose] = uniforms(month_stream(self.key, self.month, purpose), self.n)
        return self._draws[purpose]

    @property
    def households(self):
        """The household agents (the organisations are agents too)."""
        return self.agents_by_type[ReferenceHousehold]

    def engagement(self) -> np.ndarray:
        """Share of households in prevention programs by department, at the end of last month."""
        done = self.month - self.spec.start
        if done == 0:
            return self.dept_total(lambda a: a.engaged) / self.count
        last = self.collector.values[done - 1]
        return last[:, NAMES.index("engaged_households")] / last[:, NAMES.index("households")]

    def dept_total(self, value) -> np.ndarray:
        totals = np.zeros(len(self.count))
        for agent in self.households:
            totals[agent.d] += value(agent)
        return totals

    def step(self) -> None:
        prevalence = self.dept_total(lambda a: a.members_abroad > 0) / self.count
        env, _ = build_environment(
            self.month,
            self.history,
            self.departments,
            self.params,
            self.conditions,
            self.levers,
            prevalence,
            self.poverty_line,
        )
        weight = self.weight * env.scale
        self._draws = {}
        crime = self.underworld.month(env, self.params, self.engagement(), self.key)
        for k, program in enumerate(self.programs):
            wanted = env.enrol.get(program.label)
            if wanted is None or not wanted.any():
                continue
            for agent in self.households:
                agent.eligible_now = agent.eligible_for(program, env)
            self.enrol_p = prog.enrol_probability(wanted, self.dept_total(lambda a: a.eligible_now), weight)
            self.households.do("enrol", k, program, env)
        self.households.do("update_economy", env)
        self.households.do("come_home", env)
        self.households.do("aspire", env)
        self.visa_rate = slot_rate(env.visas, self.dept_total(lambda a: a.priority) * weight)
        self.protection_rate = slot_rate(env.protection, self.dept_total(lambda a: a.protectable) * weight)
        self.unit_terms = department_terms(env, self.params)
        self.tally = {name: np.zeros(len(self.count)) for name in NAMES}
        self.program_tally = {p.label: (np.zeros(len(self.count)), np.zeros(len(self.count))) for p in self.programs}
        self.households.do("leave", env)
        self.tally["households"] = self.count.astype(np.float64)
        self.tally |= crime | security_levels(env)
        self.collector.record(self.month, self.tally, self.program_tally, weight)
        self.month += 1
        if self.month > self.spec.end:
            self.running = False
