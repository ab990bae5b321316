"""Thousands of generated bad scenario files: each gets exit code 2 and one clear message, never a traceback.

Every file starts from a valid scenario built from a lever's own schema and gets one mutation that makes it
invalid: a misspelt or unknown key at any level, a value out of range, NaN or infinite, of the wrong type or
nested deep, a malformed month, an end before its start, an unknown department, a duplicated key, a missing
or circular parent, binary or empty content, very deep nesting, a very large file.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.levers import LEVERS
from sim.schema import field_range
from tests.conftest import SCENARIOS, shipped_lever_settings

BASELINE = (SCENARIOS / "baseline.yaml").resolve()
BUILT_IN = sorted(
    name for name in LEVERS if LEVERS.lookup(name).__module__.startswith("sim.")
)  # each used by a shipped scenario
EXAMPLES = 0  # generated files tried, printed at the end (pytest -s)


@pytest.fixture(scope="module", autouse=True)
def report_count():
    yield
    print(f"\n{EXAMPLES} generated bad files tried")


SHIPPED = shipped_lever_settings()


def valid_settings(lever: str) -> dict:
    """Settings that pass the lever's schema: those of the first shipped scenario using it."""
    return dict(SHIPPED[lever])


def numeric_keys(lever: str) -> list[str]:
    fields = LEVERS.lookup(lever).Config.model_fields
    return [k for k, f in fields.items() if f.annotation in (int, float) and field_range(f) != (None, None)]


def check(text: str | bytes, name: str = "generated.yaml", extra: dict[str, str] | None = None) -> tuple[int, str]:
    """Write the file (and any sibling files), run ``migsim check`` in-process, return (code, all output)."""
    global EXAMPLES
    EXAMPLES += 1
    with tempfile.TemporaryDirectory() as folder:
        for sibling, content in (extra or {}).items():
            (Path(folder) / sibling).write_text(content)
        path = Path(folder) / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["check", str(path)])
        return code, err.getvalue() + out.getvalue()


def assert_explained(code: int, output: str, *words: str, name: str = "generated.yaml") -> None:
    assert code == 2, output
    assert "Traceback" not in output and name in output, output
    assert len(output.strip().splitlines()) <= 25, "one clear message, not a flood"
    for word in words:
        assert word in output, (word, output)


def scenario_text(lever: str, settings: dict, /, **top) -> str:  # positional: a top key may be "lever"
    data = {"name": "generated", "extends": str(BASELINE), "levers": {lever: settings}, **top}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def test_the_generator_starts_from_valid_files():
    for lever in BUILT_IN:
        code, output = check(scenario_text(lever, valid_settings(lever)))
        assert code == 0, (lever, output)


lever_names = st.sampled_from(BUILT_IN)
typo = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=3)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(lever_names, st.data())
def test_misspelt_keys_name_the_path_and_the_nearest_key(lever, data):
    settings = valid_settings(lever)
    key = data.draw(st.sampled_from(sorted(settings)))
    cut = data.draw(st.integers(0, len(key) - 1))
    wrong = key[:cut] + data.draw(typo) + key[cut + 1 :]
    if wrong in LEVERS.lookup(lever).Config.model_fields:
        return
    settings[wrong] = settings.pop(key)
    code, output = check(scenario_text(lever, settings))
    assert_explained(code, output, f"levers.{lever}.{wrong}", "unknown key")


@FUZZ
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12), st.sampled_from(["top", "levers"]))
@example("str", "top")  # found by this test: pydantic's name for a union branch, dropped from paths (a traceback)
@example("int", "levers")
@example("lever", "top")  # found by this test: a top-level key named like the helper's own argument
def test_unknown_keys_at_every_level(key, level):
    if level == "top":
        if key in ("name", "description", "extends", "start", "end", "levers", "conditions", "rules", "parameters"):
            return
        text = scenario_text("job_programs", valid_settings("job_programs"), **{key: 1})
        words = [key, "unknown key"]
    else:
        if key in LEVERS:
            return
        text = scenario_text(key, {"start": "2026-01"})
        words = [f"levers.{key}", "unknown lever"]
    code, output = check(text)
    assert_explained(code, output, *words)


