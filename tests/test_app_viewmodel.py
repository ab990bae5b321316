"""What the app's pages compute, checked without a browser."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import cache
from sim.compare import compare, posterior_draws_for
from sim.errors import ScenarioError
from sim.levers import LEVERS
from sim.schema import field_range
from viz import charts
from viz import viewmodel as vm
from viz.assets import PACKAGES
from viz.results import ResultStore

SCALE = 2000.0
SEEDS = range(2)
YEARS = (2026, 2035)


@pytest.fixture(scope="module")
def shipped():
    return vm.shipped_scenarios()


@pytest.fixture(scope="module")
def controls(shipped):
    return vm.lever_controls(shipped)


def test_shipped_scenarios_start_with_the_baseline(shipped):
    assert next(iter(shipped)) == "baseline" and "agreement package" in shipped


def test_every_lever_of_the_scenarios_has_a_control_bounded_by_its_schema(shipped, controls):
    used = {config.lever or label for s in shipped.values() for label, config in s.levers}
    assert used <= set(controls)
    for lever, control in controls.items():
        low, high = field_range(LEVERS.lookup(lever).Config.model_fields[control.key])
        assert low <= control.low <= control.default <= control.high <= high, lever
        assert "cost" not in control.key or control.key in LEVERS.lookup(lever).budgets  # a budget is the amount


def test_custom_scenario_without_levers_is_the_baseline(shipped, controls):
    custom = vm.custom_scenario(shipped["baseline"], controls, {})
    assert custom.levers == shipped["baseline"].levers and custom.name == vm.CUSTOM
    store = ResultStore()
    result = store.comparison([shipped["baseline"], custom], SEEDS, SCALE)
    table = vm.totals(result, YEARS).set_index("scenario")
    assert table.loc[vm.CUSTOM, "averted"] == 0 and table.loc[vm.CUSTOM, "cost_usd"] == 0


def test_custom_scenario_takes_the_sliders_and_keeps_the_shipped_costs(shipped, controls):
    choice = vm.CustomLever(30000, ("Huehuetenango", "Quiché"), 2027)
    custom = vm.custom_scenario(shipped["baseline"], controls, {"job_programs": choice})
    (label, config) = [(label, c) for label, c in custom.levers if c.lever == "job_programs"][0]
    assert config.jobs_per_year == 30000 and config.departments == ["Huehuetenango", "Quiché"]
    assert (
        config.start == 2027 * 12 and config.cost_usd_per_job == controls["job_programs"].settings["cost_usd_per_job"]
    )


@pytest.mark.parametrize(
    "choice, words",
    [
        (vm.CustomLever(1e12), ["jobs_per_year", "out of range", "0 to 500000"]),
        (vm.CustomLever(-5), ["jobs_per_year", "out of range"]),
        (vm.CustomLever(1000, ("Atlantis",)), ["departments", "Atlantis"]),
        (vm.CustomLever(float("nan")), ["jobs_per_year"]),
    ],
)
def test_values_outside_the_schema_are_refused_with_its_message(shipped, controls, choice, words):
    """The server never runs what the schema forbids, whatever the browser sends."""
    with pytest.raises(ScenarioError) as error:
        vm.custom_scenario(shipped["baseline"], controls, {"job_programs": choice})
    for word in words:
        assert word in str(error.value)


def test_the_store_gives_what_compare_gives_and_runs_each_run_once(shipped, tmp_path, monkeypatch):
    monkeypatch.setenv("MIGSIM_CACHE", str(tmp_path))  # nothing on disk yet
    scenarios = [shipped["baseline"], shipped["job programs (western highlands)"]]
    store = ResultStore()
    steps = []
    result = store.comparison(scenarios, SEEDS, SCALE, progress=lambda done, total: steps.append((done, total)))
    assert steps == [(1, 2), (2, 2)] and store.runs == 4
    with cache.bypassed():  # simulated here, not read from what the store wrote
        direct = compare(scenarios, SEEDS, households_per_agent=SCALE, draws=posterior_draws_for(SEEDS))
    pd.testing.assert_frame_equal(vm.totals(result, YEARS), vm.totals(direct, YEARS))
    again = store.comparison(scenarios[::-1], SEEDS, SCALE)
    assert store.runs == 4 and store.cached(scenarios, SEEDS, SCALE)
    assert again.scenarios == [s.name for s in scenarios[::-1]]
    assert store.comparison(scenarios, range(5), SCALE, stop=lambda: True) is None
    restarted = ResultStore()  # a new server finds the runs on disk
    restarted.comparison(scenarios, SEEDS, SCALE)
    assert restarted.runs == 0 and restarted.cached(scenarios, SEEDS, SCALE)


def test_the_store_shows_the_seeds_done_so_far_while_the_others_run(shipped):
    scenarios = [shipped["baseline"], shipped["job programs (western highlands)"]]
    store = ResultStore()
    previews = []
    final = store.comparison(scenarios, range(3), SCALE, partial=previews.append)
    assert [p.seeds for p in previews] == [[0], [0, 1]]  # after each simulated seed but the last
    first_alone = store.comparison(scenarios, range(1), SCALE)
    pd.testing.assert_frame_equal(vm.totals(previews[0], YEARS), vm.totals(first_alone, YEARS))
    assert final.seeds == [0, 1, 2]
    previews.clear()
    store.comparison(scenarios, range(3), SCALE, partial=previews.append)
    assert previews == []  # nothing to wait for: no previews


def test_the_store_hands_several_seeds_to_worker_processes_with_the_same_results(shipped, tmp_path, monkeypatch):
    monkeypatch.setenv("MIGSIM_CACHE", str(tmp_path))  # nothing on disk: every run is simulated
    scenarios = [shipped["baseline"], shipped["job programs (western highlands)"]]
    store, previews, steps = ResultStore(workers=2), [], []
    seeds = [0, 1, 2]
    result = store.comparison(
        scenarios, seeds, SCALE, partial=previews.append, progress=lambda done, total: steps.append(done)
    )
    assert store._pool is not None and store.runs == 6 and steps == [1, 2, 3]
    # the seeds done so far, in the comparison's order, whichever worker finished first
    assert [len(p.seeds) for p in previews] == [1, 2] and all(set(p.seeds) < set(seeds) for p in previews)
    assert all(p.seeds == sorted(p.seeds) for p in previews) and set(previews[0].seeds) < set(previews[1].seeds)
    with cache.bypassed():
        alone = ResultStore().comparison(scenarios, seeds, SCALE)  # in this process
    pd.testing.assert_frame_equal(result.yearly, alone.yearly)
    pd.testing.assert_frame_equal(result.departments, alone.departments)
    store.comparison(scenarios, range(5), SCALE, stop=lambda: True)  # stopped before any new seed
    assert store.runs == 6 and not store.cached(scenarios, range(5), SCALE)
    asked = []  # stop() turns true after the first question (asked before anything runs)
    assert store.comparison(scenarios, range(3, 8), SCALE, stop=lambda: bool(asked.append(1)) or len(asked) > 1) is None
    kept = [seed for seed in range(3, 8) if store.cached(scenarios, [seed], SCALE)]
    assert kept and store.runs == 6 + 2 * len(kept)  # seeds that ran are kept and counted once, none half
    store._pool.shutdown()


def test_a_server_pool_ends_its_workers_at_exit_instead_of_waiting_for_their_runs():
    """Ctrl-C on `migsim app` while it simulates: the server exits at once and leaves no worker behind."""
    script = (
        "import time\n"
        "from sim.workers import end_at_exit, process_pool\n"
        "pool = process_pool(2, threads=1)\n"
        "end_at_exit(pool)\n"
        "futures = [pool.submit(time.sleep, 60) for _ in range(2)]\n"
        "time.sleep(1)\n"
        "print(*[p.pid for p in pool._processes.values()], flush=True)\n"
    )
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and time.perf_counter() - began < 20, done.stderr  # not the 60 s of the runs
    for pid in map(int, done.stdout.split()):
        for _ in range(50):
            if not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower():
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"worker {pid} outlived its parent")


def test_a_comparison_waiting_for_another_shows_its_seeds_as_they_come(shipped, tmp_path, monkeypatch):
    """A page opened while the server simulates (its first comparison) gets a first answer, and nothing runs twice."""
    monkeypatch.setenv("MIGSIM_CACHE", str(tmp_path))
    scenarios = [shipped["baseline"], shipped["job programs (western highlands)"]]
    store, first_seed_done, results = ResultStore(), threading.Event(), {}

    def simulate() -> None:
        results["first"] = store.comparison(scenarios, range(6), SCALE, progress=lambda *_: first_seed_done.set())

    running = threading.Thread(target=simulate)
    running.start()
    first_seed_done.wait(timeout=120)
    previews = []
    second = store.comparison(scenarios, range(6), SCALE, partial=previews.append)
    running.join()
    assert previews and all(0 < len(p.seeds) < 6 for p in previews)
    assert store.runs == 12  # every run once
    pd.testing.assert_frame_equal(second.yearly, results["first"].yearly)


def test_department_values_add_up_and_match_the_map(shipped):
    scenarios = [shipped["baseline"], shipped["job programs (western highlands)"]]
    result = ResultStore().comparison(scenarios, SEEDS, SCALE)
    values = vm.department_map_values(result, YEARS, scenarios[1].name)
    assert len(values) == 22 and values.departures.notna().all()
    averted = vm.totals(result, YEARS).set_index("scenario").loc[scenarios[1].name, "averted"]
    assert np.isclose(-values.change.sum(), averted)
    topology = json.loads(charts.MAP.read_text())
    ids = {g["properties"]["id"] for g in topology["objects"]["departamentos_gtm"]["geometries"]}
    assert set(values.id) == ids
    inside = values.department.isin(["Huehuetenango", "Quiché", "Sololá", "Quetzaltenango", "San Marcos"])
    # jobs act in their departments; the national pool of work visas is the only channel to others
    assert values[~inside].change.abs().sum() < 0.15 * values[inside].change.abs().sum()


def test_exports_and_charts(shipped):
    result = ResultStore().comparison([shipped["baseline"], shipped["agreement package"]], SEEDS, SCALE)
    table = pd.read_csv(__import__("io").BytesIO(vm.comparison_csv(result, YEARS)))
    assert set(table.row) == {"year", "total"} and len(table) == 2 * 10 + 2
    assert vm.comparison_png(result, YEARS)[:8] == b"\x89PNG\r\n\x1a\n"
    spec = charts.outflow_chart(vm.outflow_per_year(result, YEARS)).to_dict()
    assert spec["usermeta"]["embedOptions"]["renderer"] == "svg"
    values = vm.department_map_values(result, YEARS, "agreement package")
    shape = charts.department_map(values, "change_percent", "change (%)", True).to_dict()
    assert shape["data"]["format"]["feature"]
    # the page loads Vega-Lite 5 (viz/assets.py): a spec for another major version only draws with a warning
    loaded = {name.split("@")[1].split(".")[0] for name in PACKAGES if name.startswith("vega-lite@")}
    for chart in (spec, shape):
        assert re.search(r"/v(\d+)\.", chart["$schema"]).group(1) in loaded, chart["$schema"]


def test_a_hostile_value_sent_to_the_server_is_refused(monkeypatch):
    """The browser's widget message for the slider (``set_state``), with a value no slider allows."""
    import ipyvuetify as v
    import solara

    monkeypatch.setenv("MIGSIM_APP_SCALE", "2000")  # the app's warm-up comparison, kept small here
    monkeypatch.setenv("MIGSIM_APP_SEEDS", "2")
    from viz import app

    app.custom.set({**app.custom.value, "job_programs": {**app.custom.value["job_programs"], "on": True}})
    app.use_custom.set(True)
    _, rc = solara.render(app.LeverControls(), handle_error=False)
    slider = next(s for s in rc.find(v.Slider).widgets if s.label == "jobs per year")
    assert (slider.min, slider.max) == (0, 100_000)  # bounded by the schema (0 to 500,000) and the shipped setting
    slider.set_state({"v_model": 10**12})  # what the server does with the browser's message
    assert app.custom.value["job_programs"]["amount"] == 10**12
    scenario, problem = app.custom_scenario()
    assert scenario is None and "jobs_per_year" in problem and "out of range" in problem
    app.start_comparison()  # refused: nothing is run
    assert app.comparison.not_called


