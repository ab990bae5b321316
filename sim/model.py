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

from sim import DEFAULT_HOUSEHOLDS_PER_AGENT, programs
from sim.conditions import get_condition
from sim.crime import Underworld
from sim.departments import load_departments
from sim.draws import run_key
from sim.environment import build_environment
from sim.history import History
from sim.households import COLUMNS, Households, copied_columns
from sim.levers import get_lever
from sim.metrics import NAMES, OUTFLOW, Collector, security_levels
from sim.parameters import Parameters, default_parameters
from sim.population import block_layout, poverty_line_usd, synthesise
from sim.ruleset import build_rules
from sim.scenario import Scenario, shipped_scenario
from sim.step import advance


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
    program_start: dict[str, np.ndarray]  # program label -> its start months
    program_until: dict[str, np.ndarray]
    values: np.ndarray  # collector values of the months done
    program_values: dict[str, np.ndarray]  # program label -> its collector values of the months done
    costs: dict[str, np.ndarray]  # lever label -> its costs of the months done
    model_vars: dict[str, list]
    organisations: dict[str, np.ndarray]  # the criminal organisations' counters (sim.crime.Underworld)


class HouseholdAgent(mesa.Agent):
    """A Mesa agent that is a view onto row ``row`` of the model's household columns.

    Reading ``agent.savings`` reads the column, so inspection, ``AgentSet.select`` and
    ``AgentSet.agg`` see the live state while the model steps all rows at once.
    """

    def __init__(self, model: mesa.Model, row: int) -> None:
        super().__init__(model)
        self.row = row

    def __getattr__(self, name: str):
        if name in COLUMNS:
            return self.model.households.columns[name][self.row].item()
        raise AttributeError(name)

    @property
    def d(self) -> int:
        """Department position (0-21)."""
        return int(self.model.households.row_department[self.row])

    @property
    def department(self) -> str:
        """Department name."""
        return self.model.departments.name[self.d]

    @property
    def effects(self) -> dict[str, float]:
        """The program effects on the household in the current month (as per-household rule forms read them)."""
        fx = self.model.households.effects
        return {name: getattr(fx, name)[self.row].item() for name in programs.MONTHLY}

    @property
    def represents(self) -> float:
        """Real households this agent stands for."""
        h = self.model.households
        return float(h.weight[np.searchsorted(h.start, self.row, side="right") - 1])

    def snapshot(self) -> dict[str, object]:
        return {"row": self.row, "department": self.department, **{c: getattr(self, c) for c in COLUMNS}}


class MigrationModel(mesa.Model):
    """Households deciding whether to migrate, month by month, under one scenario."""

    def __init__(
        self,
        scenario: Scenario | None = None,
        seed: int | None = None,
        households_per_agent: float = DEFAULT_HOUSEHOLDS_PER_AGENT,
        parameters: Parameters | None = None,
        *,
        rng: int | None = None,
        population: Households | None = None,
    ) -> None:
        """Synthesise the population (unless ``population`` is given) and set the scenario up.

        Every argument has a default, as Mesa's tools expect (``mesa.batch_run`` passes ``seed``, others
        ``rng``): the shipped baseline scenario, at the default scale, with the calibrated parameters. Without
        a seed the run draws one, as a Mesa model does, and keeps it in ``seed`` so the run can be repeated.
        """
        if seed is None:
            seed = rng if rng is not None else int(np.random.SeedSequence().entropy % 2**63)
        elif rng is not None and rng != seed:
            raise ValueError(f"seed={seed} and rng={rng} disagree: give one of them")
        scenario = scenario if scenario is not None else shipped_scenario("baseline")
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
        self.rules = build_rules(self.params, scenario)
        self.key = run_key(seed)
        self.conditions, self.levers = build_activities(scenario)
        self.programs = [p for p in (lever.program() for lever in self.levers) if p is not None]
        programs.add_columns(self.households, self.programs)
        programs.order_columns(self.households, self.programs)
        self.table = programs.pack(self.programs)
        self.underworld = Underworld(self, self.params)
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
                "departures": lambda m: sum(m.collector.national(m.month - 1, name) for name in OUTFLOW),
                "arrivals": lambda m: m.collector.national(m.month - 1, "arrivals"),
                "stock_abroad": lambda m: m.collector.national(m.month - 1, "stock_abroad"),
            }
        )
        self._agents_built = False
        self._emigrant_households: np.ndarray | None = None  # from the last month stepped here, if any

    def snapshot(self) -> Snapshot:
        """The state at the current month (copies, so this model can go on)."""
        done = self.month - self.spec.start
        return Snapshot(
            seed=self.seed,
            households_per_agent=self.households_per_agent,
            start=self.spec.start,
            month=self.month,
            columns={k: v.copy() for k, v in self.households.columns.items()},
            program_start={
                p: self.households.program_start[:, k].copy() for k, p in enumerate(self.households.program_labels)
            },
            program_until={
                p: self.households.program_until[:, k].copy() for k, p in enumerate(self.households.program_labels)
            },
            values=self.collector.values[:done].copy(),
            program_values={
                p: self.collector.program_values[:done, :, k].copy() for k, p in enumerate(self.collector.programs)
            },
            costs={lever.label: self.costs[:done, k].copy() for k, lever in enumerate(self.levers)},
            model_vars=copy.deepcopy(self.datacollector.model_vars),
            organisations=self.underworld.snapshot(),
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
        labels = list(state.program_start)
        n = sum(count)

        def table(columns: dict[str, np.ndarray]) -> np.ndarray:
            return np.array([columns[label] for label in labels], dtype=np.int16).reshape(len(labels), n).T.copy()

        population = Households(
            start,
            count,
            weight,
            copied_columns(state.columns),
            labels,
            table(state.program_start),
            table(state.program_until),
        )
        model = cls(scenario, state.seed, state.households_per_agent, parameters, population=population)
        model.month = state.month
        model.running = state.month <= scenario.end
        done = state.month - state.start
        model.collector.values[:done] = state.values
        for k, label in enumerate(model.collector.programs):
            if label in state.program_values:
                model.collector.program_values[:done, :, k] = state.program_values[label]
        for k, lever in enumerate(model.levers):
            if lever.label in state.costs:
                model.costs[:done, k] = state.costs[lever.label]
        model.datacollector.model_vars = copy.deepcopy(state.model_vars)
        model.underworld.restore(state.organisations)
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
        """Share of households with a member abroad by department, at the start of the month."""
        h = self.households
        emigrant = self._emigrant_households  # counted by last month's leaving pass, after its moves
        return (h.dept_sum(h.members_abroad > 0) if emigrant is None else emigrant) / h.count

    def engagement(self) -> np.ndarray:
        """Share of households in prevention programs by department, at the end of last month."""
        done = self.month - self.spec.start
        if done == 0:
            h = self.households
            return h.dept_sum(h.engaged) / h.count
        last = self.collector.values[done - 1]
        return last[:, NAMES.index("engaged_households")] / last[:, NAMES.index("households")]

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
        crime = self.underworld.month(env, self.params, self.engagement(), self.key)
        per_dept, per_program = advance(
            h,
            env,
            self.params,
            self.rules,
            self.programs,
            self.table,
            self.key,
            lambda: self.agents_by_type[HouseholdAgent],
        )
        self._emigrant_households = per_dept["emigrant_households"]
        weight = h.weight * env.scale
        per_dept |= crime | security_levels(env)
        self.collector.record(self.month, per_dept, per_program, weight)
        self.costs[self.month - self.spec.start] = costs
        self.month += 1
        self.datacollector.collect(self)
        if self.month > self.spec.end:
            self.running = False
