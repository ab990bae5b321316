"""The sourced tables added for issue #22 hold together.

Every number has a source, copies equal their originals, derived rows recompute from the rows they come from, and
census aggregates add up to the census totals.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tests.conftest import ROOT

DATA = ROOT / "sim" / "data"
NEW_TABLES = ["household_composition.csv", "abroad_before_2002.csv", "enforcement_costs.csv", "pathways.csv"]


def table(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, keep_default_na=False, dtype=str)


@pytest.fixture(scope="module")
def departments() -> pd.DataFrame:
    return pd.read_csv(DATA / "departments.csv")


@pytest.mark.parametrize("name", NEW_TABLES)
def test_every_number_has_a_value_and_a_source(name):
    rows = table(name)
    assert not rows.empty
    for column in ("value", "source"):
        if column in rows:
            blank = rows[rows[column].str.strip() == ""]
            assert blank.empty, f"{name}: rows without {column}: {blank.index.tolist()}"
    if "value" in rows:
        pd.to_numeric(rows["value"])  # every value is a number (periods and notes live in other columns)


def test_household_composition_covers_the_census_households(departments):
    composition = pd.read_csv(DATA / "household_composition.csv")
    assert composition["ine_code"].tolist() == list(range(1, 23))
    assert composition["department"].tolist() == departments["department"].tolist()
    assert (composition["households"] == departments["households_census2018"]).all()
    assert composition["households"].sum() == 3_275_931
    members = composition["persons_in_households"].sum() / composition["households"].sum()
    assert members == pytest.approx(4.535, abs=0.001)  # the poverty map's mean of tot_miembros
    rebuilt = composition["members_per_household"] * composition["households"]
    assert (abs(rebuilt - composition["persons_in_households"]) / composition["persons_in_households"] < 1e-3).all()


def test_children_age_bands_add_up_and_fit_in_the_household(departments):
    composition = pd.read_csv(DATA / "household_composition.csv")
    bands = composition[[f"children_{b}_per_household" for b in ("0_6", "7_12", "13_14")]].sum(axis=1)
    assert (abs(bands - composition["children_0_14_per_household"]) <= 0.002).all()
    everyone = composition["children_0_14_per_household"] + composition["persons_15_plus_per_household"]
    population = departments["population_census2018"] / departments["households_census2018"]
    assert (abs(everyone - population) <= 0.002).all()  # the age counts are all census residents
    # Where households are larger they hold more children: Quiché and Alta Verapaz above Guatemala department.
    by_name = composition.set_index("department")["children_0_14_per_household"]
    assert by_name["Quiché"] > 2 > by_name["Guatemala"]


def test_remittance_households_are_census_counts_within_each_department(departments):
    abroad = table("abroad_before_2002.csv")
    households = abroad[abroad["indicator"] == "households_receiving_remittances_census2018"]
    counts = pd.to_numeric(households["value"]).to_numpy()
    assert len(counts) == 22 and counts.sum() == 278_057
    assert (counts < departments["households_census2018"].to_numpy()).all()
    ratio = abroad[abroad["indicator"] == "remittance_households_per_post2002_emigrant_household_DERIVED"]
    recomputed = counts / departments["households_with_emigrants_2002_2018"].to_numpy()
    assert pd.to_numeric(ratio["value"]).to_numpy() == pytest.approx(recomputed, abs=5e-4)
    named = set(abroad.loc[abroad["ine_code"] != "", "department"])
    assert named <= set(departments["department"])


def test_us_stock_in_2000_is_copied_from_the_who_crosses_targets():
    abroad = table("abroad_before_2002.csv").set_index(["indicator", "year"])["value"]
    stock = pd.read_csv(ROOT / "calibration" / "targets" / "who_crosses" / "us_stock.csv")
    stock = stock.set_index(["series", "year"])["value"]
    assert float(abroad["guatemala_born_in_us_undesa_2024rev", "2000"]) == stock["undesa_gtm_born_in_us_total", 2000]
    assert (
        float(abroad["guatemala_born_in_us_undesa_2020rev", "2000"])
        == stock["undesa_gtm_born_in_us_total_rev2020", 2000]
    )


def test_agent_counts_are_the_national_series_ones():
    costs = pd.read_csv(DATA / "enforcement_costs.csv")
    national = pd.read_csv(DATA / "national_series.csv")
    for series in ("usbp_agents_nationwide", "usbp_agents_southwest_border_sectors"):
        copied = costs[costs["series"] == series].set_index("fiscal_year")["value"].astype(float)
        original = national[national["series"] == series].set_index("year")["value"].astype(float)
        assert copied.sort_index().equals(original.sort_index()), series


def test_agents_per_billion_recompute_from_their_inputs():
    costs = pd.read_csv(DATA / "enforcement_costs.csv").set_index(["series", "fiscal_year"])["value"]
    derived = "agents_per_usd_billion_per_year_DERIVED"
    assert costs[derived, 2013] == round(1e9 / costs["cost_per_additional_cbp_officer_per_year_cbo_s744", 2013])
    average = costs["usbp_agents_nationwide", 2019] / costs["usbp_budget", 2019]  # agents per US$ billion
    assert costs[derived, 2019] == round(average)
    assert costs[derived, 2019] < costs[derived, 2013]  # the all-in average buys fewer agents than the margin


def test_h2_visa_sums_agree_with_the_dhs_point_and_grow():
    pathways = pd.read_csv(DATA / "pathways.csv")
    h2a = pathways[pathways["series"] == "h2a_visas_issued_guatemalans"].set_index("year")["value"].astype(float)
    h2b = pathways[pathways["series"] == "h2b_visas_issued_guatemalans"].set_index("year")["value"].astype(float)
    national = pd.read_csv(DATA / "national_series.csv")
    dhs = float(national.query("series == 'h2a_visas_issued_guatemalans' and year == 2018")["value"].iloc[0])
    assert math.isclose(h2a["2018"], dhs, rel_tol=0.01)
    assert h2b["2024"] > 3 * h2b["2018"]
    partial = pathways[pathways["note"].fillna("").str.startswith("PARTIAL")]
    assert set(partial["year"]) == {"2019"}