@FUZZ
@given(lever_names, st.data())
def test_out_of_range_nan_inf_and_wrong_types_say_what_is_allowed(lever, data):
    keys = numeric_keys(lever)
    if not keys:
        return
    key = data.draw(st.sampled_from(keys))
    low, high = field_range(LEVERS.lookup(lever).Config.model_fields[key])
    value = data.draw(
        st.one_of(
            st.floats(min_value=high + 1, max_value=1e300) if high is not None else st.just(math.nan),
            st.floats(max_value=low - 1, min_value=-1e300) if low is not None else st.just(math.inf),
            st.sampled_from([math.nan, math.inf, -math.inf, "many", [1, 2], {"a": {"b": 1}}, True]),
        )
    )
    settings = {**valid_settings(lever), key: value}
    code, output = check(scenario_text(lever, settings))
    assert_explained(code, output, f"levers.{lever}.{key}")


@FUZZ
@given(
    st.one_of(
        st.text(max_size=10).filter(lambda t: not __import__("re").fullmatch(r"\s*\d{4}-\d{2}\s*", t)),
        st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(0, 9999), st.integers(13, 99)),
        st.builds(lambda y: f"{y:04d}-01", st.integers(0, 1899) | st.integers(2201, 9999)),
        st.integers(1900, 2200),  # a year alone: January as a start, December as an end? refused
    )
)
def test_malformed_and_out_of_range_months(month):
    settings = {**valid_settings("job_programs"), "start": month}
    code, output = check(scenario_text("job_programs", settings))
    assert_explained(code, output, "levers.job_programs.start")


@FUZZ
@given(st.integers(2026, 2034), st.integers(1, 120))
def test_end_before_start(year, back):
    start = year * 12
    end = start - back
    settings = {**valid_settings("job_programs"), "start": f"{year}-01", "end": f"{end // 12}-{end % 12 + 1:02d}"}
    code, output = check(scenario_text("job_programs", settings))
    assert_explained(code, output, "before start")


@FUZZ
@given(st.one_of(st.text(min_size=1, max_size=20), st.integers().filter(lambda n: not 1 <= n <= 22)))
def test_departments_that_do_not_exist(department):
    from sim.departments import load_departments

    if str(department) in load_departments().name:
        return
    settings = {**valid_settings("job_programs"), "departments": [department]}
    code, output = check(scenario_text("job_programs", settings))
    assert_explained(code, output, "levers.job_programs.departments")


@FUZZ
@given(lever_names)
def test_duplicate_keys(lever):
    text = scenario_text(lever, valid_settings(lever)).replace("levers:\n", f"levers:\n  {lever}: {{}}\n", 1)
    code, output = check(text)
    assert_explained(code, output, "duplicate")


@FUZZ
@given(st.binary(min_size=1, max_size=400))
def test_binary_and_non_yaml_content(content):
    code, output = check(content)
    assert code in (0, 2), output  # a few byte strings are valid YAML for a mapping... but never a scenario
    assert_explained(code, output)


def test_empty_missing_parent_cycle_deep_and_huge_files():
    assert_explained(*check(""), "empty")
    assert_explained(*check("name: x\nextends: nowhere.yaml\n"), "nowhere.yaml")
    cycle = {"a.yaml": "name: a\nextends: generated.yaml\n"}
    assert_explained(*check("name: g\nextends: a.yaml\n", extra=cycle), "cycle")
    for depth in (100, 5000):
        assert_explained(*check("name: x\nlevers: " + "[" * depth + "]" * depth + "\n"))
    many = "name: x\nlevers:\n" + "".join(f"  lever_{i}: {{start: 2026-01}}\n" for i in range(5_000))
    assert_explained(*check(many), "unknown lever", "4,980 more problems")  # the first 20, then a count
    assert_explained(*check(many + "# " + "x" * 1_100_000 + "\n"), "must be under")


