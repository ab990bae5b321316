"""RunResult: metadata that lets a number be traced back, parameters that are all sourced."""

from __future__ import annotations

import importlib
import math
import os
import sys

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import cache
from sim.compare import compare
from sim.parameters import default_parameters, section_schemas
from sim.runner import run, run_many
from sim.scenario import validate_scenario
from tests.conftest import shortened


def test_every_parameter_has_a_value_in_range_and_a_source():
    params = default_parameters()
    for section, schema in section_schemas().items():
        for key in schema.model_fields:
            assert params.sources[section][key].strip(), f"{section}.{key} has no source"
            assert math.isfinite(float(getattr(params[section], key)))


def test_overrides_are_validated_and_do_not_touch_defaults():
    params = default_parameters()
    changed = params.with_overrides({"journey": {"p_death": 0.01}})
    assert changed.journey.p_death == 0.01 and params.journey.p_death != 0.01
    with pytest.raises(ValueError):
        params.with_overrides({"journey": {"p_death": 2}})


def test_metadata_records_what_produced_the_numbers():
    scenario = shortened("job_programs", "2025-06", "2026-06")
    result = run(scenario, seed=4, households_per_agent=5000)
    meta = result.metadata
    assert meta["seed"] == 4 and meta["scenario_digest"] == scenario.digest
    assert meta["scenario_resolved"]["levers"]["job_programs"]["start"] == "2026-01"
    assert meta["parameters"]["journey"]["p_us"] == default_parameters().journey.p_us
    assert meta["packages"]["mesa"].startswith("3.") and meta["packages"]["numba"] != "not installed"
    assert meta["code_version"]
    national = result.national()
    assert list(national.index) == [2025, 2026]
    assert (national.outflow == national.departures_irregular + national.departures_legal).all()


def test_the_code_version_names_the_sources_where_git_cannot(monkeypatch):
    """Installed without a clone, a result still says which code made it: a hash of the sim/ sources."""
    from sim import provenance

    def no_git(*args, **kwargs):
        raise OSError("no git here")

    monkeypatch.setattr(provenance.subprocess, "run", no_git)
    provenance.code_version.cache_clear()
    try:
        assert provenance.code_version() == f"0.1.0+src{cache.code_digest()[:12]}"
    finally:
        provenance.code_version.cache_clear()


def test_comparison_is_the_same_serial_or_parallel():
    scenarios = [shortened("baseline", "2024-01", "2027-12"), shortened("border_enforcement", "2024-01", "2027-12")]
    serial = compare(scenarios, [0, 1], households_per_agent=2000, workers=1)
    parallel = compare(scenarios, [0, 1], households_per_agent=2000, workers=2)
    assert serial.yearly.equals(parallel.yearly)
    totals = serial.totals("outflow", (2026, 2027))
    assert totals.averted.iloc[0] == 0 and totals.cost_usd.iloc[1] == pytest.approx(
        1e9 / 12 * (sum(range(1, 13)) / 12 + 12)
    )


def test_a_scenario_added_to_a_comparison_reuses_its_past_and_equals_its_own_run(tmp_path, monkeypatch):
    monkeypatch.setenv("MIGSIM_CACHE", str(tmp_path))
    base, lever = (shortened(name, "2024-01", "2027-12") for name in ("baseline", "border_enforcement"))
    run_many([base, lever], 0, households_per_agent=2000)  # simulates 2024-2025 once and caches it
    cached = sorted(tmp_path.rglob("*"))
    assert cached
    loaded = []
    load = cache.load
    monkeypatch.setattr(cache, "load", lambda name: loaded.append(load(name)) or loaded[-1])
    (added,) = run_many([lever], 0, households_per_agent=2000, alongside=[base, lever])
    assert len(loaded) == 1 and loaded[0] is not None  # the past came from the cache
    assert sorted(tmp_path.rglob("*")) == cached  # and nothing new was stored
    assert added.national().equals(run(lever, 0, households_per_agent=2000).national())


