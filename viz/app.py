"""migsim's web app: compare scenarios side by side, see them by department, watch one run.

Start it with ``migsim app``. Every control's state lives in Solara reactive variables, which the server
keeps per browser session, so one user's sliders never move another's view; simulated results are shared
(they depend only on scenario, seed and scale) through :data:`viz.results.STORE`.
"""

from __future__ import annotations

import html
import os
import time

import solara
from solara.lab import task

from sim.comparison_columns import SUMMARY, markdown_table
from sim.departments import load_departments
from sim.errors import ScenarioError
from sim.worlds import sample
from viz import charts, hinges_page, map_page
from viz import viewmodel as vm
from viz.components import Chart, Md
from viz.groups_view import GroupsResults
from viz.results import STORE
from viz.worlds_view import WorldsResults

SCENARIOS = vm.offered_scenarios(
    os.pathsep.join(filter(None, [os.environ.get("MIGSIM_APP_SCENARIOS", ""), str(hinges_page.front_folder() or "")]))
)
CONTROLS = vm.lever_controls(SCENARIOS)
DEPARTMENTS = list(load_departments().name)
YEARS = (2026, 2035)
START_YEARS = (2026, 2034)
DEFAULT_SCENARIOS = ["baseline", "agreement package"]
DEFAULT_SEEDS = int(os.environ.get("MIGSIM_APP_SEEDS", 5))  # the environment can set these (tests use a coarse run)
DEFAULT_WORLDS = int(os.environ.get("MIGSIM_APP_WORLDS", 5))
DEFAULT_SCALE = float(os.environ.get("MIGSIM_APP_SCALE", 50))
SCALES = {"default: 1 agent for 50 households": 50.0, "quick: 1 agent for 200 households": 200.0}
if DEFAULT_SCALE not in SCALES.values():
    SCALES[f"1 agent for {DEFAULT_SCALE:g} households"] = DEFAULT_SCALE

# per browser session
chosen = solara.reactive(list(DEFAULT_SCENARIOS))
use_custom = solara.reactive(False)
custom = solara.reactive(
    {
        lever: {"on": False, "amount": c.default, "departments": list(c.departments), "start": c.start_year}
        for lever, c in CONTROLS.items()
    }
)
seeds = solara.reactive(DEFAULT_SEEDS)
n_worlds = solara.reactive(DEFAULT_WORLDS)
scale_label = solara.reactive(next(label for label, scale in SCALES.items() if scale == DEFAULT_SCALE))
preview = solara.reactive(None)  # while a comparison runs: (its seeds done so far, seconds, context, seeds asked)
started = solara.reactive(0.0)  # when the current comparison was asked for (time.perf_counter)


def custom_scenario():
    """The custom scenario from the sliders, or what is wrong with it (a value not allowed, no lever, no place)."""
    picked = {
        lever: vm.CustomLever(float(s["amount"]), tuple(s["departments"]) or None, int(s["start"]))
        for lever, s in custom.value.items()
        if s["on"]
    }
    if not picked:
        return None, "The custom scenario has no lever yet: switch one on below (or untick 'add a custom scenario')."
    for lever, choice in picked.items():
        if CONTROLS[lever].placed and not choice.departments:
            return None, f"{lever.replace('_', ' ')}: choose at least one department."
    try:
        return vm.custom_scenario(SCENARIOS[vm.BASELINE], CONTROLS, picked), ""
    except ScenarioError as exc:
        return None, str(exc)


@task
def comparison(names: tuple[str, ...], extra, n_seeds: int, scale: float, count: int):
    """Run (or fetch) the comparison in a thread, showing progress and the seeds done so far; then its worlds."""
    began = time.perf_counter()
    scenarios = [SCENARIOS[n] for n in names] + ([extra] if extra is not None else [])
    context = vm.Context(scale, {s.name: s.description for s in scenarios})  # for the downloads and the page

    def progress(done: int, total: int) -> None:
        comparison.progress = 100 * done / total

    shown: list[float] = []

    def partial(result) -> None:
        elapsed = time.perf_counter() - began
        if comparison.is_current() and vm.preview_due(elapsed, shown[-1] if shown else None):
            shown.append(elapsed)
            preview.set((result, elapsed, context, n_seeds))

    def stop() -> bool:
        return not comparison.is_current()

    result = STORE.comparison(scenarios, range(n_seeds), scale, progress=progress, stop=stop, partial=partial)
    seconds = time.perf_counter() - began
    in_worlds = None
    if count and result is not None:
        preview.set((result, seconds, context, None))  # the seeds' answer while the worlds run
        worlds = sample(count)
        in_worlds = STORE.comparison(scenarios, worlds.seeds, scale, progress=progress, stop=stop, worlds=worlds)
    return result, seconds, context, in_worlds, time.perf_counter() - began - seconds