LAPTOP = yaml.safe_load((SCENARIOS / "experiments" / "laptop.yaml").read_text())
LAPTOP["base"] = str((SCENARIOS / "jobs_and_patrols.yaml").resolve())
EXPERIMENT_MUTATIONS = {
    "unknown top key": lambda d, v: {**d, f"x{v}": 1},
    "unknown factor path": lambda d, v: {**d, "factors": {f"levers.job_programs.jobs{v}": {"range": [0, 1]}}},
    "reversed range": lambda d, v: {**d, "factors": {"levers.job_programs.jobs_per_year": {"range": [v + 1, -v]}}},
    "range outside the schema": lambda d, v: {
        **d,
        "factors": {"levers.border_enforcement.technology_multiplier": {"range": [1, 4 + v]}},
    },
    "unknown design": lambda d, v: {**d, "design": {"method": f"m{v}", "samples": 4}},
    "bad samples": lambda d, v: {**d, "design": {"method": "lhs", "samples": [-v, 0, "many", True][v % 4]}},
    "bad replications": lambda d, v: {**d, "replications": [0, -v, 10**9, "two"][v % 4]},
    "unknown outcome": lambda d, v: {**d, "outcomes": [f"o{v}"]},
    "bad scale": lambda d, v: {**d, "households_per_agent": [0, -v, float("nan"), 20_001 + v][v % 4]},
}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(EXPERIMENT_MUTATIONS)), st.integers(0, 10_000))
def test_bad_experiment_files_are_explained(mutation, value):
    text = yaml.safe_dump(EXPERIMENT_MUTATIONS[mutation](dict(LAPTOP), value), sort_keys=False)
    global EXAMPLES
    EXAMPLES += 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "experiment.yaml"
        path.write_text(text)
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["sweep", str(path), "--out", str(Path(folder) / "out"), "--status"])
    assert_explained(code, err.getvalue(), name="experiment.yaml")


def limited_memory() -> None:
    """In a child process: at most 2 GiB, so that reading without end fails there, not on the machine."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))


def alias_bomb(width: int, depth: int) -> str:
    """Anchors each repeating the one before ``width`` times: ``width ** depth`` values from a few lines."""
    lines = [f"a0: &a0 [{','.join(['lol'] * width)}]"]
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * width)}]" for i in range(1, depth)]
    return "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2, 12), st.integers(2, 9), st.sampled_from(["top", "levers", "description"]))
def test_alias_bombs_are_refused_at_once(width, depth, where):
    from hypothesis import assume

    from sim.yamlio import MAX_ALIAS_VALUES

    values = sum(width**level for level in range(1, depth + 1))
    assume(MAX_ALIAS_VALUES < values <= 5_000_000)  # more would take today's code minutes and gigabytes
    bomb = alias_bomb(width, depth)
    last = f"*a{depth - 1}"
    if where == "top":
        text = f"name: generated\nextends: {BASELINE}\n{bomb}"
    else:
        text = f"name: generated\nextends: {BASELINE}\nanchors:\n" + "".join(
            f"  {line}\n" for line in bomb.splitlines()
        )
        text += f"{where}: {last}\n" if where == "description" else f"{where}: {{job_programs: {last}}}\n"
    assert_explained(*check(text), "aliases (*name) repeat more than 10,000 values")


def test_the_billion_laughs_is_refused_in_scenarios_and_experiments(tmp_path):
    """The issue's 350-byte file: 9^9 values. A process limited to 2 GiB of memory must say so at once."""
    bomb = alias_bomb(9, 9).replace("a0:", "name:", 1)
    experiment = "description: x\nbase: b.yaml\n" + bomb.replace("name:", "a_:", 1) + "name: *a8\n"

    for name, text in (("laughs.yaml", bomb), ("experiment.yaml", experiment)):
        (tmp_path / name).write_text(text)
        assert len(text) < 500
        done = __import__("subprocess").run(
            [__import__("sys").executable, "-m", "sim.cli", "check", str(tmp_path / name)],
            capture_output=True,
            text=True,
            timeout=120,
            preexec_fn=limited_memory,
        )
        assert_explained(done.returncode, done.stderr, "aliases (*name) repeat more than", name=name)


