"""What produced a result: code version and package versions, recorded in every run's metadata."""

from __future__ import annotations

import platform
import subprocess
from functools import cache
from importlib import metadata
from pathlib import Path

import sim

PACKAGES = ("mesa", "numpy", "scipy", "pandas", "pyarrow", "pydantic", "pyyaml")


@cache
def code_version() -> str:
    """Package version plus the git commit (and '+dirty' for uncommitted changes) when run from a clone."""
    root = Path(sim.__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return sim.__version__
    return f"{sim.__version__}+g{commit}{'.dirty' if dirty else ''}"


@cache
def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions
