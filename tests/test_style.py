"""One style for the codebase: ruff's lint rules (pyproject.toml) and its formatter."""

from __future__ import annotations

import subprocess
import sys

import pytest

FOLDERS = ["sim", "tests", "calibration", "benchmarks", "viz", "examples"]


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff(command, root):
    done = subprocess.run([sys.executable, "-m", "ruff", *command, *FOLDERS], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