def start_comparison() -> None:
    extra, problem = custom_scenario() if use_custom.value else (None, "")
    if problem:
        return
    preview.set(None)
    started.set(time.perf_counter())
    comparison(tuple(chosen.value), extra, int(seeds.value), SCALES[scale_label.value], int(n_worlds.value))


def simulating_text(percent: float | None, elapsed: float) -> str:
    """What the page says while simulating: how far along, and roughly how long is left once that can be told."""
    if not percent:
        return "Simulating (results are kept: asking again is instant)."
    left = elapsed * (100 - percent) / percent
    return f"Simulating: {percent:.0f}% done after {elapsed:.0f} s, about {left:.0f} s left (results are kept)."


@solara.component
def Navigation():
    """Tabs in the app bar, named for what each page shows."""
    path = solara.use_router().path.strip("/")
    paths = [r.path.strip("/") for r in routes]
    with solara.AppBar():
        with solara.lab.Tabs(value=paths.index(path) if path in paths else 0, align="center"):
            for r in routes:
                solara.lab.Tab(r.label, path_or_route="/" + r.path.strip("/"))


CSS = """
.migsim-md table { border-collapse: collapse; margin: 8px 0; font-size: 14px; }
div:has(> b > a[href="https://solara.dev"]) { display: none; }  /* a badge over the text and charts */
.v-input__slider { margin-top: 40px; }  /* room for the value shown above the handle */
.migsim-md th, .migsim-md td { border-bottom: 1px solid #ddd; padding: 4px 10px; }
.migsim-md td { text-align: right; } .migsim-md td:first-child { text-align: left; }
"""


def _view(result, years: tuple[int, int]) -> tuple:
    """What the results show: the totals (table and Markdown) and the two charts' specs."""
    table = vm.totals(result, years)
    per_year = vm.outflow_per_year(result, years)
    specs = (charts.outflow_chart(per_year), charts.averted_chart(per_year), charts.cost_chart(table))
    return table, markdown_table(SUMMARY, table), *(chart.to_dict() for chart in specs)


@solara.component
def Explained(text: str):
    Md(f"<small>{text}</small>")


