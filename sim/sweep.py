"""Sweeps: every run of an experiment, on any ``concurrent.futures`` executor, into a store that survives crashes.

The store is a folder. ``experiment.json`` records the experiment (a sweep refuses to mix two experiments
in one folder); each finished run is one Parquet file ``parts/<run id>.parquet``, written under a hidden
temporary name and renamed, so a file under its final name is always complete and a crash loses only the
runs in flight; a run that raises leaves ``failed/<run id>.json`` with its error and the sweep goes on.
Running the same sweep again skips finished runs (and retries failed ones), and a run found finished is
never redone, so a task run twice (a Dask worker lost) writes nothing twice. The run id hashes the
scenario, the seed, the scale and the parameter draw; ``experiment.json`` records the code
(``sim.cache.code_digest``) the runs were made with, and a sweep refuses to resume under other code unless
told to mix versions (then both are recorded). ``results.parquet`` gathers the parts at the end. Runs whose
design points differ only in levers and conditions continue from their seed's shared past (simulated once,
cached: :func:`shared_past_of`), with the same numbers as runs from the start.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from collections.abc import Callable
from concurrent.futures import CancelledError, Executor, Future, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path

import numba
import pandas as pd

from sim import cache
from sim.cache import code_digest
from sim.cluster import ClusterLost
from sim.errors import ScenarioError
from sim.experiment import Experiment, Run
from sim.metrics import department_yearly, outflow
from sim.provenance import code_version, package_versions
from sim.records import SweepRecord, read_json, read_record
from sim.workers import close_pool, process_pool

MAX_POOL_RESTARTS = 3


@dataclass
class Task:
    """What a worker needs to do one run: plain data, so any executor can ship it."""

    run: dict
    folder: str
    households_per_agent: float
    years: tuple[int, int] | None
    outcomes: list[str]
    factors: list[str]
    threads: int | None = None
    parameter_draws: bool = True
    past: dict | None = None  # the past every run shares (see shared_past_of): scenario (plain data) and fork month
    cache: str | None = None  # where that past is kept (a folder of sim.cache); None: the user's cache
    world: dict | None = None  # the replication's plausible world (experiment files' plausible_worlds)


def shared_past_of(experiment: Experiment) -> dict | None:
    """The past all runs of a replication share, as plain data for the tasks; None when there is none.

    Design points that differ only in levers and conditions share every month before the first of those
    starts (2002-2025 for the shipped experiments): each seed's past is then simulated once and cached
    (:func:`sim.runner.shared_state`), not once per run. Factors on parameters change the past itself.
    """
    if any(not name.startswith(("levers.", "conditions.")) for name in experiment.factor_names):
        return None
    from sim.runner import shared_past
    from sim.scenario import validate_scenario

    scenarios = []
    for data in {run.point: run.scenario for run in experiment.runs()}.values():
        try:
            scenarios.append(validate_scenario(data, source=experiment.source))
        except ScenarioError:
            continue  # its runs fail on their own, recorded in failed/, as any failing run
    prefix, fork = shared_past(scenarios) if len(scenarios) > 1 else (None, 0)
    return None if prefix is None else {"scenario": prefix.resolved(), "fork": fork}


def part_path(folder: Path, run_id: str) -> Path:
    return folder / "parts" / f"{run_id}.parquet"


def execute(task: Task) -> dict:
    """Do one run and store it; importable by worker processes and Dask workers. Never raises."""
    from sim.runner import write_atomic

    run = Run(**task.run)
    folder = Path(task.folder)
    target = part_path(folder, run.run_id)
    if target.exists():
        return {"run_id": run.run_id, "status": "done", "seconds": 0.0, "skipped": True}
    if task.threads:
        numba.set_num_threads(min(task.threads, numba.config.NUMBA_NUM_THREADS))
    began = time.perf_counter()
    try:
        with cache.set_to(task.cache) if task.cache else nullcontext():
            result = _simulate(run, task)
        table = tidy(result, run, task)
        write_atomic(target, lambda path: table.to_parquet(path, index=False))
        failed = folder / "failed" / f"{run.run_id}.json"
        if failed.exists():
            failed.unlink()
        return {"run_id": run.run_id, "status": "done", "seconds": time.perf_counter() - began, "skipped": False}
    except Exception as exc:  # a failing run is recorded and the sweep goes on
        record = {
            "run_id": run.run_id,
            "point": run.point,
            "replication": run.replication,
            "values": run.values,
            "error": f"{type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(),
        }
        try:
            write_atomic(
                folder / "failed" / f"{run.run_id}.json",
                lambda path: Path(path).write_text(json.dumps(record, indent=2, default=str)),
            )
        except OSError as unwritten:  # the store itself is gone or read-only: say so in the outcome
            record["error"] += f" (and its record could not be written: {unwritten.strerror or unwritten})"
        return {
            "run_id": run.run_id,
            "status": "failed",
            "seconds": time.perf_counter() - began,
            "error": record["error"],
        }


def _simulate(run: Run, task: Task):
    """The run's result, continuing from the shared past when there is one."""
    from sim.parameters import parameter_draw
    from sim.runner import run as run_scenario
    from sim.runner import run_from_shared_past
    from sim.scenario import validate_scenario

    scenario = validate_scenario(run.scenario, source=f"run {run.run_id}")
    parameters = parameter_draw(run.replication) if task.parameter_draws else None
    scale = task.households_per_agent
    if task.world is not None:  # every assumed number as in the replication's plausible world
        from sim.parameters import default_parameters
        from sim.uncertainties import apply

        parameters, scenario = apply(task.world, parameters or default_parameters(), scenario)
    if task.past is None:
        return run_scenario(scenario, run.seed, households_per_agent=scale, parameters=parameters)
    prefix = validate_scenario(task.past["scenario"], source="the sweep's shared past")
    if task.world is not None:
        prefix = apply(task.world, parameters, prefix)[1]
    return run_from_shared_past(
        scenario, prefix, task.past["fork"], run.seed, households_per_agent=scale, parameters=parameters
    )


