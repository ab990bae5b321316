"""The migration model: Guatemala's households as Mesa agents stepping month by month.

Each step: data, conditions and levers set the month's environment per department; programs enrol
households; households update their economy, members abroad may come home, households aspire and (if
capable) leave, journeys resolve, and outcomes are recorded by department. The household state is numpy
columns (see :mod:`sim.households`); ``model.agents`` gives one :class:`HouseholdAgent` view per row,
built on first use so that a full-scale run never pays for 3.3 million Python objects it does not use.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import mesa
import numpy as np

from sim import programs
from sim.conditions import get_condition
from sim.decisions import decide
from sim.departments import load_departments
from sim.economy import update_economy, working_age_home
from sim.environment import build_environment
from sim.history import History
from sim.households import HouseholdAgent, Households
from sim.journey import come_home, travel
from sim.levers import get_lever
from sim.metrics import Collector
from sim.parameters import Parameters, default_parameters
from sim.population import block_layout, poverty_line_usd, synthesise
from sim.rules import RULES, Rule
from sim.scenario import Scenario

DEFAULT_HOUSEHOLDS_PER_AGENT = 50
# Rows of the uniform draws taken every month; the reference implementation reads the same rows.
JOB, PROGRAM, CRIME, RETURN, LATENT, ACT, LEGAL, JOURNEY = range(8)
N_DRAWS = 8


def build_rules(params: Parameters) -> list[Rule]:
    return [cls(params[name]) for name, cls in RULES.items()]


def build_activities(scenario: Scenario) -> tuple[list, list]:
    """The scenario's conditions and levers, as objects that edit the environment."""
    conditions = [get_condition(c.condition or label)(label, c) for label, c in scenario.conditions]
    levers = [get_lever(c.lever or label)(label, c) for label, c in scenario.levers]
    return conditions, levers


@dataclass
class Snapshot:
    """What a run carries from one month to the next: enough to continue it exactly (picklable).

    Used to branch several scenarios off a shared past, and to cache that past on disk.
    """

    seed: int
    households_per_agent: float
    start: int
    month: int
    columns: dict[str, np.ndarray]
    rng_state: dict
    values: np.ndarray  # collector values of the months done
    program_values: dict[str, np.ndarray]  # program label -> its collector values of the months done
    costs: dict[str, np.ndarray]  # lever label -> its costs of the months done
    model_vars: dict[str, list]