@solara.component
def LeverControls():
    """One panel per lever: include it, how much, where, from when."""
    state = custom.value
    for lever, control in CONTROLS.items():
        settings = state[lever]

        def update(key, value, lever=lever):
            switched = {"on": True} if key != "on" else {}  # setting a lever means wanting it
            custom.value = {**custom.value, lever: {**custom.value[lever], key: value, **switched}}

        with solara.Details(summary=f"{lever.replace('_', ' ')}" + (" (on)" if settings["on"] else "")):
            Explained(control.summary)
            solara.Checkbox(
                label=f"include {lever.replace('_', ' ')}",
                value=settings["on"],
                on_value=lambda v, u=update: u("on", v),
            )
            slider = solara.SliderInt if control.step >= 1 else solara.SliderFloat
            slider(
                label=control.key.replace("_", " "),
                value=settings["amount"] if control.step < 1 else int(settings["amount"]),
                min=control.low if control.step < 1 else int(control.low),
                max=control.high if control.step < 1 else int(control.high),
                step=control.step if control.step < 1 else max(1, int(control.high // 200)),
                on_value=lambda v, u=update: u("amount", v),
                thumb_label="always",
            )
            Explained(
                f"{control.meaning} (allowed {_number(control.low)} to {_number(control.high)}; shipped scenario: "
                f"{_number(control.default)}). {control.cost_note()}"
            )
            if control.placed:
                solara.SelectMultiple(
                    "departments",
                    values=settings["departments"],
                    all_values=DEPARTMENTS,
                    on_value=lambda v, u=update: u("departments", v),
                )
            solara.SliderInt(
                "first year",
                value=settings["start"],
                min=START_YEARS[0],
                max=START_YEARS[1],
                on_value=lambda v, u=update: u("start", v),
                thumb_label="always",
            )


def _number(value: float) -> str:
    """10,000,000 rather than 1e+07; 0.8 stays 0.8."""
    return f"{value:,.0f}" if value >= 1000 or value == int(value) else f"{value:g}"


@solara.component
def Results(result, seconds: float, context, stale: bool, asked: int | None = None, in_worlds=None, world_seconds=0.0):
    """The comparison's tables and charts; ``asked`` is the number of seeds wanted while only some are done."""
    years = YEARS
    # the page redraws with every progress step while the next comparison runs, showing this one greyed out:
    # its tables and chart specs are computed once (the server's core is the workers' too)
    # (keyed on the result itself, which the memo then holds: an id could be reused once a result is dropped)
    table, totals_md, outflow_spec, averted_spec, cost_spec = solara.use_memo(
        lambda: _view(result, years), dependencies=[result]
    )
    style = {"opacity": "0.5"} if stale else {}
    with solara.Column(style=style):
        Md(f"### Totals {years[0]}-{years[1]} against '{html.escape(result.scenarios[0])}'")
        Explained(
            "Averted: the first scenario's irregular departures minus this one's, paired by seed (negative: more). "
            "Cost: the scenario's levers, US dollars. The last three columns are the agreement's own targets (mean over "
            "seeds; in brackets, the seeds that meet the target on their own)."
        )
        Md(totals_md)
        if in_worlds is not None:
            WorldsResults(in_worlds, years, world_seconds)
        if vm.CUSTOM in context.descriptions:
            Explained(f"Custom scenario: {html.escape(context.descriptions[vm.CUSTOM])}")
        if len(result.seeds) < 5:
            Explained(
                f"With {len(result.seeds)} seeds the 90% intervals are rough (drawn between so few runs): "
                "use 5 or more to read them."
            )
        Md(f"### Irregular departures a year, {years[0]}-{years[1]}")
        Explained(
            "Irregular journeys started each year (a migrant who tries again counts again); line: mean over seeds; "
            "band: 90% interval over seeds and parameter draws."
        )
        Chart(outflow_spec)
        if len(table) > 1:
            Explained(
                "The bands above overlap because each seed carries its own parameter values; what each scenario "
                "averts a year against the first, seed by seed, shows how sure the difference is: line, mean; band, "
                "90% interval."
            )
            Chart(averted_spec)
            Explained(
                "Departures averted against the first scenario, with 90% intervals (hover for cost per departure averted)."
            )
            Chart(cost_spec)
            GroupsResults(result, years)
        if asked:
            solara.Text(
                f"First {len(result.seeds)} of {asked} seeds, after {seconds:.1f} s: "
                "the numbers and bands will settle as the other seeds finish."
            )
        else:
            solara.Text(
                f"{len(result.seeds)} seeds x {len(result.scenarios)} scenarios in {seconds:.1f} s "
                f"(simulations run so far on this server: {STORE.runs})."
            )
        with solara.Row(style={"flex-wrap": "wrap"}):
            solara.FileDownload(
                lambda: vm.comparison_csv(result, years, context),
                filename="migsim-comparison.csv",
                label="Download the comparison (CSV)",
            )
            solara.FileDownload(
                lambda: vm.comparison_png(result, years),
                filename="migsim-comparison.png",
                label="Download a chart (PNG)",
            )
            solara.FileDownload(
                lambda: vm.comparison_zip(result, years),
                filename="migsim-comparison.zip",
                label="Download every table (zip)",
            )
        Explained(
            "The CSV holds the totals and the numbers a year above, with the seeds, the scale and each scenario's "
            "description (the numbers by group are the zip's by_group.csv). The PNG is "
            "the chart `migsim compare` writes: departures a year, departures averted a year and by department. The "
            "zip holds every file `migsim compare` writes (tables by year, department and seed, and what produced "
            "them): unpacked, `migsim reproduce FOLDER` reruns it and checks every number. Each chart's "
            "menu (⋯) saves it as shown, in SVG or PNG."
        )


@solara.component
def ComparePage():
    solara.Title("migsim: compare scenarios")
    solara.Style(CSS)
    Navigation()
    problem = custom_scenario()[1] if use_custom.value else ""
    count = len(chosen.value) + (1 if use_custom.value else 0)
    solara.use_effect(lambda: start_comparison() if comparison.not_called else None, [])
    with solara.Sidebar():
        Md("### Scenarios")
        Explained(
            "Pick two to four in all (a custom scenario counts as one); the first is the reference for 'averted'. "
            "Scenario files live in `scenarios/`."
        )
        solara.SelectMultiple("scenarios", values=chosen.value, all_values=list(SCENARIOS), on_value=chosen.set)
        solara.Checkbox(label="add a custom scenario (baseline + levers below)", value=use_custom)
        if use_custom.value:
            LeverControls()
            if problem:
                solara.Error(problem)
        Md("### Precision")
        solara.SliderInt("seeds", value=seeds, min=2, max=20, thumb_label="always")
        Explained(
            "Runs per scenario, each with its own random draws and its own parameter values from the calibration; more seeds, a steadier picture, longer wait."
        )
        solara.SliderInt("plausible worlds", value=n_worlds, min=0, max=20, thumb_label="always")
        Explained(
            "Runs per scenario with every assumed number drawn from its plausible range as well (0: none): in how "
            "many worlds each scenario averts journeys and arrivals and meets the targets."
        )
        solara.Select("scale", values=list(SCALES), value=scale_label)
        Explained("Households each simulated agent stands for; results are scaled back to all 3.3 million households.")
        ready = 2 <= count <= 4 and not problem
        solara.Button("Compare", on_click=start_comparison, disabled=not ready or comparison.pending, color="primary")
        if not 2 <= count <= 4:
            solara.Warning(f"Choose two to four scenarios in all, the custom one included ({count} chosen).")
    Md(
        "Projected **irregular departures** from Guatemala under each scenario, what they cost, and the agreement's "
        "targets. How to read it and the model's caveats are at the bottom of the page."
    )
    if comparison.pending:
        cached = STORE.cached([SCENARIOS[n] for n in chosen.value], range(int(seeds.value)), SCALES[scale_label.value])
        solara.ProgressLinear(comparison.progress if comparison.progress else True)
        solara.Text(
            "Fetching results." if cached else simulating_text(comparison.progress, time.perf_counter() - started.value)
        )
    if comparison.error:
        solara.Error(f"The comparison failed: {comparison.exception}")
    latest = comparison.latest
    if comparison.pending and preview.value is not None:
        if preview.value[3] is None:
            solara.Text("The seeds are done (below); now the plausible worlds.")
        Results(*preview.value[:3], stale=False, asked=preview.value[3])
    elif latest is not None and latest[0] is not None:
        Results(*latest[:3], stale=comparison.pending, in_worlds=latest[3], world_seconds=latest[4])
    Md(vm.READ_ME)


@solara.component
def MapPage():
    solara.Title("migsim: by department")
    solara.Style(CSS)
    Navigation()
    latest = comparison.latest
    if latest is None or latest[0] is None:
        solara.Info("Run a comparison on the Compare page first; the map shows its results by department.")
        return
    map_page.page(latest[0], YEARS)


@solara.component
def WatchPage():
    from viz.watch import page

    solara.Style(CSS)
    Navigation()
    Explained(
        "One run of a shipped scenario, month by month from 2002, at a coarse scale. Choose the scenario, seed and "
        "scale, then press **Reset** to build that run (a change takes effect only then); **Step** simulates one "
        "month, **Play** runs on. Mesa's own controls: *Play Interval* is the pause between months while playing "
        "(ms), *Render Interval* how many months pass between redraws, *Use Threads* draws in the background."
    )
    page()


def warm_up() -> None:
    """Simulate the page's first comparison, so the first visitor need not wait.

    The server starts it (``python -m viz``) in a thread of its own; importing this module starts nothing.
    """
    STORE.comparison([SCENARIOS[n] for n in DEFAULT_SCENARIOS], range(DEFAULT_SEEDS), DEFAULT_SCALE)


@solara.component
def HingesPage():
    solara.Title("migsim: what the answers hinge on")
    solara.Style(CSS)
    Navigation()
    router = solara.use_router()

    def compare_with_baseline(name: str) -> None:
        use_custom.set(False)
        chosen.set(["baseline", name])
        start_comparison()
        router.push("/")

    Explained(
        "The Compare page's answers rest on numbers the model assumes. Here: in which plausible worlds each "
        "conclusion fails (PRIM), which assumed numbers each effect is most sensitive to (Sobol'), and the "
        "cheapest packages that still avert journeys in the worst worlds (`migsim optimise`). The commands that "
        "write these reports run for minutes, so the page shows what they last wrote."
    )
    hinges_page.page(set(SCENARIOS), compare_with_baseline)


routes = [
    solara.Route(path="/", component=ComparePage, label="Compare"),
    solara.Route(path="map", component=MapPage, label="By department"),
    solara.Route(path="hinges", component=HingesPage, label="What it hinges on"),
    solara.Route(path="watch", component=WatchPage, label="Watch one run"),
]
