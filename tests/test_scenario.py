"""Scenario files: every shipped file loads, overlays never mutate, and mistakes get one clear line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.calendar import format_month, parse_month
from sim.errors import ScenarioError
from sim.scenario import load_scenario, validate_scenario

HERE = Path(__file__).resolve().parent
BAD = sorted((HERE / "bad_scenarios").glob("*.yaml"))
SHIPPED = sorted((HERE.parent / "scenarios").glob("*.yaml")) + sorted(
    (HERE.parent / "scenarios").glob("assumptions/*.yaml")
)


def expected_words(file: Path) -> list[str]:
    first = file.read_text().splitlines()[0]
    assert first.startswith("# expect: "), f"{file.name} must start with '# expect: ...'"
    return [w.strip() for w in first.removeprefix("# expect: ").split("|")]


@pytest.mark.parametrize("file", SHIPPED, ids=lambda f: f.name)
def test_shipped_scenarios_load(file):
    scenario = load_scenario(file)
    assert scenario.name and scenario.start < scenario.end
    assert len(scenario.digest) == 64


def test_overlay_keeps_parent_and_adds_levers(root):
    base = load_scenario(root / "scenarios" / "baseline.yaml")
    jobs = load_scenario(root / "scenarios" / "job_programs.yaml")
    assert base.levers == () and jobs.lever_labels() == ["job_programs"]
    assert (jobs.start, jobs.end) == (base.start, base.end)
    assert load_scenario(root / "scenarios" / "baseline.yaml") == base  # loading a child changed nothing


def test_child_can_remove_and_relabel_levers(tmp_path, root):
    parent = tmp_path / "parent.yaml"
    parent.write_text((root / "scenarios" / "job_programs.yaml").read_text().replace("extends: baseline.yaml\n", ""))
    child = tmp_path / "child.yaml"
    child.write_text(
        "name: child\nextends: parent.yaml\nlevers:\n  job_programs: null\n"
        "  jobs_east:\n    lever: job_programs\n    departments: [Chiquimula, 22]\n"
        "    start: 2027-01\n    jobs_per_year: 500\n    cost_usd_per_job: 100\n"
    )
    scenario = load_scenario(child)
    assert scenario.lever_labels() == ["jobs_east"]
    mask = scenario.levers[0][1].department_mask()
    assert mask.sum() == 2 and mask[19] and mask[21]
    assert load_scenario(parent).lever_labels() == ["job_programs"]


def test_defaults_are_months_and_the_minimal_scenario_runs():
    from sim.runner import run

    scenario = validate_scenario({"name": "minimal"})
    assert (scenario.start, scenario.end) == (parse_month("2002-01"), parse_month("2035-12"))
    short = validate_scenario({"name": "minimal", "start": "2030-01"})
    assert run(short, 0, households_per_agent=20000).national().index[-1] == 2035


def test_scenario_digest_tracks_content(root):
    a = load_scenario(root / "scenarios" / "border_enforcement.yaml")
    b = validate_scenario(
        {
            **a.resolved(),
            "levers": {
                "border_enforcement": {**a.resolved()["levers"]["border_enforcement"], "cost_usd_per_year": 2.0e9}
            },
        }
    )
    assert a.digest != b.digest
    assert validate_scenario(a.resolved()).digest == a.digest


@pytest.mark.parametrize("file", BAD, ids=lambda f: f.name)
def test_bad_scenario_messages(file):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(file)
    message = str(caught.value)
    for words in expected_words(file):
        assert words in message, f"{words!r} not in {message!r}"


@pytest.mark.parametrize(
    "file", [f for f in BAD if f.stem in ("unknown_key", "out_of_range", "duplicate_key")], ids=lambda f: f.name
)
def test_cli_reports_bad_scenario_in_one_line(file):
    done = subprocess.run(
        [sys.executable, "-m", "sim.cli", "run", str(file), "--quiet"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert file.name in lines[0] and expected_words(file)[1] in lines[0]


def test_python_tags_never_run(tmp_path):
    marker = tmp_path / "pwned"
    file = tmp_path / "evil.yaml"
    file.write_text(f'name: !!python/object/apply:os.system ["touch {marker}"]\n')
    with pytest.raises(ScenarioError):
        load_scenario(file)
    assert not marker.exists()


@given(st.integers(min_value=1900 * 12, max_value=2200 * 12 - 1))
def test_month_round_trip(index):
    assert parse_month(format_month(index)) == index


@given(st.text(max_size=12))
def test_month_parser_rejects_or_parses(text):
    try:
        index = parse_month(text)
    except ValueError as exc:
        assert "YYYY-MM" in str(exc)
    else:
        assert format_month(index) == text.strip()


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "name",
                        "levers",
                        "start",
                        "end",
                        "parameters",
                        "job_programs",
                        "border_enforcement",
                        "jobs_per_year",
                        "journey",
                        "x",
                    ]
                ),
                children,
                max_size=4,
            )
        ),
        max_leaves=12,
    )
)
def test_any_data_is_accepted_or_explained(data):
    """Whatever a YAML file could hold, validation either succeeds or raises ScenarioError (no crash)."""
    try:
        scenario = validate_scenario(data, source="generated.yaml")
    except ScenarioError as exc:
        assert str(exc).startswith("generated.yaml")
    else:
        assert isinstance(scenario.start, int) and isinstance(scenario.end, int) and scenario.start <= scenario.end


def test_several_mistakes_are_all_reported_in_the_order_of_the_file(tmp_path):
    file = tmp_path / "two.yaml"
    file.write_text(
        "name: two mistakes\nparameters:\n  economy:\n    job_separation: 7\n"
        "levers:\n  job_programs:\n    start: 2026-01\n    jobs_per_year: -5\n    cost_per_job: 1\n"
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(file)
    lines = [p.line for p in caught.value.problems]
    assert lines == [4, 8, 9], str(caught.value)


def test_a_child_without_its_own_description_says_whose_it_shows(tmp_path):
    """'No new measures' would be wrong for a child that changes parameters: the text says it is the parent's."""
    (tmp_path / "child.yaml").write_text(
        f"name: more kin\nextends: {HERE.parent / 'scenarios' / 'baseline.yaml'}\n"
        "parameters:\n  population: {relatives_abroad_mean: 0.8}\n"
    )
    child, parent = load_scenario(tmp_path / "child.yaml"), load_scenario(HERE.parent / "scenarios" / "baseline.yaml")
    assert child.description == f"Based on 'baseline': {parent.description}"