class MigrationModel(mesa.Model):
    """Households deciding whether to migrate, month by month, under one scenario."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int = 0,
        households_per_agent: float = DEFAULT_HOUSEHOLDS_PER_AGENT,
        parameters: Parameters | None = None,
        *,
        population: Households | None = None,
    ) -> None:
        """Synthesise the population (unless ``population`` is given) and set the scenario up."""
        super().__init__(rng=seed)
        self.seed = seed
        self.spec = scenario
        self.parameters = parameters
        self.params = (parameters or default_parameters()).with_overrides(scenario.parameters)
        self.departments = load_departments()
        self.households_per_agent = households_per_agent
        self.households: Households = (
            population
            if population is not None
            else synthesise(
                self.departments,
                self.params.population,
                self.params.economy.victimisation_annual,
                households_per_agent,
                scenario.start,
                self.rng,
            )
        )
        self.rules = build_rules(self.params)
        self.conditions, self.levers = build_activities(scenario)
        self.programs = [p for p in (lever.program() for lever in self.levers) if p is not None]
        programs.add_columns(self.households, self.programs)
        self.history = History.from_data(scenario.start, scenario.end)
        self.poverty_line = poverty_line_usd()
        n_months = scenario.end - scenario.start + 1
        self.month = scenario.start
        self.collector = Collector(
            scenario.start, n_months, len(self.departments.code), [p.label for p in self.programs]
        )
        self.costs = np.zeros((n_months, len(self.levers)))
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "month": lambda m: m.month - 1,
                "departures": lambda m: (
                    m.collector.national(m.month - 1, "departures_irregular")
                    + m.collector.national(m.month - 1, "departures_legal")
                ),
                "arrivals": lambda m: m.collector.national(m.month - 1, "arrivals"),
                "stock_abroad": lambda m: m.collector.national(m.month - 1, "stock_abroad"),
            }
        )
        self._agents_built = False

    def snapshot(self) -> Snapshot:
        """The state at the current month (copies, so this model can go on)."""
        done = self.month - self.spec.start
        return Snapshot(
            seed=self.seed,
            households_per_agent=self.households_per_agent,
            start=self.spec.start,
            month=self.month,
            columns={k: v.copy() for k, v in self.households.columns.items()},
            rng_state=copy.deepcopy(self.rng.bit_generator.state),
            values=self.collector.values[:done].copy(),
            program_values={
                p: self.collector.program_values[:done, :, k].copy() for k, p in enumerate(self.collector.programs)
            },
            costs={lever.label: self.costs[:done, k].copy() for k, lever in enumerate(self.levers)},
            model_vars=copy.deepcopy(self.datacollector.model_vars),
        )

    @classmethod
    def resume(cls, scenario: Scenario, state: Snapshot, parameters: Parameters | None = None) -> MigrationModel:
        """Continue from ``state`` under ``scenario``.

        ``scenario`` must start when the snapshot's run did, use the same parameters, and differ from it
        only in activities that start at or after the snapshot's month: then the result is exactly what
        a fresh run of ``scenario`` with the same seed gives (tested).
        """
        if scenario.start != state.start:
            raise ValueError("a run can only be resumed under a scenario with the same start month")
        count, start, weight = block_layout(load_departments().households, state.households_per_agent)
        population = Households(start, count, weight, {k: v.copy() for k, v in state.columns.items()})
        model = cls(scenario, state.seed, state.households_per_agent, parameters, population=population)
        model.rng.bit_generator.state = copy.deepcopy(state.rng_state)
        model.month = state.month
        done = state.month - state.start
        model.collector.values[:done] = state.values
        for k, label in enumerate(model.collector.programs):
            if label in state.program_values:
                model.collector.program_values[:done, :, k] = state.program_values[label]
        for k, lever in enumerate(model.levers):
            if lever.label in state.costs:
                model.costs[:done, k] = state.costs[lever.label]
        model.datacollector.model_vars = copy.deepcopy(state.model_vars)
        return model

    # --- Mesa agents as views -------------------------------------------------------------
    @property
    def agents(self):
        self._build_agents()
        return super().agents

    @property
    def agents_by_type(self):
        self._build_agents()
        return super().agents_by_type

    def _build_agents(self) -> None:
        if not self._agents_built:
            self._agents_built = True
            for row in range(self.households.n):
                HouseholdAgent(self, row)

    # --- stepping ---------------------------------------------------------------------------
    def prevalence(self) -> np.ndarray:
        h = self.households
        return h.dept_sum(h.members_abroad > 0) / h.count

    def environment(self):
        """The environment of the current month, and what each lever cost in it."""
        return build_environment(
            self.month,
            self.history,
            self.departments,
            self.params,
            self.conditions,
            self.levers,
            self.prevalence(),
            self.poverty_line,
        )

    def step(self) -> None:
        """Advance one month."""
        h = self.households
        env, costs = self.environment()
        weight = h.weight * env.scale
        u = self.rng.random((N_DRAWS, h.n), dtype=np.float32)
        programs.enrol(h, self.programs, env, u[PROGRAM], weight, working_age_home(h) >= 1)
        h.effects = programs.effects(h, self.programs, self.month)
        update_economy(h, env, self.params, u[JOB], u[CRIME])
        back = come_home(h, env, u[RETURN])
        decisions = decide(h, env, self.params, self.rules, weight, u[LATENT], u[ACT], u[LEGAL])
        poor = h.income < np.float32(env.poverty_line) * np.maximum(h.members_home, 1)
        out = travel(h, env, self.params, decisions, u[JOURNEY])
        per_dept = {
            "aspiring": h.dept_sum(decisions.aspiring),
            "departures_irregular": h.dept_sum(out.started),
            "departures_legal": h.dept_sum(decisions.legal),
            "departures_poor": h.dept_sum(out.started & poor),
            "apprehended_mexico": h.dept_sum(out.mexico),
            "apprehended_us": h.dept_sum(out.us),
            "deaths": h.dept_sum(out.died),
            "arrivals": h.dept_sum(out.arrived),
            "returns": h.dept_sum(back.voluntary),
            "removals": h.dept_sum(back.removed),
            "legal_returns": h.dept_sum(back.legal_members),
            "stock_abroad": h.dept_sum(h.members_abroad) + h.dept_sum(h.legal_abroad),
            "emigrant_households": h.dept_sum(h.members_abroad > 0),
            "remittances_usd": h.dept_sum(h.remittances),
            "receiving_remittances": h.dept_sum(h.remittances > 0),
            "engaged_households": h.dept_sum(h.engaged | h.effects.engaged),
            "population_home": h.dept_sum(h.members_home),
            "households": h.count.astype(np.float64),
        }
        per_program = {
            label: (h.dept_sum(active), h.dept_sum(active & out.started)) for label, active in h.effects.active.items()
        }
        self.collector.record(self.month, per_dept, per_program, weight)
        self.costs[self.month - self.spec.start] = costs
        self.month += 1
        self.datacollector.collect(self)
        if self.month > self.spec.end:
            self.running = False
