"""``migsim hinges``' report: the sentences, PRIM's boxes and the sensitivity tables, written and read back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.hinges import Hinges
from sim.provenance import code_version
from sim.runner import write_atomic


def tables(found: Hinges) -> dict[str, pd.DataFrame]:
    """boxes.csv (one row per box limit), screening.csv (Morris), indices.csv (Sobol'), world_effects.parquet."""
    boxes = [
        {
            "scenario": name,
            "case": case,
            "box": rank,
            "coverage": box.coverage,
            "density": box.density,
            "mass": box.mass,
            "input": key,
            "low": low,
            "high": high,
        }
        for (name, case), discovery in found.discoveries.items()
        for rank, box in enumerate(discovery.boxes, 1)
        for key, (low, high) in box.limits.items()
    ]
    columns = ["scenario", "case", "box", "coverage", "density", "mass", "input", "low", "high"]
    effects = found.effects.merge(found.worlds.table(), on="seed")
    return {
        "boxes.csv": pd.DataFrame(boxes, columns=columns),
        "screening.csv": pd.concat(
            [s.screening.assign(scenario=name) for name, s in found.sensitivities.items()], ignore_index=True
        ),
        "indices.csv": pd.concat(
            [s.indices.assign(scenario=name) for name, s in found.sensitivities.items()], ignore_index=True
        ),
        "world_effects.parquet": effects,
    }


def markdown(found: Hinges, years: tuple[int, int], files: Sequence[Path], scale: float) -> str:
    """The report a reader opens first: what each conclusion hinges on, in sentences, then the top numbers."""
    lines = [
        f"# What the effects hinge on, {years[0]}-{years[1]}",
        "",
        f"Against `{files[0]}` in {len(found.worlds.seeds)} plausible worlds (every assumed number drawn from its "
        f"range), at {scale:g} households per agent. Effects are paired: each scenario against the reference in "
        "the same world.",
        "",
        *(f"- {line}" for line in found.sentences()),
    ]
    for name, sensitivity in found.sensitivities.items():
        lines += [
            "",
            f"## {name}: journeys averted",
            "",
            f"Morris screening ({sensitivity.runs} world runs with the Sobol' stage), the ten largest mean "
            "absolute effects:",
            "",
            "| input | mu* | sigma |",
            "|---|---:|---:|",
            *(
                f"| {row.name} | {row.mu_star:,.0f} | {row.sigma:,.0f} |"
                for row in sensitivity.screening.head(10).itertuples()
            ),
            "",
            "Sobol' indices of the inputs kept (first order S1, total ST):",
            "",
            "| input | S1 | ST |",
            "|---|---:|---:|",
            *(f"| {row.name} | {row.S1:.2f} | {row.ST:.2f} |" for row in sensitivity.indices.itertuples()),
        ]
    return "\n".join(lines) + "\n"


def write_report(found: Hinges, folder: Path, years: tuple[int, int], files: Sequence[Path], scale: float) -> None:
    """Every table, then ``hinges.md``, then ``metadata.json`` (last: a folder without it is unfinished)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables(found).items():
        if name.endswith(".csv"):
            write_atomic(folder / name, lambda p, t=table: t.to_csv(p, index=False))
        else:
            write_atomic(folder / name, lambda p, t=table: t.to_parquet(p, index=False))
    text = markdown(found, years, files, scale)
    write_atomic(folder / "hinges.md", lambda p: Path(p).write_text(text))
    record = {"files": [str(f) for f in files], "years": list(years), "households_per_agent": scale}
    record |= {"worlds": found.worlds.record(), "code_version": code_version()}
    write_atomic(folder / "metadata.json", lambda p: Path(p).write_text(json.dumps(record, indent=2)))


@dataclass(frozen=True)
class Report:
    """A finished ``migsim hinges`` folder as the app shows it: the Markdown, the tables and the settings."""

    text: str
    boxes: pd.DataFrame
    indices: pd.DataFrame
    metadata: dict


def read_report(folder: Path) -> Report:
    """Read a report ``write_report`` finished; FileNotFoundError if there is none (or it is unfinished)."""
    folder = Path(folder)
    record = folder / "metadata.json"  # written last: without it the folder holds no finished report
    if not record.is_file():
        raise FileNotFoundError(f"no finished report in {folder} (`migsim hinges --out {folder}` writes one)")
    try:
        metadata = json.loads(record.read_text())
        return Report(
            (folder / "hinges.md").read_text(),
            pd.read_csv(folder / "boxes.csv"),
            pd.read_csv(folder / "indices.csv"),
            metadata,
        )
    except (OSError, ValueError) as exc:
        raise ValueError(f"the report in {folder} cannot be read ({exc}); run `migsim hinges` again") from None
