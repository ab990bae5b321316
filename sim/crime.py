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
their arrests by year was in the data. The organisations are stepped together as arrays; their draws come
from a generator keyed by (run, month), so they do not depend on anything else.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class OrganisationState:
    """One organisation's numbers at the end of a month (a copy: the arrays live in :class:`Underworld`)."""

    leaders: int
    members: int
    arrested_leaders: int
    arrested_members: int
    successions: int
    recruited: int
    events: dict[str, float]


# the counters an organisation carries from month to month (columns of Underworld.counts)
COUNTS = ("leaders", "members", "arrested_leaders", "arrested_members", "successions", "recruited")


class CriminalOrganisation(mesa.Agent):
    """A smuggling network or trafficking group, for inspection: its numbers are one row of the underworld's arrays."""

    def __init__(self, model: mesa.Model, index: int, spec: OrganisationSpec, underworld: Underworld) -> None:
        super().__init__(model)
        self.index = index
        self.spec = spec
        self._underworld = underworld

    @property
    def state(self) -> OrganisationState:
        u = self._underworld
        row = u.counts[self.index]
        events = {name: float(u.events[self.index, k]) for k, name in enumerate(EVENTS)}
        return OrganisationState(*(int(v) for v in row), events=events)

    @property
    def capacity(self) -> float:
        """Leaders and members against their usual numbers (1 = as usual; 0 = gone)."""
        return float(self._underworld.capacities()[self.index])