SPECIAL = {  # how to make it; every one is refused before a byte is read
    "a FIFO": (lambda path: os.mkfifo(path), "a FIFO (named pipe), not a file"),
    "/dev/zero": (lambda path: path.symlink_to("/dev/zero"), "a character device, not a file"),
    "a symlink to a FIFO": (
        lambda path: (os.mkfifo(path.with_suffix(".fifo")), path.symlink_to(path.with_suffix(".fifo"))),
        "a FIFO (named pipe), not a file",
    ),
    "a folder": (lambda path: path.mkdir(), "a folder, not a file"),
}


@pytest.mark.parametrize("special", SPECIAL)
def test_special_files_are_refused_before_reading(special, tmp_path):
    """As a scenario, as a scenario's parent and as an experiment's base.

    In a child process, which a FIFO would otherwise hang for ever and /dev/zero fill with zeros.
    """
    make, words = SPECIAL[special]
    target = tmp_path / "special.yaml"
    make(target)
    (tmp_path / "child.yaml").write_text("name: child\nextends: special.yaml\n")
    (tmp_path / "experiment.yaml").write_text(yaml.safe_dump({**LAPTOP, "base": "special.yaml"}))
    files = [str(target), str(tmp_path / "child.yaml"), str(tmp_path / "experiment.yaml")]
    done = __import__("subprocess").run(
        [__import__("sys").executable, "-m", "sim.cli", "check", *files],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limited_memory,
    )
    assert_explained(done.returncode, done.stderr, words, name=str(target))
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 3 and all(line.startswith(f"{target}: {words}") for line in lines), done.stderr
    assert "(parent named by" in lines[1] and "child.yaml" in lines[1]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["grid", "lhs", "sobol"]),
    st.integers(2, 100),
    st.integers(1, 1000),
    st.integers(17, 19),
)
def test_huge_work_is_refused_before_anything_runs(method, levels, replications, power):
    factors = dict(LAPTOP["factors"])
    design = {"method": method} if method == "grid" else {"method": method, "samples": 2**power}
    if method == "grid":
        factors = {name: {**factor, "levels": levels} for name, factor in factors.items()}
    runs = levels ** len(factors) if method == "grid" else 2**power * (len(factors) + 2 if method == "sobol" else 1)
    runs *= replications
    from hypothesis import assume

    from sim.limits import MAX_RUNS

    assume(runs > MAX_RUNS)
    text = yaml.safe_dump({**LAPTOP, "factors": factors, "design": design, "replications": replications})
    global EXAMPLES
    EXAMPLES += 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "experiment.yaml"
        path.write_text(text)
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["check", str(path)])
    assert_explained(code, err.getvalue(), f"= {runs:,} runs; a sweep has at most", name="experiment.yaml")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**70), st.integers(1, 5000))
def test_huge_seeds_are_refused_before_anything_runs(first, count):
    from hypothesis import assume

    from sim.limits import MAX_SEED, MAX_SEEDS

    assume(first > MAX_SEED or count > MAX_SEEDS or first + count - 1 > MAX_SEED)
    out, err = io.StringIO(), io.StringIO()
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr("sim.compare.compare", lambda *a, **k: pytest.fail("a comparison started"))
        try:
            code = main(["compare", "--first-seed", str(first), "--seeds", str(count), "--out", "/tmp/unused"])
        except SystemExit as stop:  # argparse's usage error
            code = stop.code
    assert code == 2 and "Traceback" not in err.getvalue()
    assert "seed" in err.getvalue().strip().splitlines()[-1]  # argparse's usage, then the one line


@FUZZ
@given(st.integers(4_301, 20_000), st.sampled_from(["seed", "levers.job_programs.jobs_per_year", "name"]))
def test_numbers_too_long_for_python_are_one_line(digits, where):
    number = "9" * digits
    if where == "seed":
        text = f"name: generated\nextends: {BASELINE}\nseed: {number}\n"
    elif where == "name":
        text = f"name: {number}\nextends: {BASELINE}\n"
    else:
        text = scenario_text("job_programs", {**valid_settings("job_programs"), "jobs_per_year": 0})
        text = text.replace("jobs_per_year: 0", f"jobs_per_year: {number}")
    assert_explained(*check(text), "a number too long to read")