def test_the_watched_run_is_plotted_against_calendar_months():
    from viz.watch import MODEL_PARAMS, SERIES, WatchModel, month_label

    assert month_label(2002 * 12) == "2002-01" and month_label(2035 * 12 + 11) == "2035-12"
    model = WatchModel(households_per_agent=MODEL_PARAMS["households_per_agent"]["values"][-1])
    model.step()
    table = model.datacollector.get_model_vars_dataframe()
    assert set(SERIES) <= set(table.columns)
    assert month_label(int(table["month"].iloc[0])) == "2002-01"  # the shipped scenarios start there


def test_previews_wait_a_second_and_then_come_every_two():
    # a comparison's partial answers, at these seconds: only some redraw the page
    shown = []
    for elapsed in (0.3, 0.7, 1.1, 1.5, 2.9, 3.2, 5.0):
        if vm.preview_due(elapsed, shown[-1] if shown else None):
            shown.append(elapsed)
    assert shown == [1.1, 3.2]


def test_a_lever_priced_per_year_costs_in_proportion_to_its_setting_and_a_budget_costs_itself(shipped, controls):
    control = controls["information_sharing"]  # US$ a year at the shipped level of sharing
    shipped_cost = control.settings["cost_usd_per_year"]

    def yearly_cost(lever, amount):
        custom = vm.custom_scenario(shipped["baseline"], controls, {lever: vm.CustomLever(amount)})
        return next(c for _, c in custom.levers if c.lever == lever).cost_usd_per_year

    assert yearly_cost("information_sharing", 0.0) == 0  # no sharing, no cost
    assert yearly_cost("information_sharing", control.default) == shipped_cost
    assert yearly_cost("information_sharing", control.default / 2) == pytest.approx(shipped_cost / 2)
    assert "scaled with the level above 0" in control.cost_note()
    enforcement = controls["border_enforcement"]  # its effect follows its dollars: the slider is the budget
    assert enforcement.key == "cost_usd_per_year" and enforcement.default == 1e9
    assert yearly_cost("border_enforcement", 2.5e9) == 2.5e9 and "budget" in enforcement.cost_note()
    assert "per unit" in controls["job_programs"].cost_note()  # jobs are priced each: nothing to scale
    custom = vm.custom_scenario(
        shipped["baseline"], controls, {"job_programs": vm.CustomLever(30000, ("Petén",), 2028)}
    )
    assert "job programs: 30,000 jobs per year in Petén from 2028" in custom.description


