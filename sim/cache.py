"""On-disk cache of simulated pasts and runs' yearly tables: repeated comparisons simulate only what differs.

A comparison's shared past (2002 to the first policy start) depends only on the code, the data, the
parameters, the seed, the scale and the shared activities; its end state is stored under a hash of all
of those, as are a run's yearly tables under its scenario, seed, scale and parameters. The code includes
third-party packages whose rules, levers or conditions a scenario names (:func:`extension_digest`), so a
researcher who edits their rule gets it re-run, not stale numbers (in the next command; a running app
goes on with the code it imported until restarted). Set ``MIGSIM_CACHE=off`` to disable
it, or to a folder to move it (default ``$XDG_CACHE_HOME/migsim`` or ``~/.cache/migsim``); beyond
``MIGSIM_CACHE_MB`` (default 1024) the least recently used files go.

Entries hold data only, behind a checksum (:mod:`sim.cache_entry`): reading one runs no code, and a
damaged one (a flipped bit, random bytes, a file of another format) is dropped with a one-line warning
and recomputed, so a damaged cache never changes a number. A folder that other users can write to, or
that belongs to another user, is not used at all (with a warning): they could plant entries with valid
checksums and wrong numbers. Files of the earlier pickle format are never read, and are deleted by pruning.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.cache_entry import BadEntry, aligned_buffer, decode, encode

if TYPE_CHECKING:
    from sim.scenario import Scenario


def bypassed() -> AbstractContextManager[None]:
    """Neither read nor write the cache inside the block (``migsim reproduce`` reruns from scratch)."""
    return set_to("off")


@contextmanager
def set_to(setting: str) -> Iterator[None]:
    """Inside the block, this process's cache is ``setting`` (a folder, or ``off``), as ``MIGSIM_CACHE`` says."""
    before = os.environ.get("MIGSIM_CACHE")
    os.environ["MIGSIM_CACHE"] = setting
    try:
        yield
    finally:
        if before is None:
            del os.environ["MIGSIM_CACHE"]
        else:
            os.environ["MIGSIM_CACHE"] = before


LIMIT_MB = 1024
SUFFIX = ".entry"  # data-only entries (sim.cache_entry)
LEGACY = ".pickle"  # the earlier format: never read
log = logging.getLogger(__name__)
_warned: set[str] = set()


def _warn_once(text: str) -> None:
    if text not in _warned:
        _warned.add(text)
        log.warning("migsim: %s", text)


def cache_dir() -> Path | None:
    """The cache folder as configured (None when ``MIGSIM_CACHE=off``), whether or not it may be used."""
    setting = os.environ.get("MIGSIM_CACHE", "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "migsim"


def foreign(info: os.stat_result) -> str | None:
    """Who else could write a file or folder with this ``stat``, if anyone (None: only this user)."""
    if not hasattr(os, "getuid"):  # Windows: no owners and modes to check
        return None
    if info.st_uid != os.getuid():
        return f"it belongs to another user (uid {info.st_uid})"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "other users can write to it"
    return None


def usable_dir() -> Path | None:
    """The cache folder, if it is on and safe to read: not writable by other users (else a warning, once)."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        info = folder.stat()
    except OSError:
        return folder  # not made yet: made when first stored, for this user only
    problem = foreign(info)
    if problem:
        _warn_once(
            f"not using the cache in {folder}: {problem}, so entries there could have been planted; "
            "`chmod go-w` it, or set MIGSIM_CACHE to a folder of your own (or to off)"
        )
        return None
    return folder


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
    folder = usable_dir()
    return folder is not None and (folder / f"{name}{SUFFIX}").is_file()


def load(name: str) -> Any | None:
    """The value stored under ``name``; None if there is none, or if it is damaged (then it is deleted)."""
    folder = usable_dir()
    if folder is None:
        return None
    path = folder / f"{name}{SUFFIX}"
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            problem = foreign(info) or (None if stat.S_ISREG(info.st_mode) else "it is not a file")
            if problem:
                _warn_once(f"not reading the cache entry {path}: {problem}")
                return None
            data = aligned_buffer(info.st_size)
            if handle.readinto(data) != info.st_size:
                raise BadEntry("shorter than its size")
        value = decode(data)
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("migsim: cannot read the cache entry %s (%s); computing it again", path, exc.strerror or exc)
        return None
    except BadEntry as exc:
        log.warning("migsim: dropped a damaged cache entry %s (%s); computing it again", path.name, exc)
        with suppress(OSError):
            path.unlink()
        return None
    with suppress(OSError):  # a cache we may read but not write is still used
        os.utime(path)  # recently used: pruned last
    return value


def store(name: str, value: Any) -> None:
    """Write atomically; a cache that cannot be written is simply not used."""
    folder = usable_dir()
    if folder is None:
        return
    parts = encode(value)  # a value the format cannot hold is a bug: raised, not hidden
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=folder, suffix=".tmp")  # readable and writable by this user only
        try:
            with os.fdopen(handle, "wb") as out:
                for part in parts:
                    out.write(part)
            os.replace(temp, folder / f"{name}{SUFFIX}")
        finally:
            with suppress(FileNotFoundError):
                os.unlink(temp)
        prune(folder)
    except OSError:
        return


def usage() -> tuple[Path | None, int, int]:
    """The cache folder (None when off), how many files it holds and their bytes."""
    folder = cache_dir()
    usable_dir()  # says so if the folder is refused
    files = list(folder.glob(f"*{SUFFIX}")) if folder is not None and folder.is_dir() else []
    return folder, len(files), sum(f.stat().st_size for f in files)


def clear() -> None:
    """Delete every cached file (everything is simulated again when next asked for)."""
    folder = cache_dir()
    if folder is not None and folder.is_dir():
        for pattern in (f"*{SUFFIX}", f"*{LEGACY}"):
            for entry in folder.glob(pattern):
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
    for legacy in folder.glob(f"*{LEGACY}"):  # never read again: only taking room
        legacy.unlink(missing_ok=True)
    limit = limit_mb() * 2**20
    files = [(entry.stat(), entry) for entry in folder.glob(f"*{SUFFIX}")]
    size = sum(info.st_size for info, _ in files)
    for info, entry in sorted(files, key=lambda item: item[0].st_mtime):
        if size <= limit:
            break
        entry.unlink(missing_ok=True)
        size -= info.st_size
