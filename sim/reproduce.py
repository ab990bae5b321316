"""Rerun a saved run, comparison or sweep from what it recorded and check every number is identical.

A run folder (written by ``migsim run`` or :meth:`sim.runner.RunResult.save`) records the resolved scenario,
its digest, the seed, the scale, every parameter value, the code version and package versions; its
``metadata.json`` is written last, so a folder without it is an unfinished run, never read as a result.
A comparison folder records the same for each scenario and seed; a sweep folder's ``experiment.json``
records the experiment, its resolved base scenario and the versions, and each finished run is a part.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from sim.errors import ScenarioError
from sim.parameters import default_parameters
from sim.provenance import code_version, package_versions
from sim.records import (
    ComparisonRecord,
    Record,
    RunRecord,
    SweepRecord,
    read_json,
    read_record,
    recorded_parameters,
)
from sim.runner import run
from sim.scenario import explain_validation, validate_scenario

TABLES = ("monthly", "costs", "programs")


@dataclass
class Reproduction:
    """What was compared and what differed (empty ``differences``: identical)."""

    folder: Path
    rows: dict[str, int]  # file compared (relative to the folder) -> its rows
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # different code or packages: worth saying, not a failure

    @property
    def identical(self) -> bool:
        return not self.differences


def read_metadata(folder: Path) -> dict:
    """The run's record, read and parsed; a clear error when the folder is not a finished run."""
    record = folder / "metadata.json"
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: not a folder (give one written by `migsim run`, `compare` or `sweep`)")
    if not record.exists():
        raise FileNotFoundError(f"{folder}: no metadata.json, so not a finished run (it is written last)")
    return read_json(record)


def reproduce(folder: str | Path, workers: int = 1) -> Reproduction:
    """Rerun the run, comparison or sweep saved in ``folder`` with its recorded inputs; compare tables exactly.

    A sweep's runs are shared among ``workers`` processes, as the sweep's were. A damaged record is a
    :class:`sim.errors.ScenarioError` naming the file and the field.
    """
    folder = Path(folder)
    if (folder / "experiment.json").exists():
        return _reproduce_sweep(folder, read_record(folder / "experiment.json", SweepRecord), workers)
    file = folder / "metadata.json"
    data = read_metadata(folder)
    if "scenarios" in data:
        return _reproduce_comparison(folder, read_record(file, ComparisonRecord, data))
    meta = read_record(file, RunRecord, data)
    scenario = validate_scenario(meta.scenario_resolved, source=f"{file}: scenario_resolved")
    parameters = recorded_parameters(file, meta.parameters)
    fresh = run(scenario, meta.seed, households_per_agent=meta.households_per_agent, parameters=parameters)
    report = Reproduction(folder, {})
    if scenario.digest != meta.scenario_digest:
        report.differences.append(f"scenario digest {scenario.digest[:12]} != recorded {meta.scenario_digest[:12]}")
    _note_versions(meta, report)
    for table in TABLES:
        report.rows[f"{table}.parquet"] = _compare_table(
            folder / f"{table}.parquet", getattr(fresh, table), report.differences
        )
    return report


def _reproduce_comparison(folder: Path, meta: ComparisonRecord) -> Reproduction:
    """A ``migsim compare`` folder: rerun every scenario with the recorded seeds and scale."""
    from sim import cache
    from sim.compare import compare
    from sim.comparison_report import CSV_FILES, WORLD_CSV_FILES, comparison_report
    from sim.worlds import Worlds

    report = Reproduction(folder, {})
    scenarios = []
    for i, entry in enumerate(meta.scenarios):
        scenario = validate_scenario(
            entry.resolved, source=f"{folder / 'metadata.json'}: scenarios[{i}] ({entry.file})"
        )
        if scenario.digest != entry.digest:
            report.differences.append(f"{entry.file}: scenario digest differs from the recorded one")
        scenarios.append(scenario)
    parameters = recorded_parameters(folder / "metadata.json", meta.parameters)
    if parameters.as_dict() != default_parameters().as_dict():
        report.notes.append("the model's default parameters changed since; rerunning with the recorded ones")
    with cache.bypassed():  # a rerun, not a reading of what an earlier run stored
        fresh = compare(
            scenarios,
            meta.seeds,
            households_per_agent=meta.households_per_agent,
            parameters=parameters,
            draws=meta.parameter_draws,
        )
        worlds = Worlds.from_record(meta.worlds.model_dump()) if meta.worlds else None
        in_worlds = None
        if worlds is not None:
            in_worlds = compare(
                scenarios,
                worlds.seeds,
                households_per_agent=meta.households_per_agent,
                parameters=parameters,
                draws=meta.world_parameter_draws,
                worlds=worlds,
            )
    _note_versions(meta, report)
    report.rows["yearly.parquet"] = _compare_table(folder / "yearly.parquet", fresh.yearly, report.differences)
    report.rows["departments_yearly.parquet"] = _compare_table(
        folder / "departments_yearly.parquet", fresh.departments, report.differences
    )
    years = tuple(meta.years)
    tables = comparison_report(fresh, years, worlds=in_worlds).tables
    if in_worlds is not None:
        report.rows["worlds_yearly.parquet"] = _compare_table(
            folder / "worlds_yearly.parquet", in_worlds.yearly, report.differences
        )
    for name in CSV_FILES + (WORLD_CSV_FILES if in_worlds is not None else ()):  # the summaries people read
        report.rows[name] = _compare_table(
            folder / name, _as_written(tables[name]), report.differences, reader=_rounded_csv
        )
    return report