def test_the_csv_says_how_the_comparison_was_made(shipped):
    result = ResultStore().comparison([shipped["baseline"], shipped["agreement package"]], SEEDS, SCALE)
    context = vm.Context(SCALE, {"baseline": "the baseline", "agreement package": "all measures"})
    table = pd.read_csv(__import__("io").BytesIO(vm.comparison_csv(result, YEARS, context)))
    assert (table.seeds == 2).all() and (table.households_per_agent == SCALE).all()
    assert set(table[table.scenario == "agreement package"].description) == {"all measures"}


def test_a_scenario_keeps_its_colour_in_both_charts_and_no_change_is_white_on_the_map(shipped):
    result = ResultStore().comparison([shipped["baseline"], shipped["agreement package"]], SEEDS, SCALE)
    lines = charts.outflow_chart(vm.outflow_per_year(result, YEARS)).to_dict()
    bars = charts.cost_chart(vm.totals(result, YEARS)).to_dict()
    line_scale = lines["layer"][0]["encoding"]["color"]["scale"]
    bar_scale = bars["layer"][0]["encoding"]["color"]["scale"]
    assert line_scale == bar_scale and line_scale["domain"] == ["baseline", "agreement package"]
    averted = charts.averted_chart(vm.outflow_per_year(result, YEARS)).to_dict()
    assert averted["layer"][0]["encoding"]["color"]["scale"] == line_scale
    rows = next(d for d in averted["datasets"].values() if "scenario" in d[0])  # the scenarios after the first
    assert {r["scenario"] for r in rows} == {"agreement package"} and all(r["averted"] > 0 for r in rows)
    values = vm.department_map_values(result, YEARS, "agreement package")
    assert (values.change_percent < 0).mean() > 0.8  # at 1:2000 a small department may gain by chance
    values = values.assign(change_percent=-values.change_percent.abs())  # every department loses: one-sided
    domain = charts.department_map(values, "change_percent", "change (%)", True).to_dict()["encoding"]["color"]["scale"]
    assert domain["domain"][0] == -domain["domain"][1]  # 0 sits in the middle (white), not at one end


