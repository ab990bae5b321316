"""Everything ``migsim compare`` writes about a comparison, from one call, for every consumer.

:func:`comparison_report` gives the CSV summaries people read (rounded), the Parquet tables of every seed
(every digit) and the record of what produced them; :meth:`ComparisonReport.write` writes them and the chart
into a folder, each file atomically and ``metadata.json`` last (a folder without it is unfinished), and
:meth:`ComparisonReport.as_zip` packs the same files for a download. ``migsim compare``, the app's downloads,
``migsim reproduce`` (which recomputes the summaries and checks them number for number) and scripts all use it,
so a file means the same wherever it came from.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.by_group import by_group
from sim.compare import HEADLINE, Comparison
from sim.parameters import default_parameters
from sim.provenance import code_version, package_versions
from sim.runner import write_atomic
from sim.worlds import beats, shares

CSV_FILES = ("targets.csv", "totals.csv", "per_year.csv", "per_department.csv", "by_group.csv")
PARQUET_FILES = ("yearly.parquet", "departments_yearly.parquet")
WORLD_CSV_FILES = ("worlds.csv", "beats.csv")  # with plausible worlds: shares of worlds, chances of beating
WORLD_PARQUET_FILES = ("worlds.parquet", "worlds_yearly.parquet")  # each world's numbers; its runs' tables
CHART = "comparison.png"
METADATA = "metadata.json"


@dataclass(frozen=True)
class ComparisonReport:
    """The tables, chart and record of one comparison over ``years``, by the file names ``migsim compare`` uses."""

    result: Comparison
    years: tuple[int, int]
    tables: dict[str, pd.DataFrame]  # CSV_FILES (rounded), PARQUET_FILES (every seed, every digit), WORLD_*
    metadata: dict | None  # what produced the numbers; None when the comparison does not say (read back from files)
    worlds: Comparison | None = None  # the same scenarios in plausible worlds (sim.worlds), if they were run

    def write(self, folder: Path) -> list[Path]:
        """Write every file into ``folder`` (made if needed); the record last. Returns the files written."""
        if self.metadata is None:
            raise ValueError("a comparison without its inputs (see sim.compare.Inputs) cannot record what produced it")
        from sim.comparison_chart import comparison_chart  # matplotlib: only when a chart is drawn

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / METADATA).unlink(missing_ok=True)  # written last: until then the folder is unfinished
        written = []
        for name, table in self.tables.items():
            target = folder / name
            if name.endswith(".csv"):
                write_atomic(target, lambda p, t=table: t.to_csv(p, index=False))
            else:
                write_atomic(target, lambda p, t=table: t.to_parquet(p, index=False))
            written.append(target)
        write_atomic(folder / CHART, lambda p: comparison_chart(self.result, self.years, Path(p)))
        record = json.dumps(self.metadata, indent=2)
        write_atomic(folder / METADATA, lambda p: Path(p).write_text(record))
        return [*written, folder / CHART, folder / METADATA]

    def chart_png(self) -> bytes:
        """The chart ``write`` draws, as PNG bytes."""
        from sim.comparison_chart import comparison_chart

        with tempfile.TemporaryDirectory() as folder:
            return comparison_chart(self.result, self.years, Path(folder) / CHART).read_bytes()

    def as_zip(self) -> bytes:
        """Every file ``write`` writes, in one zip archive (unpacked, ``migsim reproduce`` can check it)."""
        buffer = io.BytesIO()
        with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in self.write(Path(folder)):
                archive.write(path, path.name)
        return buffer.getvalue()


def comparison_report(
    result: Comparison,
    years: tuple[int, int],
    files: Sequence[str | Path] | None = None,
    worlds: Comparison | None = None,
) -> ComparisonReport:
    """The comparison's summaries over ``years``, its full tables and its record.

    ``files``: where each scenario came from, as the record names it (default: each scenario's own source).
    ``worlds``: the same scenarios run in plausible worlds (``compare(..., worlds=...)``), whose shares of
    worlds, chances of beating each other, inputs and tables are written beside the seeds' own.
    """
    tables = {
        "targets.csv": result.targets(years),
        "totals.csv": result.totals(HEADLINE, years),
        "per_year.csv": result.per_year(HEADLINE, years),
        "per_department.csv": result.per_department(HEADLINE, years),
        "by_group.csv": by_group(result, years),
    }
    tables = {name: rounded(table) for name, table in tables.items()}
    tables |= {"yearly.parquet": result.yearly, "departments_yearly.parquet": result.departments}
    if worlds is not None:
        tables |= _world_tables(worlds, years)
    metadata = _metadata(result, years, files)
    if metadata is not None and worlds is not None:
        metadata |= _world_metadata(worlds)
    return ComparisonReport(result, years, tables, metadata, worlds)


def _world_tables(worlds: Comparison, years: tuple[int, int]) -> dict[str, pd.DataFrame]:
    if worlds.inputs is None or worlds.inputs.worlds is None:
        raise ValueError("plausible worlds are a comparison run with compare(..., worlds=sim.worlds.sample(...))")
    return {
        "worlds.csv": rounded(shares(worlds, years)),
        "beats.csv": beats(worlds, years).round(4).reset_index(),  # shares of worlds
        "worlds.parquet": worlds.inputs.worlds.table(),
        "worlds_yearly.parquet": worlds.yearly,
    }


def _world_metadata(worlds: Comparison) -> dict:
    assert worlds.inputs is not None and worlds.inputs.worlds is not None  # checked by _world_tables
    return {
        "worlds": worlds.inputs.worlds.record(),
        "world_parameter_draws": {str(seed): draw for seed, draw in (worlds.inputs.draws or {}).items()},
        "worlds_used": "world i runs with seed first_seed + i, its posterior draw in world_parameter_draws, and "
        "the values of row i for the uncertain numbers named (sim.uncertainties): every scenario in every world",
    }


def _metadata(result: Comparison, years: tuple[int, int], files: Sequence[str | Path] | None) -> dict | None:
    """What produced the numbers: resolved scenarios, seeds, scale, parameters and draws, code and packages."""
    inputs = result.inputs
    if inputs is None:
        return None
    files = [str(f) for f in files] if files is not None else [s.source for s in inputs.scenarios]
    draws = inputs.draws or {}
    return {
        "scenarios": [
            {"file": file, "digest": s.digest, "resolved": s.resolved()}
            for file, s in zip(files, inputs.scenarios, strict=True)
        ],
        "seeds": list(result.seeds),
        "households_per_agent": inputs.households_per_agent,
        "years": list(years),
        "parameters": (inputs.parameters or default_parameters()).as_dict(),
        "parameter_draws": {str(seed): draw for seed, draw in draws.items()},
        "parameters_used": (
            "the calibrated point above, with each seed's values in parameter_draws replacing it"
            if draws
            else "the calibrated point above (--fixed-parameters)"
        )
        + "; a scenario's own parameters (its file's, or --set) replace both: see its resolved text",
        "code_version": code_version(),
        "packages": package_versions(),
    }


# decimals kept in the CSV summaries: shares and rates, then the columns that count people or dollars
_DIGITS = {"engagement_change": 4, "seizure_growth_per_year": 4, "key_arrests_per_year": 2} | {
    column: 0
    for column in (
        "total", "total_low", "total_high", "averted", "averted_low", "averted_high", "arrivals_averted",
        "arrivals_averted_low", "arrivals_averted_high", "departures_legal", "departures_protected", "cost_usd",
        "cost_per_averted_usd",
        "remittances_change_usd",
        "mean", "low", "high", "departures_irregular",
        "journeys_averted", "journeys_averted_low", "journeys_averted_high",
    )
} | dict.fromkeys(  # shares of plausible worlds
    ("averts_journeys", "averts_arrivals", "key_arrests_met", "seizure_growth_met", "engagement_met"), 4
)  # fmt: skip


def rounded(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` for a CSV file, rounded as a spreadsheet reader wants it.

    People and dollars as whole numbers (empty where undefined or infinite), shares and yearly changes to 4
    decimals, key arrests a year to 2.
    """
    out = table.round(_DIGITS)
    for column in (c for c, digits in _DIGITS.items() if digits == 0 and c in out.columns):
        finite = out[column].where(np.isfinite(out[column]) & (out[column].abs() < 2**53))
        out[column] = finite.astype("Int64")
    return out
