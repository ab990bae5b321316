"""migsim hinges and migsim optimise on the model, tiny: what they write, resuming, and bad settings."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from sim import cache
from sim.cli import main
from sim.scenario import load_scenario

SCALE = ["--households-per-agent", "20000", "--quiet"]


def shortened(folder, name: str) -> str:
    """A shipped scenario over 2024-2027 only (the tests' runs are short; the mechanics are the same)."""
    file = folder / f"{name}.yaml"
    file.write_text(f"extends: {Path('scenarios').resolve() / name}.yaml\nstart: 2024-01\nend: 2027-12\n")
    return str(file)


def test_hinges_writes_boxes_and_sensitivities_for_each_scenario(tmp_path, capsys):
    out = tmp_path / "hinges"
    files = [shortened(tmp_path, "baseline"), shortened(tmp_path, "enforcement_only")]
    tiny = ["--worlds", "8", "--trajectories", "2", "--top", "2", "--samples", "2", "--workers", "1"]
    with cache.bypassed():
        assert main(["hinges", *files, *tiny, *SCALE, "--years", "2026-2027", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    # the sentence names the rarer outcome, whichever it is in these few worlds
    assert (
        re.search(r"enforcement only (fails to avert|averts) journeys in", printed) and "most sensitive to" in printed
    )
    report = (out / "hinges.md").read_text()
    assert "## enforcement only: journeys averted" in report and "Sobol' indices" in report
    screening = pd.read_csv(out / "screening.csv")
    from sim.uncertainties import uncertainties

    assert set(screening.name) == {u.name for u in uncertainties()}  # every uncertain number screened
    assert len(pd.read_csv(out / "indices.csv")) == 2
    effects = pd.read_parquet(out / "world_effects.parquet")
    assert len(effects) == 2 * 8 and "journey.fee_enforcement_elasticity" in effects.columns
    assert json.loads((out / "metadata.json").read_text())["worlds"]["first_seed"] == 0


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--samples", "3"], "power of 2"),
        (["--worlds", "0"], "--worlds"),
    ],
)
def test_bad_hinges_settings_are_one_line(option, message, capsys):
    with pytest.raises(SystemExit):
        main(["hinges", *option])
    assert message in capsys.readouterr().err


def test_optimise_writes_a_front_of_scenario_files_and_resumes_without_evaluating_again(tmp_path, capsys):
    out = tmp_path / "optimise"
    command = ["optimise", "--levers", "job_programs,border_enforcement", "--worlds", "2", "--population", "4"]
    command += ["--generations", "2", "--workers", "1", *SCALE, "--out", str(out)]
    with cache.bypassed():
        assert main(command) == 0
    first = capsys.readouterr().out.replace("\n", " ")
    evaluated = re.search(r"(\d+) portfolios evaluated now \((\d+) in all\)", first)
    assert evaluated and evaluated[1] == evaluated[2] and 6 <= int(evaluated[1]) <= 8  # less any asked twice
    front = pd.read_csv(out / "front.csv")
    files = sorted((out / "front").glob("front-*.yaml"))
    assert len(files) == len(front) >= 1 and (out / "front.png").stat().st_size > 0
    assert front.cost_usd.is_monotonic_increasing  # sorted by cost: front-01 is the cheapest
    scenario = load_scenario(files[-1])  # a scenario compare and the app can open
    assert {config.lever for _, config in scenario.levers} <= {"job_programs", "border_enforcement"}
    assert "Found by migsim optimise" in scenario.description
    from viz.viewmodel import offered_scenarios

    offered = offered_scenarios(str(out / "front"))  # what `migsim app --scenarios DIR` offers
    assert list(offered)[0] == "baseline" and "front-01" in offered and "agreement package" in offered
    from sim.robust_package import read_front

    shown, about = read_front(out)  # what the app's page shows
    assert list(shown.scenario) == [f.stem for f in files] and about["levers"] == ["job_programs", "border_enforcement"]
    with cache.bypassed():
        assert main(command) == 0  # the same search again: everything read back from its folder
    assert f"0 portfolios evaluated now ({evaluated[2]} in all)" in capsys.readouterr().out.replace("\n", " ")
    pd.testing.assert_frame_equal(pd.read_csv(out / "front.csv"), front)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--levers", "jobs"], "no lever 'jobs' to search"),
        (["--quantile", "1.5"], "between 0 and 1"),
        (["--population", "0"], "--population"),
    ],
)
def test_bad_optimise_settings_are_one_line(option, message, tmp_path, capsys):
    try:
        code = main(["optimise", *option, "--out", str(tmp_path / "o")])
    except SystemExit as exited:  # argparse's usage errors
        code = exited.code
    assert code == 2
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error


