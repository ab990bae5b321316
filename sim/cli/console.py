"""Where the command writes: results to stdout, progress and notes to stderr (Rich, loaded on first use)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


@cache
def out() -> Console:
    """The results' console; piped or captured output is 160 wide, so that tables are not cut."""
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else Console(width=160)


@cache
def err() -> Console:
    from rich.console import Console

    return Console(stderr=True)


def say(text: str) -> None:
    """A line of results as it is (no Rich markup or highlighting: file names and numbers stay plain)."""
    out().print(text, markup=False, highlight=False)


@contextmanager
def progress(label: str, quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A Rich progress bar on stderr; yields ``update(done, total)``, or None when ``quiet``."""
    if quiet:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err(), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@contextmanager
def counted(label: str, total: int, quiet: bool) -> Iterator[Callable[[int], None]]:
    """A progress bar counting simulations; yields ``tick(n)`` (n more done)."""
    with progress(label, quiet) as update:
        done = [0]

        def tick(n: int) -> None:
            done[0] += n
            if update:
                update(min(done[0], total), total)

        yield tick
