"""The app's page 'What it hinges on': it shows what `migsim hinges` and `migsim optimise` wrote, or says how to."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.discovery import Box, Discovery
from sim.hinges import Hinges
from sim.hinges_report import read_report, write_report
from sim.robust_package import read_front
from sim.sensitivity import Sensitivity
from sim.worlds import sample

SCALE = 2000.0
YEARS = (2026, 2035)


def hinges_report(folder: Path) -> None:
    """A report as `migsim hinges` writes it, from known findings (the writer is the command's own)."""
    worlds = sample(4)
    effects = pd.DataFrame(
        {
            "scenario": ["package"] * 4,
            "seed": list(worlds.seeds),
            "journeys_averted": [5.0, 3.0, -1.0, 2.0],
            "arrivals_averted": [1.0] * 4,
            "key_arrests_met": [True] * 4,
            "seizure_growth_met": [False, True, False, False],
            "engagement_met": [True] * 4,
        }
    )
    box = Box({"journey.fee_enforcement_elasticity": (float("-inf"), 0.2)}, coverage=1.0, density=1.0, mass=0.25)
    indices = pd.DataFrame(
        {"name": ["population.relatives_abroad_mean", "economy.saving_rate"], "S1": [0.4, 0.2]}
        | {"S1_conf": [0.1, 0.1], "ST": [0.54, 0.39], "ST_conf": [0.2, 0.2]}
    )
    screening = pd.DataFrame({"name": indices.name, "mu_star": [9.0, 4.0], "mu_star_conf": [1.0, 1.0]} | {"sigma": 1})
    found = Hinges(
        worlds,
        effects,
        {("package", "fails to avert journeys"): Discovery((box,), 0.25, pd.DataFrame())},
        {"package": Sensitivity(screening, indices, 40)},
    )
    write_report(found, folder, YEARS, [Path("scenarios/baseline.yaml"), Path("package.yaml")], SCALE)


def front_search(folder: Path) -> None:
    """A finished search's files as `migsim optimise` writes them (front.json last)."""
    (folder / "front").mkdir(parents=True)
    pd.DataFrame(
        {
            "job_programs": [0.0, 50_000.0],
            "border_enforcement": [1.2, 1.5],
            "cost_usd": [2e9, 9e9],
            "robust_journeys_averted": [10_000.0, 90_000.0],
            "worlds_meeting_targets": [0.25, 0.75],
            "mean_journeys_averted": [20_000.0, 120_000.0],
            "mean_arrivals_averted": [5_000.0, 30_000.0],
        }
    ).to_csv(folder / "front.csv", index=False)
    about = {
        "levers": ["job_programs", "border_enforcement"],
        "worlds_count": 8,
        "quantile": 0.1,
        "years": [2026, 2035],
    }
    (folder / "front.json").write_text(json.dumps(about))


def test_the_report_reads_back_what_hinges_wrote(tmp_path):
    hinges_report(tmp_path)
    report = read_report(tmp_path)
    assert "package fails to avert journeys in worlds where journey.fee_enforcement_elasticity" in report.text
    assert list(report.indices.name) == ["population.relatives_abroad_mean", "economy.saving_rate"]
    assert report.boxes.case.tolist() == ["fails to avert journeys"]
    front, about = read_front(_front(tmp_path))
    assert front.scenario.tolist() == ["front-01", "front-02"] and about["quantile"] == 0.1


def _front(tmp_path: Path) -> Path:
    folder = tmp_path / "optimise"
    front_search(folder)
    return folder


def test_missing_or_unfinished_reports_say_which_command_writes_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="migsim hinges --out"):
        read_report(tmp_path)
    (tmp_path / "front.csv").write_text("cost_usd\n1\n")  # a search that has not finished: no front.json
    with pytest.raises(FileNotFoundError, match="migsim optimise --out"):
        read_front(tmp_path)
    (tmp_path / "metadata.json").write_text("{")
    with pytest.raises(ValueError, match="run `migsim hinges` again"):
        read_report(tmp_path)


def test_the_page_shows_the_sentences_the_sensitivities_and_the_front_and_opens_a_point(tmp_path, monkeypatch):
    import ipyvuetify as v
    import solara

    from viz import hinges_page

    hinges_report(tmp_path / "hinges")
    monkeypatch.setattr(hinges_page, "HINGES", tmp_path / "hinges")
    monkeypatch.setattr(hinges_page, "FRONT", _front(tmp_path))
    asked: list[str] = []
    _, rc = solara.render(hinges_page.page({"baseline", "front-01", "front-02"}, asked.append), handle_error=False)
    shown = " ".join(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets)
    assert "package fails to avert journeys in worlds where journey.fee_enforcement_elasticity" in shown
    assert "<td>population.relatives_abroad_mean</td>" in shown and ">0.54</td>" in shown  # Sobol' table
    assert "<td>front-02</td>" in shown and ">9,000</td>" in shown and ">90,000</td>" in shown
    charts = [w.spec for w in rc.find(solara.widgets.VegaLite).widgets]
    assert len(charts) == 2  # the sensitivities and the front
    assert [row["ST"] for row in next(iter(charts[0]["datasets"].values()))] == [0.54, 0.39]
    assert "Levers: job_programs 50000, border_enforcement 1.5." in shown  # the only one near the best effect
    rc.find(v.Btn, children=["Compare with the baseline"]).widget.click()
    assert asked == ["front-02"]


def test_the_point_shown_first_is_the_cheapest_near_the_best_effect():
    from viz.hinges_page import first_pick

    front = pd.DataFrame(
        {"scenario": ["a", "b", "c", "d"], "cost_usd": [0, 1, 2, 9], "robust_journeys_averted": [0, 50, 95, 100]}
    )
    assert first_pick(front) == "c"


def test_the_page_says_which_command_writes_a_missing_report(tmp_path, monkeypatch):
    import ipyvuetify as v
    import solara

    from viz import hinges_page

    monkeypatch.setattr(hinges_page, "HINGES", tmp_path / "hinges")
    monkeypatch.setattr(hinges_page, "FRONT", tmp_path / "optimise")
    _, rc = solara.render(hinges_page.page({"baseline"}, print), handle_error=False)
    said = " ".join(str(w.children) for w in rc.find(v.Alert).widgets)
    assert "migsim hinges --out" in said and "migsim optimise --out" in said
