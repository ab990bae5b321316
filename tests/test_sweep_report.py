"""What `migsim sweep-report` computes, on synthetic results whose answers are known."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import qmc

from sim import sweep_report as report


def sobol_points(f, d: int = 3, n: int = 256) -> pd.DataFrame:
    """A Sobol' design (A, B, AB<k>) like sim.experiment's, with outcome ``f`` of the factors."""
    both = qmc.Sobol(d=2 * d, scramble=True, rng=np.random.default_rng(1)).random(n)
    a, b = both[:, :d], both[:, d:]
    rows, blocks = [a, b], ["A"] * n + ["B"] * n
    for k in range(d):
        ab = a.copy()
        ab[:, k] = b[:, k]
        rows.append(ab)
        blocks += [f"AB{k}"] * n
    x = np.concatenate(rows)
    names = [f"x{k}" for k in range(d)]
    points = pd.DataFrame(x, columns=names).assign(block=blocks, point=range(len(x)))
    return points.assign(y=f(x), cost_usd=0.0), names


def sweep_record(factors: list[str]) -> str:
    """The least ``experiment.json`` a report reads: checked as a sweep's record, factors in design order."""
    record = {"code_version": "test", "name": "t", "source": "t.yaml", "digest": "0", "spec": {}, "factors": factors}
    return json.dumps(record)


def test_sobol_indices_belong_to_their_own_factor():
    # y depends mostly on x1, a little on x0, not at all on x2; the table's rows come in any order
    points, names = sobol_points(lambda x: x[:, 0] + 4 * x[:, 1])
    points = points.sample(frac=1, random_state=3)
    indices = report.sobol(points, names, "y").set_index("factor")
    first = indices.first_order
    assert first["x1"] > 0.8 and 0.02 < first["x0"] < 0.15 and abs(first["x2"]) < 0.02
    assert indices.total.idxmax() == "x1"


def test_outcomes_are_summed_averaged_or_taken_at_the_end_by_their_kind(tmp_path):
    (tmp_path / "experiment.json").write_text(sweep_record(["f"]))
    rows = [
        {"run_id": "r", "point": 0, "replication": 0, "block": "point", "f": 1.0, "department": "national",
         "year": year, "departures_irregular": 10.0 * k, "smuggling_fee": 1000.0 + k, "stock_abroad": 5.0 * k,
         "cost_usd": 1.0}
        for k, year in enumerate((2026, 2027, 2028), start=1)
    ]  # fmt: skip
    pd.DataFrame(rows).to_parquet(tmp_path / "results.parquet")
    values = {
        o: report.outcome_by_run(tmp_path, o)[0].iloc[0]
        for o in ("departures_irregular", "smuggling_fee", "stock_abroad")
    }
    assert values["departures_irregular"]["departures_irregular"] == 60  # a flow: summed
    assert values["smuggling_fee"]["smuggling_fee"] == 1002  # a rate: averaged
    assert values["stock_abroad"]["stock_abroad"] == 15  # a stock: the last year's
    assert values["stock_abroad"]["cost_usd"] == 3
    with pytest.raises(ValueError, match="did you mean 'departures_irregular'"):
        report.outcome_by_run(tmp_path, "departures_irreglar")
    with pytest.raises(ValueError, match=r"within the years the sweep kept \(2026-2028\)"):
        report.outcome_by_run(tmp_path, "stock_abroad", (2026, 2035))


def test_correlated_factors_are_named():
    points = pd.DataFrame({"a": [0, 1, 2, 3, 4], "b": [0, 1, 2, 4, 3], "c": [3, 0, 4, 1, 2]})
    assert [(a, b) for a, b, _ in report.correlated_factors(points, ["a", "b", "c"])] == [("a", "b")]


def test_runs_keep_their_design_order_through_the_report(tmp_path):
    """What the sweep writes (one row per run and year, years in order) reaches sobol() sample by sample."""
    points, names = sobol_points(lambda x: 5 * x[:, 0] + x[:, 2], n=64)
    years = pd.DataFrame({"year": range(2026, 2036)})
    runs = points.rename(columns={"y": "departures_irregular"}).assign(run_id=lambda t: t.point.astype(str))
    table = runs.assign(replication=0, department="national").merge(years, how="cross")
    table["departures_irregular"] /= len(years)
    table.sort_values(["year", "point"]).to_parquet(tmp_path / "results.parquet")  # years first, as gathered
    (tmp_path / "experiment.json").write_text(sweep_record(names))
    per_run, factors = report.outcome_by_run(tmp_path, "departures_irregular")
    first = report.sobol(report.by_point(per_run, factors, "departures_irregular"), factors, "departures_irregular")
    first = first.set_index("factor").first_order
    assert first["x0"] > 0.9 and abs(first["x1"]) < 0.02 and 0.01 < first["x2"] < 0.1


def test_a_factor_of_months_gets_its_main_effect_and_panel(tmp_path):
    per_run = pd.DataFrame({"start": ["2026-01", "2028-01", "2030-01"] * 2, "y": [10.0, 20.0, 30.0, 12.0, 22.0, 32.0]})
    effects = report.main_effects(per_run, ["start"], "y").iloc[0]
    assert effects["factor"] == "start (2026-01 vs 2030-01)" and (effects["low"], effects["high"]) == (11.0, 31.0)
    assert report.main_effects_chart(per_run, ["start"], "y", tmp_path / "m.png").stat().st_size > 0


def test_points_say_how_far_their_replications_spread_and_how_many_meet_the_target():
    per_run = pd.DataFrame(
        {"point": [0, 0, 0, 1, 1, 1], "block": "point", "f": [1, 1, 1, 2, 2, 2],
         "y": [100.0, 700.0, 700.0, 500.0, 520.0, 540.0], "cost_usd": [1.0] * 3 + [2.0] * 3}
    )  # fmt: skip
    points = report.by_point(per_run, ["f"], "y")
    assert points[["replications", "y_min", "y_max", "y"]].values.tolist() == [[3, 100, 700, 500], [3, 500, 540, 520]]
    assert "block" not in report.for_csv(points).columns  # only a Sobol' design's blocks mean anything
    best = report.cheapest(points, per_run, ["f"], "y", 510.0)
    assert best.point.tolist() == [0] and best.replications_meeting.iloc[0] == pytest.approx(1 / 3)
    by_cost = report.cheapest(report.by_point(per_run, ["f"], "cost_usd"), per_run, ["f"], "cost_usd", 1.5)
    assert by_cost.columns.is_unique and by_cost.point.tolist() == [0]  # the cost itself as the outcome
    floor = report.cheapest(points, per_run, ["f"], "y", 510.0, at_least=True)  # e.g. key arrests: 10 or more
    assert floor.point.tolist() == [1] and floor.replications_meeting.iloc[0] == pytest.approx(2 / 3)
