"""Shared fixtures: small, fast runs (few agents, short windows) reused across tests."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from sim.scenario import Scenario, load_scenario, validate_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(autouse=True, scope="session")
def own_cache(tmp_path_factory):
    """The tests (and the commands they start) use a cache of their own, never the user's ~/.cache/migsim."""
    patch = pytest.MonkeyPatch()
    patch.setenv("MIGSIM_CACHE", str(tmp_path_factory.mktemp("cache")))
    yield
    patch.undo()


@pytest.fixture(autouse=True, scope="session")
def interruptible():
    """Let the commands the tests start be stopped by SIGINT, as a terminal's Ctrl-C would.

    A suite started in the background (``make test &``) has SIGINT ignored by the shell; the commands would
    inherit that and run on.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def shortened(name: str, start: str = "2018-01", end: str = "2031-12") -> Scenario:
    """A shipped scenario with a shorter window, for fast tests of policy effects."""
    data = load_scenario(SCENARIOS / f"{name}.yaml").resolved()
    return validate_scenario({**data, "start": start, "end": end}, source=f"{name} (shortened)")


def shipped_lever_settings() -> dict[str, dict]:
    """Settings of every built-in lever as the first shipped scenario file using it sets them."""
    found: dict[str, dict] = {}
    for file in sorted(SCENARIOS.glob("*.yaml")):
        for label, config in load_scenario(file).levers:
            found.setdefault(config.lever or label, config.model_dump(mode="json", exclude_none=True))
    return found


def step_with_reference(scenario: Scenario, seed: int, households_per_agent: float):
    """The compiled model and the per-agent reference, stepped side by side to the end."""
    from sim.model import MigrationModel
    from sim.reference_model import ReferenceModel

    fast = MigrationModel(scenario, seed=seed, households_per_agent=households_per_agent)
    slow = ReferenceModel(scenario, seed=seed, households_per_agent=households_per_agent)
    while fast.running:
        fast.step()
        slow.step()
    return fast, slow


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
