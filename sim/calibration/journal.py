"""Every simulated parameter vector, kept on disk as it finishes, so interrupted work resumes.

``journal.jsonl`` holds one JSON line per evaluation (its vector and moments), appended and flushed
to disk the moment a run ends; a line cut short by a kill is dropped on reading. ``settings.json``
records what the moments depend on (seeds, scale, window): a folder is only reused with the same
settings. Evaluations run in worker processes; a vector already in the journal is never simulated again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np

from sim.calibration.moments import simulate
from sim.runner import write_atomic
from sim.workers import close_pool, process_pool

Moments = dict[str, list[float]]


def _key(label: str, theta: Sequence[float]) -> str:
    return json.dumps([label, [float(x) for x in theta]])


class Journal:
    """Cached, parallel evaluation of moments in ``folder``."""

    def __init__(self, folder: Path, settings: dict[str, Any], workers: int = 1) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.settings = settings
        self.workers = max(1, workers)
        recorded = self.folder / "settings.json"
        if recorded.exists():
            before = json.loads(recorded.read_text(encoding="utf-8"))
            if before != settings:
                raise ValueError(
                    f"{self.folder} holds evaluations made with other settings ({before}); "
                    "use another --out folder or remove it"
                )
        else:
            write_atomic(recorded, lambda p: Path(p).write_text(json.dumps(settings, indent=1), encoding="utf-8"))
        self.path = self.folder / "journal.jsonl"
        self.found: dict[str, Moments] = {}
        self.simulated = 0  # evaluations run by this process (the rest came from the journal)
        if self.path.exists():
            text = self.path.read_text(encoding="utf-8")
            if not text.endswith("\n"):  # a kill cut the last line: drop it, so appends start on a new line
                text = text[: text.rfind("\n") + 1]
                os.truncate(self.path, len(text.encode("utf-8")))
            for line in text.splitlines():
                entry = json.loads(line)
                self.found[entry["key"]] = entry["moments"]
        self._pool: ProcessPoolExecutor | None = None

    def _record(self, key: str, moments: Moments) -> None:
        self.found[key] = moments
        self.simulated += 1
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps({"key": key, "moments": moments}) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def evaluate(
        self,
        thetas: Sequence[Sequence[float]],
        label: str = "fit",
        levers: Callable[[Sequence[float]], tuple[np.ndarray, dict | None]] | None = None,
        progress: Callable[[int], None] | None = None,
        hidden: tuple[int, ...] = (),
    ) -> list[Moments]:
        """Moments for each vector, simulating only those not yet in the journal.

        ``levers`` splits a longer vector into free parameters and lever settings (sensitivity analysis);
        ``hidden`` departments start without their census emigration (held-out validation).
        ``progress(n)`` is told how many evaluations just finished (reused ones count).
        """
        if hidden:
            label = f"{label} hiding {','.join(map(str, hidden))}"
        keys = [_key(label, theta) for theta in thetas]
        todo = {}
        for key, theta in zip(keys, thetas, strict=True):
            if key in self.found:
                if progress:
                    progress(1)
            elif key not in todo:
                todo[key] = levers(theta) if levers else (np.asarray(theta), None)
        s = self.settings
        job = (s["seeds"], s["households_per_agent"], s["end"])
        if self.workers == 1 or len(todo) <= 1:
            for key, (theta, lever_settings) in todo.items():
                self._record(key, simulate(theta, *job, levers=lever_settings, hidden=hidden))
                if progress:
                    progress(1)
        else:
            pool = self.pool()
            futures = {
                pool.submit(simulate, theta, *job, levers=lever_settings, hidden=hidden): key
                for key, (theta, lever_settings) in todo.items()
            }
            for future in as_completed(futures):
                self._record(futures[future], future.result())
                if progress:
                    progress(1)
        return [self.found[key] for key in keys]

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = process_pool(self.workers, threads=max(1, (os.cpu_count() or 1) // self.workers))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            close_pool(self._pool)
            self._pool = None

    def entries(self, label: str = "fit") -> list[tuple[np.ndarray, Moments]]:
        """Every evaluation with ``label`` so far: (vector, moments)."""
        found = []
        for key, moments in self.found.items():
            name, theta = json.loads(key)
            if name == label:
                found.append((np.array(theta), moments))
        return found
