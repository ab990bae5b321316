"""Criminal organisations: smuggling networks by corridor and drug-trafficking groups, as Mesa agents.

Each organisation has leaders, members, a territory (departments) and, for trafficking groups, drug
shipments. Every month operations and routine policing arrest leaders and members and seize shipments:
the hazards grow with the joint operations aimed at the organisation's departments (``joint_task_forces``,
``anti_smuggling``), with information sharing (more hits on leaders and shipments) and with the police's
effectiveness (``capacity_building``). Vacancies are filled again: leaders by successors, splinters or
rivals; members by recruiting young people of the territory, less where many households take part in
prevention programs. Capacity (leaders and members against their usual numbers) sets what households face:
a weaker smuggling corridor charges more and takes more risks (others fill part of the gap: displacement),
a weaker trafficking group kills less, but leaderless groups fight over succession. Sizes and rates are
assumed (``sim/data/organisations.csv``, ``parameters.crime``): no count of Guatemalan organisations or of
their arrests by year was in the data. Organisation-level draws come from a generator keyed by (run, month,
organisation), so they do not depend on anything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mesa
import numpy as np

from sim.departments import load_departments, read_csv
from sim.environment import Environment, monthly_victimisation
from sim.parameters import Parameters

KINDS = ("smuggling", "trafficking")
# what an organisation's month adds to its departments' totals (split by households)
EVENTS = ("key_arrests", "member_arrests", "seizures", "seized_volume", "recruits")


@dataclass(frozen=True)
class OrganisationSpec:
    name: str
    kind: str
    departments: tuple[int, ...]  # positions 0-21
    leaders: int
    members: int
    shipments: float  # drug shipments a month at full capacity
    shipment_size: float  # a shipment's volume against a typical one (1), for the seizure volume index
    source: str


def load_specs() -> list[OrganisationSpec]:
    specs = []
    for row in read_csv("organisations.csv"):
        if row["kind"] not in KINDS:
            raise ValueError(f"organisations.csv: unknown kind {row['kind']!r}")
        departments = tuple(int(code) - 1 for code in row["departments"].split(";"))
        specs.append(
            OrganisationSpec(
                row["name"],
                row["kind"],
                departments,
                int(row["leaders"]),
                int(row["members"]),
                float(row["shipments_per_month"]),
                float(row["shipment_size"]),
                row["source"],
            )
        )
    return specs


@dataclass
class OrganisationState:
    leaders: int
    members: int
    arrested_leaders: int = 0
    arrested_members: int = 0
    successions: int = 0
    recruited: int = 0
    events: dict[str, float] = field(default_factory=dict)


class CriminalOrganisation(mesa.Agent):
    """A smuggling network or trafficking group; its numbers live in ``state`` (copied into snapshots)."""

    def __init__(self, model: mesa.Model, index: int, spec: OrganisationSpec, params: Parameters) -> None:
        super().__init__(model)
        self.index = index
        self.spec = spec
        self.where = np.array(spec.departments, dtype=np.intp)  # its departments, for indexing
        c = params.crime
        # start at the numbers routine policing and recovery keep on average, so capacity starts near 1
        self.usual_leaders = spec.leaders * c.succession / (c.succession + c.leader_arrest)
        self.usual_members = spec.members * c.recruitment / (c.recruitment + c.member_arrest)
        self.state = OrganisationState(round(self.usual_leaders), round(self.usual_members))

    @property
    def capacity(self) -> float:
        """Leaders and members against their usual numbers (1 = as usual; 0 = gone)."""
        w = self.model.params.crime.leader_weight
        leaders = self.state.leaders / max(self.usual_leaders, 1e-9)
        members = self.state.members / max(self.usual_members, 1e-9)
        return float(leaders**w * members ** (1 - w))

    def month(self, env: Environment, params: Parameters, engagement: np.ndarray, key: int) -> None:
        """Arrests, seizures, succession and recruitment for one month."""
        c = params.crime
        s = self.state
        spec = self.spec
        rng = np.random.default_rng([int(key), env.month, self.index])
        operations = self.operations(env)
        hit = 1 + c.intelligence_gain * env.intelligence
        leader_hazard = (c.leader_arrest + c.operation_leader * operations * hit) * env.effectiveness
        member_hazard = (c.member_arrest + c.operation_member * operations) * env.effectiveness
        seizure_hazard = (c.seizure + c.operation_seizure * operations * hit) * env.effectiveness
        key_arrests = int(rng.binomial(s.leaders, 1 - np.exp(-leader_hazard)))
        member_arrests = int(rng.binomial(s.members, 1 - np.exp(-member_hazard)))
        shipments = int(round(spec.shipments * self.capacity))
        seizures = int(rng.binomial(shipments, 1 - np.exp(-seizure_hazard))) if shipments else 0
        s.leaders -= key_arrests
        s.members -= member_arrests
        s.arrested_leaders += key_arrests
        s.arrested_members += member_arrests
        vacancies = max(spec.leaders - s.leaders, 0)
        successions = int(rng.binomial(vacancies, min(c.succession / env.effectiveness, 1.0)))
        territory_engagement = float(engagement[self.where].mean())
        recruit_rate = c.recruitment * max(0.0, 1 - c.engagement_recruitment * territory_engagement)
        recruits = int(rng.binomial(max(spec.members - s.members, 0), min(recruit_rate, 1.0)))
        s.leaders += successions
        s.members += recruits
        s.successions += successions
        s.recruited += recruits
        s.events = {
            "key_arrests": key_arrests,
            "member_arrests": member_arrests,
            "seizures": seizures,
            "seized_volume": seizures * spec.shipment_size,
            "recruits": recruits,
        }

    def operations(self, env: Environment) -> float:
        """Operations a month aimed at this organisation: its share of those in its departments."""
        share = env.operations_share[self.spec.kind][self.where]
        ops = env.task_force_ops[self.where] * share
        if self.spec.kind == "smuggling":
            ops = ops + env.anti_smuggling_ops[self.where] * share
        return float(ops.sum())


class Underworld:
    """All organisations of a run, and how they shape what households face."""

    def __init__(self, model: mesa.Model, params: Parameters) -> None:
        self.organisations = [CriminalOrganisation(model, i, spec, params) for i, spec in enumerate(load_specs())]
        n = len(load_departments().code)
        self.present = {kind: np.zeros(n) for kind in KINDS}  # organisations of a kind in each department
        for org in self.organisations:
            self.present[org.spec.kind][list(org.spec.departments)] += 1
        households = load_departments().households.astype(float)
        self.split = {}  # organisation -> share of its events in each department (by households)
        for org in self.organisations:
            weights = np.zeros(n)
            weights[list(org.spec.departments)] = households[list(org.spec.departments)]
            self.split[org.index] = weights / weights.sum()

    def month(self, env: Environment, params: Parameters, engagement: np.ndarray, key: int) -> dict[str, np.ndarray]:
        """Step every organisation, then set fees, journey risk and violence; return events by department."""
        env.operations_share = {
            kind: np.divide(
                1.0, self.present[kind], out=np.zeros_like(self.present[kind]), where=self.present[kind] > 0
            )
            for kind in KINDS
        }
        for org in self.organisations:
            org.month(env, params, engagement, key)
        self.shape(env, params)
        n = len(engagement)
        events = {name: np.zeros(n) for name in EVENTS}
        for org in self.organisations:
            for name in EVENTS:
                events[name] += org.state.events[name] * self.split[org.index]
        return events

    def capacity_by_department(self, kind: str) -> np.ndarray:
        """Mean capacity of the organisations of ``kind`` in each department (1 where there are none)."""
        n = len(self.present[kind])
        total = np.zeros(n)
        for org in self.organisations:
            if org.spec.kind == kind:
                total[org.where] += org.capacity
        return np.divide(total, self.present[kind], out=np.ones(n), where=self.present[kind] > 0)

    def shape(self, env: Environment, params: Parameters) -> None:
        """Smuggling capacity sets fees and journey risk; trafficking capacity and vacancies set violence."""
        c = params.crime
        smuggling = self.capacity_by_department("smuggling")
        corridors = [org.capacity for org in self.organisations if org.spec.kind == "smuggling"]
        elsewhere = c.displacement * float(np.mean(corridors))
        effective = np.maximum(np.maximum(smuggling, elsewhere), 0.05)
        env.fee = env.fee * effective**-c.fee_elasticity
        env.p_death = np.minimum(env.p_death * effective**-c.risk_elasticity, 0.5)
        trafficking = np.maximum(self.capacity_by_department("trafficking"), 0.05)  # some violence always remains
        vacant = np.zeros(len(smuggling))
        for org in self.organisations:
            if org.spec.kind == "trafficking":
                share = max(org.spec.leaders - org.state.leaders, 0) / org.spec.leaders
                vacant[org.where] += share / self.present["trafficking"][org.where]
        env.homicide = env.homicide * trafficking**c.violence_elasticity * (1 + c.succession_violence * vacant)
        env.victimisation = monthly_victimisation(params.economy.victimisation_annual, env.homicide)
        env.criminal_capacity = (smuggling + trafficking) / 2

    def snapshot(self) -> list[dict]:
        return [vars(org.state).copy() | {"events": dict(org.state.events)} for org in self.organisations]

    def restore(self, states: list[dict]) -> None:
        for org, state in zip(self.organisations, states, strict=True):
            org.state = OrganisationState(**{**state, "events": dict(state["events"])})
