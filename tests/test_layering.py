"""The model core knows nothing of its consumers, importing starts nothing, and the command stays in small rooms."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONSUMERS = ("sim.cli", "sim.calibration", "viz")  # what reads the model's results; the model never reads them


def modules(package: str) -> list[str]:
    """Every module of a package in the repository, by dotted name."""
    folder = ROOT / package
    return sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in folder.rglob("*.py")
    )


def core_modules() -> list[str]:
    return [m for m in modules("sim") if not m.startswith(CONSUMERS)]


def imported_names(module: str) -> set[str]:
    """The modules a module's source imports, anywhere in it (also inside functions), by dotted name."""
    path = ROOT / Path(*module.split("."))
    source = (path / "__init__.py" if path.is_dir() else path.with_suffix(".py")).read_text(encoding="utf-8")
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return names


def run_python(code: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_model_core_never_imports_the_command_the_calibration_or_the_app():
    found = {module: sorted(n for n in imported_names(module) if n.startswith(CONSUMERS)) for module in core_modules()}
    assert {m: names for m, names in found.items() if names} == {}
    loaded = run_python(
        "import importlib, json, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.startswith({CONSUMERS!r}))))"
    )
    assert loaded == [], "importing the core loaded a consumer"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="counts child processes from /proc")
def test_importing_every_module_starts_no_thread_or_process():
    counted = run_python(
        "import importlib, json, os, threading\n"
        "from pathlib import Path\n"
        "def children():\n"
        "    return sorted(int(p) for f in Path('/proc/self/task').glob('*/children') for p in f.read_text().split())\n"
        "before = (threading.active_count(), children())\n"
        f"for name in {modules('sim') + modules('viz')!r}:\n"
        "    importlib.import_module(name)\n"
        "after = (threading.active_count(), children())\n"
        "print(json.dumps({'before': before, 'after': after, 'threads': [t.name for t in threading.enumerate()]}))"
    )
    assert counted["after"] == counted["before"], counted["threads"]


def test_no_module_of_the_command_passes_400_lines():
    sizes = {path.name: len(path.read_text().splitlines()) for path in (ROOT / "sim" / "cli").glob("*.py")}
    assert sizes and max(sizes.values()) <= 400, sizes
