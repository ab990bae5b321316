"""On-disk cache of simulated pasts and runs' yearly tables: repeated comparisons simulate only what differs.

A comparison's shared past (2002 to the first policy start) depends only on the code, the data, the
parameters, the seed, the scale and the shared activities; its end state is stored under a hash of all
of those, as are a run's yearly tables under its scenario, seed, scale and parameters. The code includes
third-party packages whose rules, levers or conditions a scenario names (:func:`extension_digest`), so a
researcher who edits their rule gets it re-run, not stale numbers (in the next command; a running app
goes on with the code it imported until restarted). Set ``MIGSIM_CACHE=off`` to disable
it, or to a folder to move it (default ``$XDG_CACHE_HOME/migsim`` or ``~/.cache/migsim``); beyond
``MIGSIM_CACHE_MB`` (default 1024) the least recently used files go. Files are pickles written by this
program: do not point the cache at a folder others can write to.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.scenario import Scenario


@contextmanager
def bypassed() -> Iterator[None]:
    """Neither read nor write the cache inside the block (``migsim reproduce`` reruns from scratch)."""
    before = os.environ.get("MIGSIM_CACHE")
    os.environ["MIGSIM_CACHE"] = "off"
    try:
        yield
    finally:
        if before is None:
            del os.environ["MIGSIM_CACHE"]
        else:
            os.environ["MIGSIM_CACHE"] = before


LIMIT_MB = 1024


def cache_dir() -> Path | None:
    setting = os.environ.get("MIGSIM_CACHE", "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "migsim"


@cache
def code_digest() -> str:
    """Hash of every source and data file of the ``sim`` package: any change invalidates the cache."""
    digest = hashlib.sha256()
    root = resources.files("sim")
    for path in sorted(Path(str(root)).rglob("*")):
        if path.is_file() and path.suffix in (".py", ".csv", ".yaml", ".md"):
            digest.update(str(path.relative_to(Path(str(root)))).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def _package_digest(top: str) -> str:
    """Hash of the Python sources of an imported top-level package (namespace packages too) or module.

    Hashed once per process, like :func:`code_digest`: a process runs the code it imported, so a source
    edited later must not give that code's results a new key (a long-lived app is restarted to pick it up).
    """
    digest = hashlib.sha256()
    module = sys.modules.get(top)
    folders = [Path(folder) for folder in getattr(module, "__path__", [])]
    if folders:
        files = [(folder, path) for folder in folders for path in sorted(folder.rglob("*.py"))]
    else:
        origin = Path(getattr(module, "__file__", None) or "")
        files = [(origin.parent, origin)] if origin.is_file() else []
    for folder, path in files:
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def extension_digest(scenario: Scenario) -> dict[str, str]:
    """Source hash of each third-party package (outside ``sim``) providing a rule, lever or condition of ``scenario``."""
    from sim.conditions.base import CONDITIONS
    from sim.levers.base import LEVERS
    from sim.rules.base import RULES

    classes = [RULES.lookup(choice.rule) for _, choice in scenario.rules]
    classes += [LEVERS.lookup(config.lever or label) for label, config in scenario.levers]
    classes += [CONDITIONS.lookup(config.condition or label) for label, config in scenario.conditions]
    tops = {cls.__module__.partition(".")[0] for cls in classes} - {"sim"}
    return {top: _package_digest(top) for top in sorted(tops)}


def key(**parts: Any) -> str:
    text = json.dumps({"code": code_digest(), **parts}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def has(name: str) -> bool:
    """Whether ``name`` is stored (without reading it)."""
    folder = cache_dir()
    return folder is not None and (folder / f"{name}.pickle").is_file()


def load(name: str) -> Any | None:
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / f"{name}.pickle"
    try:
        with open(path, "rb") as handle:
            value = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    with suppress(OSError):  # a cache we may read but not write is still used
        os.utime(path)  # recently used: pruned last
    return value


def store(name: str, value: Any) -> None:
    """Write atomically; a cache that cannot be written is simply not used."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, folder / f"{name}.pickle")
        prune(folder)
    except OSError:
        return


def usage() -> tuple[Path | None, int, int]:
    """The cache folder (None when off), how many files it holds and their bytes."""
    folder = cache_dir()
    files = list(folder.glob("*.pickle")) if folder is not None and folder.is_dir() else []
    return folder, len(files), sum(f.stat().st_size for f in files)


def clear() -> None:
    """Delete every cached file (everything is simulated again when next asked for)."""
    folder = cache_dir()
    if folder is not None and folder.is_dir():
        for entry in folder.glob("*.pickle"):
            entry.unlink(missing_ok=True)


def limit_problem() -> str | None:
    """What is wrong with ``MIGSIM_CACHE_MB``, if anything (then the default applies)."""
    text = os.environ.get("MIGSIM_CACHE_MB")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        return f"MIGSIM_CACHE_MB={text!r} is not a positive number of MiB; using {LIMIT_MB}"
    return None


def limit_mb() -> float:
    """The cache's size limit in MiB: ``MIGSIM_CACHE_MB`` when it is a positive number, else 1024."""
    return (
        LIMIT_MB if limit_problem() or not os.environ.get("MIGSIM_CACHE_MB") else float(os.environ["MIGSIM_CACHE_MB"])
    )


def prune(folder: Path) -> None:
    """Delete the least recently used files while the cache is over ``MIGSIM_CACHE_MB`` (default 1024)."""
    limit = limit_mb() * 2**20
    files = [(entry.stat(), entry) for entry in folder.glob("*.pickle")]
    size = sum(stat.st_size for stat, _ in files)
    for stat, entry in sorted(files, key=lambda item: item[0].st_mtime):
        if size <= limit:
            break
        entry.unlink(missing_ok=True)
        size -= stat.st_size