def test_the_app_refuses_a_folder_of_scenarios_it_could_not_offer(tmp_path, capsys):
    assert main(["app", "--scenarios", str(tmp_path / "nowhere")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert main(["app", "--scenarios", str(tmp_path)]) == 2
    assert "no scenario files" in capsys.readouterr().err
    (tmp_path / "bad.yaml").write_text("name: bad\nstart: 2002-01\nend: 2035-12\nlevers:\n  job_program: {}\n")
    assert main(["app", "--scenarios", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert "bad.yaml" in error and "job_programs" in error
    assert main(["app", "--hinges", str(tmp_path / "nowhere")]) == 2
    assert "migsim hinges --out" in capsys.readouterr().err
    assert main(["app", "--front", str(tmp_path / "nowhere")]) == 2
    assert "migsim optimise --out" in capsys.readouterr().err


def test_prim_looks_for_the_rarer_outcome_of_each_conclusion_and_says_when_it_never_happened():
    from sim.discovery import Discovery
    from sim.hinges import Hinges, holds, rarer_case
    from sim.worlds import sample

    effects = pd.DataFrame({"journeys_averted": [5.0, 3.0, -1.0, 2.0], "seizure_growth_met": [False, True] * 2})
    case, cases = rarer_case(holds(effects, "journeys_averted"), "journeys_averted")
    assert case == "fails to avert journeys" and cases.tolist() == [False, False, True, False]
    case, cases = rarer_case(holds(effects.iloc[:3], "seizure_growth_met"), "seizure_growth_met")
    assert case == "meets the seizures target" and cases.tolist() == [False, True, False]
    never = Discovery((), 0.0, pd.DataFrame())
    rare = Discovery((), 0.25, pd.DataFrame())
    found = Hinges(
        sample(4),
        effects,
        {("package", "fails to avert journeys"): never, ("package", "meets the seizures target"): rare},
        {},
    )
    assert found.sentences() == [
        "package averts journeys in all 4 worlds",
        "package meets the seizures target in 25% of worlds, in no region of the inputs in particular",
    ]


@pytest.mark.parametrize("command", ["hinges", "optimise"])
def test_a_bad_scheduler_is_one_line_before_any_run(command, tmp_path, capsys):
    code = main([command, "--scheduler", "htp://10.0.0.5:8786", "--out", str(tmp_path / "out"), "--quiet"])
    error = capsys.readouterr().err
    assert code == 2 and "unknown protocol 'htp'" in error and "Traceback" not in error
    assert not (tmp_path / "out").exists()


def test_a_search_on_a_dask_cluster_finds_the_same_front_as_on_this_machine(tmp_path):
    from distributed import Client, LocalCluster

    from sim.robust_package import search

    settings = {"levers": ["job_programs", "border_enforcement"], "worlds": 2, "population": 4, "generations": 1}
    settings |= {"households_per_agent": 20000.0, "workers": 1}
    with cache.bypassed():
        local = search(tmp_path / "here", **settings)
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            with Client(cluster) as client:
                remote = search(tmp_path / "there", executor=client.get_executor(), **settings)
    pd.testing.assert_frame_equal(local.front, remote.front)
    assert remote.evaluations == local.evaluations >= 3