PLUGIN = '''
import numpy as np
from sim.rules import Rule


class Worry(Rule):
    """A third-party rule whose source a researcher edits between runs (for tests only)."""

    name = "worry"
    kind = "aspiration"

    def vectorised(self, h, env):
        return np.full(h.n, {term})
'''


def test_editing_a_third_party_rule_invalidates_the_cached_past(tmp_path, monkeypatch):
    """A stale past would silently give the rule's previous results to the edited rule."""
    package = tmp_path / "src" / "worry_plugin"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(PLUGIN.format(term=0.5))
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    monkeypatch.setenv("MIGSIM_CACHE", str(tmp_path / "cache"))
    base, lever = (shortened(name, "2024-01", "2026-12").resolved() for name in ("baseline", "border_enforcement"))
    scenarios = [validate_scenario({**s, "rules": {"worry": {"rule": "worry_plugin:Worry"}}}) for s in (base, lever)]
    assert list(cache.extension_digest(scenarios[0])) == ["worry_plugin"]
    assert cache.extension_digest(shortened("baseline")) == {}  # built-in rules, levers and conditions only

    def pasts() -> int:
        return len(list((tmp_path / "cache").glob("*.entry")))

    first = run_many(scenarios, 0, households_per_agent=2000)
    run_many(scenarios, 0, households_per_agent=2000)
    assert pasts() == 1  # unchanged code: the second comparison reused the past
    (package / "__init__.py").write_text(PLUGIN.format(term=-0.5))
    run_many(scenarios, 0, households_per_agent=2000)
    assert pasts() == 1, "this process still runs the rule it imported: its results keep their key"
    importlib.reload(sys.modules["worry_plugin"])  # what the next command, a new process, does
    cache.code_digest.cache_clear()
    cache._package_digest.cache_clear()
    edited = run_many(scenarios, 0, households_per_agent=2000)
    assert pasts() == 2  # edited rule: its past simulated again, not served from the cache
    assert not edited[0].monthly.equals(first[0].monthly)


def test_a_comparison_asked_again_is_read_from_the_cache_and_a_new_scenario_alone_is_run(tmp_path, monkeypatch):
    monkeypatch.setenv("MIGSIM_CACHE", str(tmp_path))
    base, lever, other = (shortened(n, "2024-01", "2026-12") for n in ("baseline", "border_enforcement", "task_forces"))
    first = compare([base, lever], [0, 1], households_per_agent=2000)
    simulated = []
    real = run_many
    monkeypatch.setattr(
        "sim.compare.run_many", lambda s, *a, **k: simulated.extend(x.name for x in s) or real(s, *a, **k)
    )
    again = compare([base, lever], [0, 1], households_per_agent=2000, workers=None)
    assert simulated == [] and again.yearly.equals(first.yearly) and again.departments.equals(first.departments)
    wider = compare([base, lever, other], [0, 1], households_per_agent=2000)
    assert simulated == [other.name, other.name]  # one seed after the other, the new scenario only
    alone = compare([other], [0, 1], households_per_agent=2000)
    assert wider.yearly[wider.yearly.scenario == other.name].reset_index(drop=True).equals(alone.yearly)
    with cache.bypassed():  # what `migsim reproduce` does: a rerun, not a reading
        assert cache.cache_dir() is None
        compare([base], [0], households_per_agent=2000)
    assert simulated[-1] == base.name and cache.cache_dir() == tmp_path


def test_the_cache_drops_the_least_recently_used_files_beyond_its_size(tmp_path, monkeypatch):
    monkeypatch.setenv("MIGSIM_CACHE", str(tmp_path))
    monkeypatch.setenv("MIGSIM_CACHE_MB", str(2.5 * 100_000 / 2**20))  # room for two of the files below
    blob = bytes(100_000)
    cache.store("a", blob)
    cache.store("b", blob)
    os.utime(tmp_path / "a.entry", (1, 1))
    os.utime(tmp_path / "b.entry", (2, 2))
    assert cache.load("a") == blob  # now the most recently used
    cache.store("c", blob)
    assert sorted(p.stem for p in tmp_path.glob("*.entry")) == ["a", "c"]