def test_the_custom_scenario_asks_for_a_lever_and_a_place(monkeypatch):
    monkeypatch.setenv("MIGSIM_APP_SCALE", "2000")
    monkeypatch.setenv("MIGSIM_APP_SEEDS", "2")
    from viz import app

    app.custom.set({lever: {**s, "on": False} for lever, s in app.custom.value.items()})
    assert "no lever yet" in app.custom_scenario()[1]
    jobs = {**app.custom.value["job_programs"], "on": True, "departments": []}
    app.custom.set({**app.custom.value, "job_programs": jobs})
    assert app.custom_scenario()[1] == "job programs: choose at least one department."


def test_moving_a_levers_slider_switches_it_on(monkeypatch):
    import ipyvuetify as v
    import solara

    monkeypatch.setenv("MIGSIM_APP_SCALE", "2000")
    monkeypatch.setenv("MIGSIM_APP_SEEDS", "2")
    from viz import app

    app.custom.set({lever: {**s, "on": False} for lever, s in app.custom.value.items()})
    _, rc = solara.render(app.LeverControls(), handle_error=False)
    slider = next(s for s in rc.find(v.Slider).widgets if s.label == "jobs per year")
    slider.set_state({"v_model": 30000})
    assert app.custom.value["job_programs"]["on"] and app.custom.value["job_programs"]["amount"] == 30000


def test_a_long_comparison_says_how_far_it_is(monkeypatch):
    monkeypatch.setenv("MIGSIM_APP_SCALE", "2000")
    monkeypatch.setenv("MIGSIM_APP_SEEDS", "2")
    from viz import app

    assert app.simulating_text(None, 3.0).startswith("Simulating (results are kept")
    assert app.simulating_text(25.0, 10.0) == "Simulating: 25% done after 10 s, about 30 s left (results are kept)."
