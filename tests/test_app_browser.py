"""The app served for real and driven in headless Chromium, offline: what a policymaker would click."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sim import cache
from sim.compare import compare, posterior_draws_for
from sim.worlds import sample, sentence, shares
from viz import viewmodel as vm

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SEEDS, SCALE, WORLDS = 2, 2000.0, 2  # a coarse comparison, set through the environment the app reads

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("MIGSIM_REQUIRE_BROWSER"),
    reason="needs Debian's chromium (apt install chromium); .ci/run installs it",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    env = {
        **os.environ,
        "MIGSIM_APP_SEEDS": str(SEEDS),
        "MIGSIM_APP_SCALE": str(SCALE),
        "MIGSIM_APP_WORLDS": str(WORLDS),
        "MIGSIM_APP_HINGES": str(tmp_path_factory.mktemp("hinges")),  # empty: the page says how to fill it
        "MIGSIM_APP_FRONT": str(tmp_path_factory.mktemp("optimise")),
    }
    log = tmp_path_factory.mktemp("app") / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "viz", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.time() > deadline:
                    pytest.fail(f"the app did not start:\n{log.read_text()}")
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def open_page(browser, url: str):
    """A page in its own session that may reach only the app's server (the app must work offline)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    outside: list[str] = []

    def route(request_route):
        if request_route.request.url.startswith("http://127.0.0.1"):
            request_route.continue_()
        else:
            outside.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(url)
    return page, outside, failed


def totals_row(page, scenario: str) -> list[str]:
    row = page.locator("tr", has_text=scenario).first
    return [cell.strip() for cell in row.locator("td").all_inner_texts()]


def number(text: str) -> float:
    return float(re.sub(r"[^\d.-]", "", text))


def test_compare_custom_lever_against_migsim_compare(server, browser, tmp_path):
    page, outside, failed = open_page(browser, server)
    page.wait_for_selector("text=Totals 2026-2035", timeout=120_000)
    page.wait_for_selector("svg >> text=agreement package", timeout=30_000)  # the chart, drawn as SVG
    assert totals_row(page, "agreement package")[0] == "agreement package"
    page.wait_for_selector("svg >> text=unaccompanied children", timeout=30_000)  # who: the stacked bars' legend
    page.wait_for_selector(f"text=Across {WORLDS} plausible worlds", timeout=120_000)
    worlds = sample(WORLDS)
    shipped = vm.shipped_scenarios()
    with cache.bypassed():
        in_worlds = compare(
            [shipped["baseline"], shipped["agreement package"]],
            worlds.seeds,
            households_per_agent=SCALE,
            draws=posterior_draws_for(worlds.seeds),
            worlds=worlds,
        )
    said = sentence(shares(in_worlds, (2026, 2035)).iloc[0])
    assert page.locator("td", has_text="plausible worlds").first.inner_text().strip() == said

    page.locator(".v-select", has_text="scenarios").first.click()  # add a shipped scenario
    page.locator(".menuable__content__active .v-list-item", has_text="joint task forces").click()
    page.keyboard.press("Escape")
    page.get_by_text("add a custom scenario").click()
    page.get_by_text("job programs", exact=True).click()  # open the lever's panel
    page.get_by_text("include job programs").click()
    slider = page.locator(".v-expansion-panel--active [role=slider]").first
    slider.wait_for(state="attached")
    before = float(slider.get_attribute("aria-valuenow"))
    slider.focus()
    page.keyboard.press("End")  # one key to a known value: arrow presses raced the reading of the value
    page.wait_for_function(
        "s => document.querySelector(s).getAttribute('aria-valuenow') === document.querySelector(s)"
        ".getAttribute('aria-valuemax')",
        arg=".v-expansion-panel--active [role=slider]",
    )
    amount = float(slider.get_attribute("aria-valuenow"))
    page.get_by_role("button", name="Compare").click()
    page.wait_for_selector(f"text={SEEDS} seeds x 4 scenarios in", timeout=120_000)  # not a first-seeds preview
    page.wait_for_selector("tr:has-text('custom scenario')", timeout=30_000)
    page.wait_for_selector("svg >> text=custom scenario", timeout=30_000)
    row = totals_row(page, "custom scenario")
    page.screenshot(path=str(tmp_path / "compare.png"), full_page=True)

    controls = vm.lever_controls(shipped)
    custom = vm.custom_scenario(
        shipped["baseline"], controls, {"job_programs": vm.CustomLever(amount, controls["job_programs"].departments)}
    )
    chosen = [shipped[name] for name in ("baseline", "agreement package", "joint task forces")] + [custom]
    drawn = posterior_draws_for(range(SEEDS))  # the app, like migsim compare, gives each seed its posterior draw
    with cache.bypassed():  # simulated here, not read from what the server stored
        expected = vm.totals(compare(chosen, range(SEEDS), households_per_agent=SCALE, draws=drawn), (2026, 2035))
    averted = expected.set_index("scenario").loc[vm.CUSTOM, "averted"]
    assert amount > before == controls["job_programs"].default
    assert number(row[2].split("[")[0]) == round(averted) and averted > 0
    forces = totals_row(page, "joint task forces")
    assert number(forces[2].split("[")[0]) == round(expected.set_index("scenario").loc["joint task forces", "averted"])
    assert not outside and not failed, (outside, failed)


def test_sessions_are_separate_and_every_view_renders(server, browser):
    first, _, _ = open_page(browser, server)
    second, outside, failed = open_page(browser, server)
    for page in (first, second):
        page.wait_for_selector("text=Totals 2026-2035", timeout=120_000)
    first.get_by_text("add a custom scenario").click()
    first.get_by_text("job programs", exact=True).wait_for()
    second.reload()
    second.wait_for_selector("text=Totals 2026-2035", timeout=60_000)
    assert second.get_by_text("job programs", exact=True).count() == 0, "one user's controls leaked into another's"

    second.get_by_text("By department").first.click()
    second.wait_for_selector("path[aria-roledescription='geoshape']", timeout=60_000)
    assert (
        second.locator("path[aria-roledescription='geoshape']").count() == 22
    )  # every department, with or without a value

    second.get_by_text("What it hinges on").first.click()
    second.wait_for_selector("text=migsim hinges --out", timeout=60_000)  # no report yet: which command writes one
    assert second.get_by_text("migsim optimise --out").count() == 1

    second.get_by_text("Watch one run").first.click()
    second.wait_for_selector("text=press Step or Play", timeout=60_000)  # says what to do, not empty axes
    second.get_by_role("button", name="Step").click()
    second.wait_for_selector("text=Time: 1.0", timeout=60_000)
    second.wait_for_selector("img[src^='blob:']", timeout=60_000)  # the live plots (matplotlib PNGs)
    assert second.locator("img[src^='blob:']").count() == 3
    assert not outside and not failed, (outside, failed)