class Underworld:
    """All organisations of a run, stepped together as arrays (one row per organisation).

    Draws come from one generator per (run, month), in a fixed order over organisations, so they depend
    on nothing else in the model (not on the household sample, nor on levers that do not touch crime).
    """

    def __init__(self, model: mesa.Model, params: Parameters) -> None:
        specs = load_specs()
        n = len(load_departments().code)
        c = params.crime
        self.leader_weight = c.leader_weight
        self.spec_leaders = np.array([s.leaders for s in specs], dtype=np.int64)
        self.spec_members = np.array([s.members for s in specs], dtype=np.int64)
        self.shipments = np.array([s.shipments for s in specs])
        self.shipment_size = np.array([s.shipment_size for s in specs])
        self.smuggling = np.array([s.kind == "smuggling" for s in specs])
        # start at the numbers routine policing and recovery keep on average, so capacity starts near 1
        self.usual_leaders = self.spec_leaders * c.succession / (c.succession + c.leader_arrest)
        self.usual_members = self.spec_members * c.recruitment / (c.recruitment + c.member_arrest)
        self.counts = np.zeros((len(specs), len(COUNTS)), dtype=np.int64)
        self.counts[:, 0] = np.round(self.usual_leaders)
        self.counts[:, 1] = np.round(self.usual_members)
        self.events = np.zeros((len(specs), len(EVENTS)))
        self.territory = territory = np.zeros((len(specs), n))  # 1 where the organisation works
        for i, spec in enumerate(specs):
            territory[i, list(spec.departments)] = 1
        self.rows = {"smuggling": self.smuggling, "trafficking": ~self.smuggling}
        self.kind_territory = {kind: territory[rows] for kind, rows in self.rows.items()}
        self.present = {kind: t.sum(0) for kind, t in self.kind_territory.items()}
        present_own_kind = np.where(self.smuggling[:, None], self.present["smuggling"], self.present["trafficking"])
        # an organisation's share of the operations in each of its departments (split among those present)
        self.operations_share = np.divide(
            territory, present_own_kind, out=np.zeros_like(territory), where=territory > 0
        )
        self.territory_mean = territory / territory.sum(1, keepdims=True)  # averages a department value over territory
        households = load_departments().households.astype(float)
        weights = territory * households
        self.split = weights / weights.sum(1, keepdims=True)  # share of an organisation's events in each department
        self.organisations = [CriminalOrganisation(model, i, spec, self) for i, spec in enumerate(specs)]

    def capacities(self) -> np.ndarray:
        """Leaders and members against their usual numbers, per organisation (1 = as usual; 0 = gone)."""
        w = self.leader_weight
        leaders = self.counts[:, 0] / np.maximum(self.usual_leaders, 1e-9)
        members = self.counts[:, 1] / np.maximum(self.usual_members, 1e-9)
        return leaders**w * members ** (1 - w)

    def operations(self, env: Environment) -> np.ndarray:
        """Operations a month aimed at each organisation: its share of those in its departments."""
        ops = self.operations_share @ env.task_force_ops
        return ops + self.smuggling * (self.operations_share @ env.anti_smuggling_ops)

    def month(self, env: Environment, params: Parameters, engagement: np.ndarray, key: int) -> dict[str, np.ndarray]:
        """Arrests, seizures, succession and recruitment; then fees, journey risk and violence; events by department."""
        c = params.crime
        rng = np.random.default_rng([int(key), env.month])
        leaders, members = self.counts[:, 0].copy(), self.counts[:, 1].copy()
        operations = self.operations(env)
        hit = 1 + c.intelligence_gain * env.intelligence
        leader_hazard = (c.leader_arrest + c.operation_leader * operations * hit) * env.effectiveness
        member_hazard = (c.member_arrest + c.operation_member * operations) * env.effectiveness
        seizure_hazard = (c.seizure + c.operation_seizure * operations * hit) * env.effectiveness
        shipments = np.round(self.shipments * self.capacities()).astype(np.int64)
        key_arrests = rng.binomial(leaders, -np.expm1(-leader_hazard))
        member_arrests = rng.binomial(members, -np.expm1(-member_hazard))
        seizures = rng.binomial(shipments, -np.expm1(-seizure_hazard))
        leaders -= key_arrests
        members -= member_arrests
        successions = rng.binomial(
            np.maximum(self.spec_leaders - leaders, 0), min(c.succession / env.effectiveness, 1.0)
        )
        recruit_rate = c.recruitment * np.maximum(
            0.0, 1 - c.engagement_recruitment * (self.territory_mean @ engagement)
        )
        recruits = rng.binomial(np.maximum(self.spec_members - members, 0), np.minimum(recruit_rate, 1.0))
        self.counts += np.stack(
            [successions - key_arrests, recruits - member_arrests, key_arrests, member_arrests, successions, recruits],
            1,
        )
        self.events = np.stack(
            [key_arrests, member_arrests, seizures, seizures * self.shipment_size, recruits], 1
        ).astype(float)
        self.shape(env, params)
        by_department = self.events.T @ self.split
        return {name: by_department[k] for k, name in enumerate(EVENTS)}

    def capacity_by_department(self, kind: str, capacities: np.ndarray | None = None) -> np.ndarray:
        """Mean capacity of the organisations of ``kind`` in each department (1 where there are none)."""
        capacities = self.capacities() if capacities is None else capacities
        total = capacities[self.rows[kind]] @ self.kind_territory[kind]
        present = self.present[kind]
        return np.divide(total, present, out=np.ones_like(present), where=present > 0)

    def shape(self, env: Environment, params: Parameters) -> None:
        """Smuggling capacity sets fees and journey risk; trafficking capacity and vacancies set violence."""
        c = params.crime
        capacities = self.capacities()
        smuggling = self.capacity_by_department("smuggling", capacities)
        elsewhere = c.displacement * float(capacities[self.smuggling].mean())
        effective = np.maximum(np.maximum(smuggling, elsewhere), 0.05)
        env.fee = env.fee * effective**-c.fee_elasticity
        env.p_death = np.minimum(env.p_death * effective**-c.risk_elasticity, 0.5)
        trafficking = np.maximum(self.capacity_by_department("trafficking", capacities), 0.05)  # violence remains
        vacant_share = np.maximum(self.spec_leaders - self.counts[:, 0], 0) / self.spec_leaders
        rows = ~self.smuggling
        vacant = vacant_share[rows] @ self.operations_share[rows]  # leaders' posts vacant, by department
        env.homicide = env.homicide * trafficking**c.violence_elasticity * (1 + c.succession_violence * vacant)
        env.victimisation = monthly_victimisation(params.economy.victimisation_annual, env.homicide)
        env.criminal_capacity = (smuggling + trafficking) / 2

    def snapshot(self) -> dict[str, np.ndarray]:
        return {"counts": self.counts.copy(), "events": self.events.copy()}

    def restore(self, state: dict[str, np.ndarray]) -> None:
        self.counts = state["counts"].copy()
        self.events = state["events"].copy()