def tidy(result, run: Run, task: Task) -> pd.DataFrame:
    """The run's yearly outcomes, nationally and/or by department, with the run's factors and seed."""
    tables = []
    national = result.national().reset_index()
    if "national" in task.outcomes:
        national.insert(1, "department", "national")
        tables.append(national)
    if "departments" in task.outcomes:
        # flows summed over the year, stocks in December, rates averaged (a sum of twelve fees is no fee)
        by_dept = department_yearly(result.monthly).drop(columns="ine_code")
        by_dept["department"] = by_dept["department"].astype(str)
        by_dept["outflow"] = outflow(by_dept)
        tables.append(by_dept)  # cost_usd stays empty: levers' costs are national
    table = pd.concat(tables, ignore_index=True)
    if task.years:
        table = table[(table.year >= task.years[0]) & (table.year <= task.years[1])]
    meta = {
        "run_id": run.run_id,
        "point": run.point,
        "replication": run.replication,
        "seed": run.seed,
        "block": run.block,
        **{name: run.values[name] for name in task.factors},
    }
    for i, (name, value) in enumerate(meta.items()):
        table.insert(i, name, value)
    return table.reset_index(drop=True)


@dataclass
class Status:
    total: int
    done: int
    failed: dict[str, str]  # run id -> error

    @property
    def pending(self) -> int:
        return self.total - self.done


class StoreMismatch(Exception):
    """The folder holds the results of another experiment, or of other code."""


def prepare(experiment: Experiment, folder: Path, mixed_code: bool = False) -> None:
    """Create the store, or check it belongs to this experiment; remove temporary files left by a crash.

    Finished runs made with other code are not mixed with new ones unless ``mixed_code``: the model's
    sources may have changed its numbers, and a table of runs from two versions would not say so.
    """
    record = folder / "experiment.json"
    if not record.exists() and (folder / "metadata.json").exists():
        raise StoreMismatch(
            f"{folder} holds the output of `migsim run` or `migsim compare`; give the sweep a folder of its own"
        )
    (folder / "parts").mkdir(parents=True, exist_ok=True)
    (folder / "failed").mkdir(exist_ok=True)
    mine = {
        "digest": experiment.digest,
        "name": experiment.name,
        "source": experiment.source,
        "code": code_digest(),
        "factors": experiment.factor_names,
        "spec": experiment.spec.model_dump(mode="json"),
        "base_resolved": experiment.base.resolved(),  # so `migsim reproduce` needs no file but this folder
        "code_version": code_version(),
        "packages": package_versions(),
    }
    if record.exists():
        theirs = check_store(experiment, folder)
        codes = theirs.get("codes", [theirs.get("code")])
        if mine["code"] not in codes:
            finished = [part_path(folder, r.run_id).exists() for r in experiment.runs()]
            if not any(finished):  # nothing made with the old code: the store is this code's
                _write_record(record, mine)
            elif not all(finished):
                if not mixed_code:
                    raise StoreMismatch(
                        f"the model's code (sim/) changed since the {sum(finished)} finished runs in {folder} were "
                        "made; resuming would mix results of two versions. Give another --out to start afresh, or "
                        "add --mixed-code to go on (experiment.json then records both versions)"
                    )
                _write_record(record, {**theirs, "codes": [*codes, mine["code"]]})
    else:
        _write_record(record, mine)
    for leftover in (folder / "parts").glob(".*.tmp"):
        leftover.unlink()
    for leftover in (folder / "failed").glob(".*.tmp"):
        leftover.unlink()


def check_store(experiment: Experiment, folder: Path) -> dict:
    """The store's record, if it holds this experiment's runs; else :class:`StoreMismatch` saying what differs."""
    file = folder / "experiment.json"
    theirs = read_json(file)
    read_record(file, SweepRecord, theirs)  # a damaged record is said, naming the field
    if theirs["digest"] == experiment.digest:
        return theirs
    if theirs.get("spec") == experiment.spec.model_dump(mode="json"):
        if theirs.get("base_resolved") != experiment.base.resolved():
            reason = f"its base scenario ({experiment.spec.base}) has changed since"
        else:
            reason = "its design points were drawn by an earlier version of migsim's sampler"
        raise StoreMismatch(f"{folder} holds runs of this experiment, but {reason}; give another --out")
    raise StoreMismatch(
        f"{folder} holds results of another experiment ('{theirs['name']}', from {theirs['source']}), or of this "
        "one before its file changed; give another --out, or delete the folder"
    )


def _write_record(record: Path, content: dict) -> None:
    from sim.runner import write_atomic

    write_atomic(record, lambda path: Path(path).write_text(json.dumps(content, indent=2)))


def status(experiment: Experiment, folder: Path) -> Status:
    runs = experiment.runs()
    done = sum(part_path(folder, r.run_id).exists() for r in runs)
    failed = {}
    for r in runs:
        file = folder / "failed" / f"{r.run_id}.json"
        if file.exists() and not part_path(folder, r.run_id).exists():
            try:
                failed[r.run_id] = str(read_json(file).get("error", "no reason recorded"))
            except ScenarioError as exc:  # a damaged failure record is still a failed run
                failed[r.run_id] = f"(its record is damaged: {exc})"
    return Status(len(runs), done, failed)


def sweep(
    experiment: Experiment,
    folder: Path,
    *,
    workers: int = 1,
    executor: Executor | None = None,
    progress: Callable[[int, int, int], None] | None = None,
    mixed_code: bool = False,
) -> Status:
    """Run every unfinished run of ``experiment`` into ``folder`` and gather the results.

    ``workers=1`` runs in this process (the step uses every core); more starts that many worker
    processes, each step on ``cores / workers`` threads; ``executor`` (e.g. a Dask client's, with one
    thread per worker process) takes over.
    ``progress(done, failed, total)`` is called as runs finish. ``mixed_code``: see :func:`prepare`.
    Raises :class:`sim.cluster.ClusterLost` when the executor cancels the runs in flight (a Dask scheduler
    lost): the finished runs are stored, and the same call resumes.
    """
    folder = Path(folder).absolute()  # the tasks' folder: a Dask worker resolves a relative one in its own cwd
    prepare(experiment, folder, mixed_code)
    runs = experiment.runs()
    pending = [r for r in runs if not part_path(folder, r.run_id).exists()]
    done = len(runs) - len(pending)
    failed = 0
    tasks = tasks_for(experiment, pending, folder, workers=workers, executor=executor)
    if progress:
        progress(done, failed, len(runs))

    def record(outcome: dict) -> None:
        nonlocal done, failed
        if outcome["status"] == "done":
            done += 1
        else:
            failed += 1
        if progress:
            progress(done, failed, len(runs))

    try:
        run_tasks(tasks, record, workers=workers, executor=executor)
    except CancelledError:
        stored = sum(part_path(folder, r.run_id).exists() for r in runs)
        raise ClusterLost(
            f"the Dask scheduler (the executor) was lost; {stored} of {len(runs)} runs are stored in {folder}"
        ) from None
    gather(experiment, folder)
    return status(experiment, folder)


