"""Plausible worlds: every assumed number drawn at once, the same worlds for every scenario.

A comparison's seeds cover chance and the calibrated parameters' posterior. Most numbers the model rests
on are assumed instead, each with a plausible range (:mod:`sim.uncertainties`). A world draws all of them
together from a Latin hypercube over those ranges (space-filling: each range is covered evenly even with
few worlds) and runs with the seed and posterior draw of its index, so the worlds differ from the seeds'
runs by the assumed numbers alone. Every scenario runs in every world (paired): a scenario's effect in a
world is against the reference scenario in that same world, and "averts journeys in 40% of worlds" counts
worlds, not runs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.stats import qmc

from sim.agreement_targets import ENGAGEMENT_GROWTH, KEY_ARRESTS, SEIZURE_GROWTH, engagement_share
from sim.limits import MAX_WORLDS

if TYPE_CHECKING:
    from sim.compare import Comparison
    from sim.uncertainties import Uncertainty


@dataclass(frozen=True)
class Worlds:
    """The uncertain numbers' values in each world; world ``i`` runs with seed ``first_seed + i``."""

    names: tuple[str, ...]
    values: np.ndarray  # one row per world, one column per name
    first_seed: int = 0
    sampling_seed: int = 0  # the hypercube's: recorded so the same worlds can be drawn again

    @property
    def seeds(self) -> list[int]:
        return list(range(self.first_seed, self.first_seed + len(self.values)))

    def world(self, seed: int) -> dict[str, float]:
        """The values of the world that runs with ``seed``."""
        return dict(zip(self.names, (float(v) for v in self.values[seed - self.first_seed]), strict=True))

    def digest(self, seed: int) -> str:
        """What the world that runs with ``seed`` is: its seed and values (a key for results kept in memory)."""
        text = json.dumps([seed, sorted(self.world(seed).items())])
        return hashlib.sha256(text.encode()).hexdigest()

    def table(self) -> pd.DataFrame:
        """One row per world: its seed and every uncertain number (the inputs of scenario discovery)."""
        frame = pd.DataFrame(self.values, columns=list(self.names))
        frame.insert(0, "seed", self.seeds)
        return frame

    def record(self) -> dict:
        """Plain data for a results folder's ``metadata.json``: enough to run the same worlds again."""
        return {
            "first_seed": self.first_seed,
            "sampling_seed": self.sampling_seed,
            "names": list(self.names),
            "values": self.values.tolist(),
        }

    @classmethod
    def from_record(cls, record: Mapping) -> Worlds:
        values = np.asarray(record["values"], dtype=float).reshape(len(record["values"]), len(record["names"]))
        return cls(tuple(record["names"]), values, int(record["first_seed"]), int(record["sampling_seed"]))


def sample(
    count: int, uncertainties: Sequence[Uncertainty] | None = None, first_seed: int = 0, sampling_seed: int = 0
) -> Worlds:
    """``count`` worlds, a Latin hypercube over every uncertainty's range (all of :mod:`sim.uncertainties`)."""
    if not 1 <= count <= MAX_WORLDS:
        raise ValueError(f"the number of worlds must be 1 to {MAX_WORLDS:,}, got {count:,}")
    if uncertainties is None:
        from sim.uncertainties import uncertainties as every

        uncertainties = every()
    low = np.array([u.low for u in uncertainties], dtype=float)
    high = np.array([u.high for u in uncertainties], dtype=float)
    unit = qmc.LatinHypercube(d=len(uncertainties), seed=np.random.default_rng(sampling_seed)).random(count)
    return Worlds(tuple(u.name for u in uncertainties), low + unit * (high - low), first_seed, sampling_seed)


