"""The columns people read in a comparison's totals and targets, defined once for the terminal, the app and Markdown.

Each :class:`Column` names the table column it reads, the header and unit a reader sees, and how one row's
cell is written. ``migsim compare`` prints :data:`TOTALS` and :data:`TARGETS` as terminal tables, the app
shows :data:`SUMMARY` (both in one table), and :func:`markdown_table` writes any of them for documents. The
rows are :func:`summary`'s: totals and target verdicts per scenario, as in ``totals.csv`` and ``targets.csv``.
:data:`BY_GROUP` (``migsim compare`` and the app) and :data:`RUN_BY_GROUP` (``migsim run``) show who goes and
what the border does with them, by group (:mod:`sim.by_group`).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import pandas as pd

from sim.agreement_targets import ENGAGEMENT_GROWTH, KEY_ARRESTS, SEIZURE_GROWTH, signed_percent

if TYPE_CHECKING:  # the columns and their formats are light to import (a command's tables, a document)
    from sim.compare import Comparison

Row = Mapping[str, object]


@dataclass(frozen=True)
class Column:
    """One column of a summary table: the value it shows (``key``), its header, and how a cell writes the row."""

    key: str  # the summary's column shown (with its interval or its target's verdict beside it, for some)
    header: str  # with the unit where the numbers have one
    write: Callable[[Row, str], str]  # (row, key) -> the cell's text
    align: Literal["left", "right"] = "right"
    only_if_any: bool = False  # shown only when some row has a value other than 0 (a lever few scenarios use)

    def cell(self, row: Row) -> str:
        return self.write(row, self.key)


def whole(value: float) -> str:
    """A count or an amount: ``12,345``; ``-`` where undefined (no departure averted: no cost per one)."""
    return "-" if value is None or not math.isfinite(value) else f"{value:,.0f}"


def _text(row: Row, key: str) -> str:
    return str(row[key])


def _count(row: Row, key: str) -> str:
    return whole(row[key])


def _millions(row: Row, key: str) -> str:
    return whole(row[key] / 1e6)


def _interval(row: Row, key: str) -> str:
    return f"{whole(row[key])} [{whole(row[f'{key}_low'])} to {whole(row[f'{key}_high'])}]"


def _met(year) -> str:
    return "not met" if year is None or pd.isna(year) else f"met from {int(year)}"


def _target(target: str, value: Callable[[float], str]) -> Callable[[Row, str], str]:
    """The mean's value, the year from which the mean meets the target, and how many seeds meet it on their own."""

    def write(row: Row, key: str) -> str:
        met = row[f"{target}_met_from"]
        when = _met(met)
        if pd.isna(met) and f"{target}_years_met" in row:  # a yearly growth: in how many years it holds
            when = f"met in {row[f'{target}_years_met']} of {row['years']} years"
        return f"{value(row[key])}, {when} ({row[f'{target}_seeds_met']} of {row['seeds']} seeds)"

    return write


SCENARIO = Column("scenario", "scenario", _text, "left")
TOTAL = Column("total", "irregular departures", _count)
AVERTED = Column("averted", "averted [90%]", _interval)
ARRIVALS_AVERTED = Column("arrivals_averted", "arrivals in the US averted [90%]", _interval)
VISAS = Column("departures_legal", "visa departures", _count)
PROTECTED = Column("departures_protected", "protected departures", _count, only_if_any=True)
COST = Column("cost_usd", "cost (USD million)", _millions)
COST_PER_AVERTED = Column("cost_per_averted_usd", "USD per departure averted", _count)
ENGAGEMENT = Column(
    "engagement_change", f"engagement (target +{ENGAGEMENT_GROWTH:.0%})", _target("engagement", signed_percent)
)
ARRESTS = Column(
    "key_arrests_per_year", f"key arrests a year (target {KEY_ARRESTS})", _target("key_arrests", "{:.1f}".format)
)
SEIZURES = Column(
    "seizure_growth_per_year",
    f"seizures, change a year (target +{SEIZURE_GROWTH:.0%})",
    _target("seizure_growth", signed_percent),
)


def _in_words(row: Row, key: str) -> str:
    from sim.worlds import sentence

    return sentence(row)


# the shares of plausible worlds (sim.worlds.shares' rows): what each scenario does whatever the assumed numbers
WORLD_JOURNEYS = Column("journeys_averted", "journeys averted [90% of worlds]", _interval)
WORLD_ARRIVALS = Column("arrivals_averted", "arrivals averted [90% of worlds]", _interval)
IN_WORDS = Column("averts_journeys", "in plain words", _in_words, "left")
WORLDS = (SCENARIO, IN_WORDS, WORLD_JOURNEYS, WORLD_ARRIVALS)

# by group (sim.by_group.per_group_rows' rows; a run's sim.by_group.run_totals): who goes, what the border does
WHO = Column("who", "who", _text, "left")
GROUP_JOURNEYS = Column("journeys", "journeys", _count)
GROUP_AVERTED = Column("journeys_averted", "journeys averted [90%]", _interval)
GROUP_OUTCOMES = (
    Column("encounters", "US encounters", _count),
    Column("arrivals", "undetected", _count),
    Column("releases", "released", _count),
    Column("expulsions", "expelled", _count),
    Column("removals", "removed (border)", _count),
)
BY_GROUP = (SCENARIO, WHO, GROUP_JOURNEYS, GROUP_AVERTED, *GROUP_OUTCOMES)
RUN_BY_GROUP = (WHO, GROUP_JOURNEYS, *GROUP_OUTCOMES)

TOTALS = (SCENARIO, TOTAL, AVERTED, ARRIVALS_AVERTED, VISAS, PROTECTED, COST, COST_PER_AVERTED, ENGAGEMENT)
TARGETS = (SCENARIO, ARRESTS, SEIZURES, ENGAGEMENT)
SUMMARY = tuple(dict.fromkeys(TOTALS + TARGETS))  # the app's one table: totals, then the other targets


def summary(result: Comparison, years: tuple[int, int]) -> pd.DataFrame:
    """Per scenario: the totals against the first scenario and the agreement's targets (the rows columns read)."""
    from sim.compare import HEADLINE

    targets = result.targets(years).drop(columns="engagement_change")  # the same value as the totals'
    return result.totals(HEADLINE, years).merge(targets, on="scenario", how="left")


def cells(columns: Sequence[Column], table: pd.DataFrame) -> list[list[str]]:
    """Each row of ``table`` as the columns write it."""
    return [[column.cell(row) for column in columns] for row in table.to_dict("records")]


def shown(columns: Sequence[Column], table: pd.DataFrame) -> tuple[Column, ...]:
    """The columns worth a reader's width: those marked ``only_if_any`` go where every row has 0."""
    return tuple(c for c in columns if not c.only_if_any or (table[c.key] != 0).any())


def markdown_table(columns: Sequence[Column], table: pd.DataFrame) -> str:
    """A Markdown table (text escaped for HTML, pipes for Markdown), e.g. for a report or the app."""
    columns = shown(columns, table)

    def escape(text: str) -> str:
        return html.escape(text).replace("|", "\\|")

    head = "| " + " | ".join(escape(c.header) for c in columns) + " |"
    rule = "|" + "|".join("---" if c.align == "left" else "---:" for c in columns) + "|"
    body = ["| " + " | ".join(escape(text) for text in row) + " |" for row in cells(columns, table)]
    return "\n".join([head, rule, *body])