def test_plugin_sources_are_hashed_for_packages_namespace_packages_and_modules(tmp_path, monkeypatch):
    import importlib

    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "ns_plugin").mkdir()  # a namespace package: no __init__.py
    (tmp_path / "ns_plugin" / "rules.py").write_text("X = 1\n")
    (tmp_path / "one_file_plugin.py").write_text("X = 1\n")
    for name in ("ns_plugin.rules", "one_file_plugin"):
        importlib.import_module(name)
    before = {top: cache._package_digest(top) for top in ("ns_plugin", "one_file_plugin")}
    (tmp_path / "ns_plugin" / "rules.py").write_text("X = 2\n")
    (tmp_path / "one_file_plugin.py").write_text("X = 2\n")
    cache._package_digest.cache_clear()  # hashed once per process: as a new process would
    assert all(cache._package_digest(top) != digest for top, digest in before.items())


def test_written_files_get_the_usual_permissions(tmp_path):
    import os
    from pathlib import Path

    from sim.runner import write_atomic

    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    write_atomic(tmp_path / "atomic.txt", lambda p: Path(p).write_text("x"))
    assert os.stat(tmp_path / "atomic.txt").st_mode == os.stat(plain).st_mode  # not owner-only, as mkstemp makes


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 30), min_size=16, max_size=16), st.lists(st.floats(1, 100), min_size=16, max_size=16))
def test_seeds_meeting_each_target_are_counted_as_each_seed_alone_would_be(arrests, seizures):
    """The vectorised count agrees with assessing every seed's run on its own (sim.agreement_targets.assess)."""
    from sim.agreement_targets import ENGAGEMENT_GROWTH, KEY_ARRESTS, SEIZURE_GROWTH, assess, engagement_share
    from sim.compare import Comparison

    rows = [
        {"scenario": name, "seed": seed, "year": year, "households": 100.0,
         "key_arrests": arrests[i], "seizures": seizures[i], "engaged_households": 5.0 + arrests[i] * (name == "b")}
        for i, (name, seed, year) in enumerate(
            (n, s, y) for n in ("a", "b") for s in (0, 1) for y in (2025, 2026, 2027, 2028)
        )
    ]  # fmt: skip
    result = Comparison(pd.DataFrame(rows), pd.DataFrame(), ["a", "b"], [0, 1])
    table = result.targets((2026, 2028)).set_index("scenario")
    runs = pd.DataFrame(rows).set_index(["scenario", "seed", "year"])
    for name in ("a", "b"):
        alone = [assess(runs.loc[(name, s)], (2026, 2028), engagement_share(runs.loc[("a", s)])) for s in (0, 1)]
        assert table.loc[name, "key_arrests_seeds_met"] == sum(a["key_arrests_per_year"] >= KEY_ARRESTS for a in alone)
        assert table.loc[name, "seizure_growth_seeds_met"] == sum(
            a["seizure_growth_per_year"] >= SEIZURE_GROWTH for a in alone
        )
        assert table.loc[name, "engagement_seeds_met"] == sum(
            a["engagement_change"] >= ENGAGEMENT_GROWTH for a in alone
        )


def test_csv_summaries_are_whole_people_and_dollars_and_leave_undefined_values_empty():
    from sim.comparison_report import rounded

    table = rounded(pd.DataFrame({"total": [1.4, float("nan")], "cost_per_averted_usd": [float("inf"), 2.6],
                                  "engagement_change": [0.123456, 0.0], "scenario": ["a", "b"]}))  # fmt: skip
    assert table.to_csv(index=False).splitlines()[1:] == ["1,,0.1235,a", ",3,0.0,b"]
