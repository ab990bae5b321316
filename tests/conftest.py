"""Shared fixtures: small, fast runs (few agents, short windows) reused across tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import Scenario, load_scenario, validate_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


def shortened(name: str, start: str = "2018-01", end: str = "2031-12") -> Scenario:
    """A shipped scenario with a shorter window, for fast tests of policy effects."""
    data = load_scenario(SCENARIOS / f"{name}.yaml").resolved()
    return validate_scenario({**data, "start": start, "end": end}, source=f"{name} (shortened)")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
