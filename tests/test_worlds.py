"""Plausible worlds: the hypercube covers every range, shares and rankings are paired world by world."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from sim.compare import Comparison
from sim.limits import MAX_WORLDS
from sim.worlds import Worlds, beats, per_world, sample, sentence, shares


@dataclass(frozen=True)
class Range:
    name: str
    low: float
    high: float


RANGES = [Range("a.x", 0.0, 1.0), Range("b.y", -2.0, 5.0), Range("c.z", 10.0, 10.5)]


def test_the_hypercube_puts_one_world_in_each_slice_of_every_range():
    worlds = sample(8, RANGES, first_seed=3, sampling_seed=1)
    assert worlds.seeds == list(range(3, 11))
    for column, r in enumerate(RANGES):
        slices = np.floor((worlds.values[:, column] - r.low) / (r.high - r.low) * 8).astype(int)
        assert sorted(slices) == list(range(8)), r.name  # a Latin hypercube: each eighth exactly once


def test_the_same_sampling_seed_gives_the_same_worlds_and_another_does_not():
    assert np.array_equal(sample(5, RANGES).values, sample(5, RANGES).values)
    assert not np.array_equal(sample(5, RANGES).values, sample(5, RANGES, sampling_seed=1).values)


def test_a_world_reads_back_from_its_record():
    worlds = sample(4, RANGES, first_seed=7)
    again = Worlds.from_record(worlds.record())
    assert again.names == worlds.names and np.array_equal(again.values, worlds.values)
    assert (again.first_seed, again.sampling_seed) == (worlds.first_seed, worlds.sampling_seed)
    assert again.world(9) == worlds.world(9) == dict(zip(worlds.names, worlds.values[2], strict=True))


@pytest.mark.parametrize("count", [0, -1, MAX_WORLDS + 1])
def test_a_number_of_worlds_out_of_range_says_the_range(count):
    with pytest.raises(ValueError, match=f"1 to {MAX_WORLDS:,}"):
        sample(count, RANGES)


def _comparison(journeys: dict[str, list[float]], arrivals: dict[str, list[float]] | None = None) -> Comparison:
    """A comparison of made-up yearly totals: one value per world, spread evenly over 2026-2027."""
    rows = []
    for name, values in journeys.items():
        for seed, total in enumerate(values):
            for year in (2025, 2026, 2027):
                rows.append(
                    {
                        "scenario": name,
                        "seed": seed,
                        "year": year,
                        "departures_irregular": total / 2,
                        "arrivals": (arrivals or journeys)[name][seed] / 2,
                        "key_arrests": 12.0 if name == "tough" else 3.0,
                        "seizures": 100.0 * (1.5 if name == "tough" else 1.0) ** (year - 2025),
                        "engaged_households": 30.0 if name == "soft" and year == 2027 else 20.0,
                        "households": 100.0,
                    }
                )
    seeds = list(range(len(next(iter(journeys.values())))))
    return Comparison(pd.DataFrame(rows), pd.DataFrame(), list(journeys), seeds)


def test_shares_count_worlds_in_which_each_scenario_averts_against_the_reference_in_the_same_world():
    # the reference's level varies a lot between worlds; what counts is the difference within each world
    comparison = _comparison(
        {"reference": [100, 1000, 50, 400], "tough": [90, 1100, 40, 390], "soft": [101, 999, 50, 380]},
        {"reference": [80, 800, 40, 300], "tough": [70, 700, 30, 290], "soft": [81, 799, 40, 290]},
    )
    table = shares(comparison, (2026, 2027)).set_index("scenario")
    assert list(table.index) == ["tough", "soft"]  # the reference averts nothing by definition
    assert table.loc["tough", "averts_journeys"] == 0.75  # all but the second world
    assert table.loc["tough", "averts_arrivals"] == 1.0  # it cuts arrivals everywhere
    assert table.loc["soft", "averts_journeys"] == 0.5  # -1, +1, 0, +20: a tie is not averting
    assert table.loc["tough", "journeys_averted"] == pytest.approx((10 - 100 + 10 + 10) / 4)
    assert table.loc["tough", "key_arrests_met"] == 1.0 and table.loc["soft", "key_arrests_met"] == 0.0
    assert table.loc["tough", "seizure_growth_met"] == 1.0 and table.loc["soft", "seizure_growth_met"] == 0.0
    assert table.loc["soft", "engagement_met"] == 1.0 and table.loc["tough", "engagement_met"] == 0.0
    assert "averts journeys in 75% of 4 plausible worlds; averts arrivals in 100%" in sentence(table.loc["tough"])


def test_the_chance_of_beating_another_scenario_is_paired_by_world_and_ties_split():
    comparison = _comparison(
        {"reference": [100, 1000, 50, 400], "tough": [90, 1100, 40, 390], "soft": [101, 999, 50, 380]}
    )
    table = beats(comparison, (2026, 2027))
    # averted: tough 10, -100, 10, 10; soft -1, 1, 0, 20
    assert table.loc["tough", "soft"] == 0.5 and table.loc["soft", "tough"] == 0.5
    assert table.loc["tough", "reference"] == 0.75  # the reference averts 0 in every world
    assert table.loc["soft", "reference"] == pytest.approx((0 + 1 + 0.5 + 1) / 4)
    assert np.isnan(table.loc["soft", "soft"])
    probabilities = table.to_numpy()
    off_diagonal = ~np.eye(3, dtype=bool)
    assert np.allclose((probabilities + probabilities.T)[off_diagonal], 1.0)  # a beats b or b beats a


def test_per_world_keeps_every_scenario_and_world_once():
    comparison = _comparison({"reference": [1, 2, 3], "tough": [1, 1, 1], "soft": [3, 2, 1]})
    table = per_world(comparison, (2026, 2027))
    assert len(table) == 9 and not table.duplicated(["scenario", "seed"]).any()
    assert table[table.scenario == "reference"]["journeys_averted"].eq(0).all()


# the model in plausible worlds, at a coarse scale
SCALE = 5000.0


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """The baseline and the package over 2024-2027 only (short runs; the mechanics are the same)."""
    from pathlib import Path

    from sim.scenario import load_scenario

    folder = tmp_path_factory.mktemp("short")
    for name in ("baseline", "agreement_package"):
        (folder / f"{name}.yaml").write_text(
            f"extends: {Path('scenarios').resolve() / name}.yaml\nstart: 2024-01\nend: 2027-12\n"
        )
    return [load_scenario(folder / f"{name}.yaml") for name in ("baseline", "agreement_package")]


def test_a_world_at_every_default_is_the_calibrated_run_itself(pair):
    from sim import cache
    from sim.compare import compare, posterior_draws_for
    from sim.uncertainties import uncertainties

    defaults = Worlds(
        tuple(u.name for u in uncertainties()), np.array([[u.default for u in uncertainties()]]), first_seed=4
    )
    with cache.bypassed():
        plain = compare(pair, [4], households_per_agent=SCALE, draws=posterior_draws_for([4]))
        world = compare(pair, [4], households_per_agent=SCALE, draws=posterior_draws_for([4]), worlds=defaults)
    pd.testing.assert_frame_equal(plain.yearly, world.yearly)


def test_worlds_change_the_numbers_and_every_scenario_shares_each_world(pair):
    from sim import cache
    from sim.compare import compare, posterior_draws_for
    from viz.results import ResultStore

    worlds = sample(2)
    with cache.bypassed():
        plain = compare(pair, worlds.seeds, households_per_agent=SCALE, draws=posterior_draws_for(worlds.seeds))
        in_worlds = compare(
            pair, worlds.seeds, households_per_agent=SCALE, draws=posterior_draws_for(worlds.seeds), worlds=worlds
        )
        in_app = ResultStore().comparison(pair, worlds.seeds, SCALE, worlds=worlds)
        seeds_in_app = ResultStore().comparison(pair, worlds.seeds, SCALE)
    assert not plain.yearly["departures_irregular"].equals(in_worlds.yearly["departures_irregular"])
    pd.testing.assert_frame_equal(in_app.yearly, in_worlds.yearly)  # the app's worlds are the command's
    pd.testing.assert_frame_equal(seeds_in_app.yearly, plain.yearly)  # and kept apart from its seeds
    # the same world for both scenarios: before the package's first lever (2026) their years are identical
    early = in_worlds.yearly[in_worlds.yearly.year < 2026].set_index(["seed", "year", "scenario"])
    numbers = early.select_dtypes("number").unstack("scenario")
    for column in ("departures_irregular", "arrivals"):
        assert numbers[column]["baseline"].equals(numbers[column]["agreement package"]), column


def test_compare_with_worlds_writes_them_and_reproduce_checks_every_number(tmp_path, capsys):
    import json

    from sim import cache
    from sim.cli import main

    out = tmp_path / "out"
    command = ["compare", "scenarios/baseline.yaml", "scenarios/agreement_package.yaml", "--seeds", "1"]
    with cache.bypassed():
        assert main([*command, "--worlds", "2", "--households-per-agent", "5000", "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "in 2 plausible worlds" in printed and "of 2 plausible worlds; averts arrivals in" in printed
    written = pd.read_csv(out / "worlds.csv")
    assert list(written.scenario) == ["agreement package"] and written.worlds.tolist() == [2]
    assert len(pd.read_parquet(out / "worlds.parquet")) == 2
    assert main(["reproduce", str(out)]) == 0
    assert "worlds.csv (1 rows)" in capsys.readouterr().out.replace("\n", " ")

    record = json.loads((out / "metadata.json").read_text())
    record["worlds"]["values"][1][0] = record["worlds"]["values"][1][0] * 0.5 + 1e-3  # another world
    (out / "metadata.json").write_text(json.dumps(record))
    assert main(["reproduce", str(out)]) == 1
    assert "worlds_yearly.parquet: column" in capsys.readouterr().err

    record["worlds"]["values"][1] = record["worlds"]["values"][1][:-1]
    (out / "metadata.json").write_text(json.dumps(record))
    assert main(["reproduce", str(out)]) == 2
    error = capsys.readouterr().err
    assert "metadata.json" in error and "worlds" in error and "one value for each" in error, error


@pytest.mark.parametrize("worlds", ["-1", "1001", "x"])
def test_a_bad_number_of_worlds_is_one_line(worlds, capsys):
    from sim.cli import main

    with pytest.raises(SystemExit) as exited:  # argparse's usage error
        main(["compare", "--worlds", worlds])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "--worlds" in error and "0 to 1000" in error and "Traceback" not in error


def test_worlds_on_a_dask_cluster_are_identical_to_local_ones(pair):
    from distributed import Client, LocalCluster

    from sim import cache
    from sim.compare import compare, posterior_draws_for

    worlds = sample(2, first_seed=5)
    run = {"households_per_agent": SCALE, "draws": posterior_draws_for(worlds.seeds), "worlds": worlds}
    with cache.bypassed():
        local = compare(pair, worlds.seeds, **run)
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            with Client(cluster) as client:
                remote = compare(pair, worlds.seeds, executor=client.get_executor(), **run)
    pd.testing.assert_frame_equal(local.yearly, remote.yearly)
    pd.testing.assert_frame_equal(local.departments, remote.departments)