def _as_written(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` as its CSV file reads back (what a comparison's summary files hold)."""
    return pd.read_csv(io.StringIO(table.to_csv(index=False)))


def _rounded_csv(path: Path) -> pd.DataFrame:
    """A comparison's CSV summary as written now: files from before they were rounded compare by their rounding."""
    from sim.comparison_report import rounded

    return _as_written(rounded(pd.read_csv(path)))


def _plain(value):
    """A numpy scalar as the Python number it holds (``128946.2``, not ``np.float64(128946.2)``)."""
    return value.item() if hasattr(value, "item") else value


def _reproduce_sweep(folder: Path, record: SweepRecord, workers: int) -> Reproduction:
    """A ``migsim sweep`` folder: rerun every finished run (part) from the recorded experiment.

    As the sweep did: runs of a seed continue from its shared past, simulated once (in a cache of the
    rerun's own, never the user's), and the runs are shared among ``workers`` processes.
    """
    import tempfile

    from sim.experiment import Experiment, ExperimentFile
    from sim.sweep import gather, part_path, run_tasks, tasks_for

    file = folder / "experiment.json"
    if record.base_resolved is None:
        raise FileNotFoundError(f"{folder}: swept before sweeps recorded their base scenario; it cannot be rerun")
    try:
        spec = ExperimentFile.model_validate(record.spec)
    except ValidationError as exc:
        path, message = explain_validation(exc, ExperimentFile, ("spec",))[0]
        raise ScenarioError.at(str(file), path, None, f"damaged: {message}") from None
    base = validate_scenario(record.base_resolved, source=f"{file}: base_resolved")
    experiment = Experiment(record.name, record.source, spec, base)
    report = Reproduction(folder, {})
    if experiment.digest != record.digest:
        report.differences.append("experiment digest differs from the recorded one")
    runs = {r.run_id: r for r in experiment.runs()}
    parts = sorted(p for p in (folder / "parts").glob("*.parquet") if not p.name.startswith("."))
    if len(parts) < len(runs):
        report.notes.append(f"{len(parts)} of the experiment's {len(runs)} runs are finished; only those are checked")
    report.differences += [f"{p.name}: no such run in the recorded experiment" for p in parts if p.stem not in runs]
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / "parts").mkdir()
        (Path(scratch) / "failed").mkdir()
        rerun = [runs[p.stem] for p in parts if p.stem in runs]
        outcomes: dict[str, dict] = {}
        tasks = tasks_for(experiment, rerun, Path(scratch), workers=workers, cache=str(Path(scratch) / "cache"))
        run_tasks(tasks, lambda outcome: outcomes.__setitem__(outcome["run_id"], outcome), workers=workers)
        for part in parts:
            outcome = outcomes.get(part.stem)
            if outcome is None:
                continue
            if outcome["status"] != "done":
                report.differences.append(f"{part.name}: rerun failed ({outcome.get('error')})")
                continue
            fresh = pd.read_parquet(part_path(Path(scratch), part.stem))
            report.rows[f"parts/{part.name}"] = _compare_table(part, fresh, report.differences)
        if (folder / "results.parquet").exists() and len(parts) < len(runs):
            report.notes.append("results.parquet not checked: it is gathered again when the sweep finishes")
        elif (folder / "results.parquet").exists():  # what sweep-report and analysts read: gathered from the reruns
            gathered = gather(experiment, Path(scratch))
            fresh = pd.read_parquet(gathered) if gathered else pd.DataFrame()
            report.rows["results.parquet"] = _compare_table(folder / "results.parquet", fresh, report.differences)
    if len(record.codes) > 1:
        report.notes.append(f"its runs were made with {len(record.codes)} versions of the code (--mixed-code)")
    _note_versions(record, report)
    return report


def _note_versions(meta: Record, report: Reproduction) -> None:
    if meta.code_version != code_version():
        report.notes.append(f"code version now {code_version()}, recorded {meta.code_version}")
    for name, (now, then) in _changed_packages(meta).items():
        report.notes.append(f"{name} now {now}, recorded {then}")


def _changed_packages(meta: Record) -> dict[str, tuple[str, str]]:
    now = package_versions()
    return {k: (now.get(k, "?"), v) for k, v in meta.packages.items() if now.get(k) != v}


def _compare_table(path: Path, fresh: pd.DataFrame, differences: list[str], reader=pd.read_parquet) -> int:
    """Rows compared; every column must hold the same values (numbers compared as numbers: 2027 = 2027.0)."""
    if not path.exists():
        differences.append(f"{path} is missing")
        return 0
    saved = reader(path)
    if list(saved.columns) != list(fresh.columns) or len(saved) != len(fresh):
        differences.append(f"{path}: shape or columns differ ({saved.shape} saved, {fresh.shape} now)")
        return len(saved)
    for column in saved.columns:
        a, b = saved[column], fresh[column]
        if a.dtype.kind in "fiu":
            same = (a.to_numpy() == b.to_numpy()) | (a.isna().to_numpy() & b.isna().to_numpy())
        else:
            same = (a.astype(str) == b.astype(str)).to_numpy()
        if not same.all():
            first = int((~same).argmax())
            differences.append(
                f"{path}: column {column!r} differs in {int((~same).sum())} rows "
                f"(first at row {first}: saved {_plain(a.iloc[first])!r}, now {_plain(b.iloc[first])!r})"
            )
    return len(saved)
