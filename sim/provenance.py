"""What produced a result: code version and package versions, recorded in every run's metadata."""

from __future__ import annotations

import platform
import subprocess
from functools import cache
from importlib import metadata
from pathlib import Path

import sim

# what the numbers depend on: the step is compiled by numba (llvmlite), charts drawn by matplotlib
PACKAGES = ("mesa", "numpy", "numba", "llvmlite", "scipy", "pandas", "pyarrow", "pydantic", "pyyaml", "matplotlib")


@cache
def code_version() -> str:
    """Package version, git commit, and a hash of the sources when the commit does not name them.

    That is, with uncommitted changes or outside a clone: ``0.1.0+g1a2b3c4d5e6f``,
    ``0.1.0+g1a2b3c4d5e6f.dirty.src0f1e2d3c4b5a``, ``0.1.0+src0f1e2d3c4b5a``.
    """
    from sim.cache import code_digest

    source = f"src{code_digest()[:12]}"
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
        return f"{sim.__version__}+{source}"
    return f"{sim.__version__}+g{commit}{f'.dirty.{source}' if dirty else ''}"


@cache
def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


PARAMETER_STATUSES = ("calibrated", "from data", "assumed")


def parameter_status(source: str) -> str:
    """How a parameter's value is grounded, as its source in sim/data/parameters.yaml begins.

    ``calibrated`` (written by ``migsim calibrate --install``), ``assumed`` (no Guatemalan estimate found),
    or ``from data`` (a figure or an estimate that the source cites).
    """
    words = source.strip().lower()
    return "calibrated" if words.startswith("calibrated") else "assumed" if words.startswith("assumed") else "from data"