def tasks_for(
    experiment: Experiment,
    runs: list[Run],
    folder: Path,
    *,
    workers: int = 1,
    executor: Executor | None = None,
    cache: str | None = None,
) -> dict[str, Task]:
    """The tasks doing ``runs`` into the store ``folder``, by run id (see :class:`Task`)."""
    spec = experiment.spec
    # worker processes share the cores: each step gets its share (Dask workers: one thread each)
    threads = 1 if executor is not None else (max(1, (os.cpu_count() or 1) // workers) if workers > 1 else None)
    past = shared_past_of(experiment) if runs else None
    return {
        r.run_id: Task(
            asdict(r),
            str(folder),
            spec.households_per_agent,
            spec.years,
            spec.outcomes,
            experiment.factor_names,
            threads,
            spec.parameter_draws,
            past,
            cache,
            experiment.worlds.world(r.replication) if experiment.worlds is not None else None,
        )
        for r in runs
    }


def run_tasks(
    tasks: dict[str, Task],
    record: Callable[[dict], None],
    *,
    workers: int = 1,
    executor: Executor | None = None,
) -> None:
    """Do every task, in this process, on ``executor`` or in ``workers`` processes; ``record`` each outcome.

    A worker process that dies is replaced (up to :data:`MAX_POOL_RESTARTS` times) and its run retried.
    Raises ``CancelledError`` when the executor cancels the runs (a Dask scheduler lost).
    """
    if not tasks:  # a finished sweep gathered again: no pool to start
        return
    if executor is None and workers <= 1:
        for task in tasks.values():
            record(execute(task))
        return
    if executor is not None:
        for outcome in _drain({executor.submit(execute, t): rid for rid, t in tasks.items()}, tasks):
            record(outcome)
        return
    remaining = dict(tasks)
    for _ in range(MAX_POOL_RESTARTS + 1):
        pool = process_pool(min(workers, len(remaining)))
        broken = False
        try:
            futures = {pool.submit(execute, t): rid for rid, t in remaining.items()}
            for outcome in _drain(futures, remaining):
                if outcome["status"] == "broken":
                    broken = True
                    continue
                remaining.pop(outcome["run_id"], None)
                record(outcome)
        finally:
            close_pool(pool)
        if not broken or not remaining:
            break
    for rid in remaining:  # a worker kept dying: say so for what is left
        record({"run_id": rid, "status": "failed", "error": "worker process died"})


def _drain(futures: dict[Future, str], tasks: dict[str, Task]):
    """Outcomes as futures finish; a lost process pool or Dask worker becomes an outcome, not an exception.

    A cancelled future (the Dask scheduler lost: it cancels every run) is raised: the runs did not fail.
    """
    for future in as_completed(futures):
        rid = futures[future]
        try:
            yield future.result()
        except BrokenProcessPool:
            yield {"run_id": rid, "status": "broken"}
        except CancelledError:
            raise
        except Exception as exc:  # e.g. distributed.KilledWorker: record it against the run
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            folder = Path(tasks[rid].folder)
            (folder / "failed").mkdir(exist_ok=True)
            (folder / "failed" / f"{rid}.json").write_text(json.dumps({"run_id": rid, "error": error}))
            yield {"run_id": rid, "status": "failed", "error": error}


def gather(experiment: Experiment, folder: Path) -> Path | None:
    """Write ``results.parquet``: every finished run's rows, in design order."""
    from sim.runner import write_atomic

    parts = [part_path(folder, r.run_id) for r in experiment.runs()]
    tables = [pd.read_parquet(p) for p in parts if p.exists()]
    if not tables:
        return None
    target = folder / "results.parquet"
    combined = pd.concat(tables, ignore_index=True)
    write_atomic(target, lambda path: combined.to_parquet(path, index=False))
    return target