def per_world(comparison: Comparison, years: tuple[int, int]) -> pd.DataFrame:
    """Each scenario's effect in each world against the first scenario, and whether it meets each target.

    One row per (scenario, seed): journeys and arrivals averted over ``years`` (the reference's total less the
    scenario's, in the same world), and the agreement's targets as :func:`sim.agreement_targets.assess` reads
    them (arrests and seizure growth on average over the years, engagement in the last year against the
    reference in the same world).
    """
    runs = comparison.yearly.set_index(["scenario", "seed", "year"]).sort_index()
    year = runs.index.get_level_values("year")
    inside = runs[(year >= years[0]) & (year <= years[1])]
    totals = inside[["departures_irregular", "arrivals"]].groupby(level=["scenario", "seed"]).sum()
    reference = totals.loc[comparison.scenarios[0]]
    averted = reference.reindex(totals.index, level="seed") - totals
    growth = runs["seizures"].groupby(level=["scenario", "seed"]).pct_change()
    growth = growth[(year >= years[0]) & (year <= years[1])].groupby(level=["scenario", "seed"]).mean()
    share = engagement_share(inside.xs(years[1], level="year"))
    engagement = share / share.loc[comparison.scenarios[0]].reindex(share.index, level="seed") - 1
    table = pd.DataFrame(
        {
            "journeys_averted": averted["departures_irregular"],
            "arrivals_averted": averted["arrivals"],
            "key_arrests_met": inside["key_arrests"].groupby(level=["scenario", "seed"]).mean() >= KEY_ARRESTS,
            "seizure_growth_met": growth >= SEIZURE_GROWTH,
            "engagement_met": engagement >= ENGAGEMENT_GROWTH,
        }
    )
    return table.reindex(comparison.scenarios, level="scenario").reset_index()


def shares(comparison: Comparison, years: tuple[int, int]) -> pd.DataFrame:
    """Per scenario: the share of worlds in which it averts journeys, averts arrivals and meets each target.

    With the 5-95% spread over worlds of what it averts. The reference's own row is left out (it averts
    nothing by definition).
    """
    worlds = per_world(comparison, years)
    worlds = worlds[worlds.scenario != comparison.scenarios[0]]
    grouped = worlds.groupby("scenario", sort=False)
    table = pd.DataFrame(
        {
            "worlds": grouped.size(),
            "averts_journeys": grouped["journeys_averted"].apply(lambda v: float((v > 0).mean())),
            "journeys_averted": grouped["journeys_averted"].mean(),
            "journeys_averted_low": grouped["journeys_averted"].quantile(0.05),
            "journeys_averted_high": grouped["journeys_averted"].quantile(0.95),
            "averts_arrivals": grouped["arrivals_averted"].apply(lambda v: float((v > 0).mean())),
            "arrivals_averted": grouped["arrivals_averted"].mean(),
            "arrivals_averted_low": grouped["arrivals_averted"].quantile(0.05),
            "arrivals_averted_high": grouped["arrivals_averted"].quantile(0.95),
            "key_arrests_met": grouped["key_arrests_met"].mean(),
            "seizure_growth_met": grouped["seizure_growth_met"].mean(),
            "engagement_met": grouped["engagement_met"].mean(),
        }
    )
    return table.reset_index()


def beats(comparison: Comparison, years: tuple[int, int], outcome: str = "journeys_averted") -> pd.DataFrame:
    """The probability (share of worlds) that the row's scenario averts more than the column's, world by world.

    The diagonal is empty. Ties count half to each, so a scenario against a copy of itself reads 50%.
    """
    effect = per_world(comparison, years).pivot(index="seed", columns="scenario", values=outcome)
    names = comparison.scenarios
    table = pd.DataFrame(np.nan, index=pd.Index(names, name="scenario"), columns=names)
    for a in names:
        for b in names:
            if a != b:
                table.loc[a, b] = float(((effect[a] > effect[b]) + 0.5 * (effect[a] == effect[b])).mean())
    return table


def sentence(row: Mapping[str, object]) -> str:
    """One scenario's shares in plain words: 'averts arrivals in 97% of plausible worlds; averts journeys in 41%'."""
    targets = [
        f"meets {what} in {row[key]:.0%}"
        for key, what in (
            ("key_arrests_met", "the arrests target"),
            ("seizure_growth_met", "the seizures target"),
            ("engagement_met", "the engagement target"),
        )
    ]
    return (
        f"averts journeys in {row['averts_journeys']:.0%} of {int(row['worlds'])} plausible worlds; "
        f"averts arrivals in {row['averts_arrivals']:.0%}; " + "; ".join(targets)
    )
