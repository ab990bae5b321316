"""Every registered rule and lever keeps its contract, third-party ones included when installed."""

from __future__ import annotations

import pytest

from sim.contracts import check_lever, check_rule
from sim.levers import LEVERS
from sim.rules import RULES
from tests.conftest import shipped_lever_settings


def lever_settings() -> dict[str, dict]:
    """Settings for every built-in lever, from the shipped scenario files; installed ones give `example`."""
    found = shipped_lever_settings()
    for name, entry in LEVERS.installed().items():
        found[name] = entry.load().example
    return found


RULE_NAMES = sorted({*RULES, *RULES.installed()})
LEVER_SETTINGS = lever_settings()


@pytest.mark.parametrize("name", RULE_NAMES)
def test_rule_contract(name):
    check_rule(RULES.lookup(name))


@pytest.mark.parametrize("name", sorted(LEVER_SETTINGS))
def test_lever_contract(name):
    settings = {**LEVER_SETTINGS[name], "start": "2026-01"}
    settings.pop("lever", None)
    check_lever(LEVERS.lookup(name), settings)


def test_every_built_in_lever_is_checked():
    assert set(LEVERS) <= set(LEVER_SETTINGS)
