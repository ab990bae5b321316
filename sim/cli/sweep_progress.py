"""A sweep's progress: a Rich bar (done, failed, rate, ETA) on a terminal, plain lines every ~10% elsewhere."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from sim.cli.console import err

Update = Callable[[int, int, int], None]  # (done, failed, total)


class RateColumn(ProgressColumn):
    """Runs per minute so far (runs found finished when a sweep resumes are not counted)."""

    def render(self, task):
        elapsed = task.elapsed or 0
        done = task.completed - task.fields.get("resumed", 0)
        return Text(f"{done / elapsed * 60:.1f} runs/min" if elapsed > 0 else "")


@contextmanager
def sweep_progress(label: str, total: int, quiet: bool) -> Iterator[Update | None]:
    """Yields ``update(done, failed, total)``; None when ``quiet``."""
    if quiet:
        yield None
        return
    if not err().is_terminal:
        state = {"next": 0.0, "began": time.perf_counter(), "resumed": None}

        def plain(done: int, failed: int, total: int) -> None:
            if state["resumed"] is None:  # the first call: runs already finished before this command
                state["resumed"] = done + failed
            if done + failed >= state["next"] * total or done + failed == total:
                ran = done + failed - state["resumed"]
                rate = ran / max(time.perf_counter() - state["began"], 1e-9) * 60
                print(f"{label}: {done + failed}/{total} runs ({failed} failed), {rate:.1f} runs/min", file=sys.stderr)
                state["next"] = (done + failed) / total + 0.1

        yield plain
        return
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err(), transient=False) as bar:
        task = None

        def update(done: int, failed: int, total: int) -> None:
            nonlocal task
            if task is None:  # the first call: runs already finished before this command start the bar
                task = bar.add_task(label, total=total, completed=done + failed, failed=failed, resumed=done + failed)
            bar.update(task, completed=done + failed, total=total, failed=failed)

        yield update
