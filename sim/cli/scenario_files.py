"""Which file a scenario argument names: a path as given, or a bare name found in a scenarios folder."""

from __future__ import annotations

from pathlib import Path

from sim.cli.options import UserError
from sim.errors import ScenarioError

DEFAULT_COMPARISON = ("baseline.yaml", "agreement_package.yaml", "enforcement_only.yaml", "root_causes.yaml")


def scenario_folders() -> list[Path]:
    """Where bare scenario names are looked up: ./scenarios, then the shipped folder."""
    from sim.scenario import SHIPPED

    return [f for f in dict.fromkeys([Path("scenarios"), SHIPPED]) if f.is_dir()]


def scenario_file(text: str) -> Path:
    """A scenario file as given, or a bare name (``baseline``, ``baseline.yaml``) found in a scenarios folder.

    Anything else is passed on as it is, and its loading says what is wrong (with the nearest file).
    """
    given = Path(text)
    if given.exists() or given.parent != Path("."):
        return given
    for folder in scenario_folders():
        for candidate in (folder / given.name, folder / f"{given.name}.yaml"):
            if candidate.is_file():
                return candidate
    return given


def is_experiment(file: Path) -> bool:
    """An experiment file (base: and factors:) rather than a scenario: `check` validates each as what it is."""
    from sim.yamlio import load_yaml

    try:
        data, _ = load_yaml(file)
    except (ScenarioError, OSError):
        return False  # loading it as a scenario says what is wrong
    return isinstance(data, dict) and "base" in data and "factors" in data


def default_scenarios() -> list[Path]:
    """The shipped comparison (baseline first), from the first scenarios folder that has it."""
    for folder in scenario_folders():
        found = [folder / name for name in DEFAULT_COMPARISON if (folder / name).exists()]
        if found:
            return found
    raise UserError(
        "no scenario files given and none of "
        + ", ".join(f"scenarios/{n}" for n in DEFAULT_COMPARISON)
        + " found here; pass scenario files, e.g. migsim compare a.yaml b.yaml"
    )
