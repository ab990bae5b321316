"""The who-crosses series read back as the sources print them, with the measure of each row kept apart."""

from __future__ import annotations

import shutil

import pytest

from sim.calibration.border_series import (
    DEFAULT_FOLDER,
    BorderDataError,
    mexico_returns,
    title42_shares,
    us_border,
)


@pytest.fixture(scope="module")
def border():
    return us_border()


def value(table, year, group, measure):
    found = table.query("fiscal_year == @year and group == @group and measure == @measure")["value"]
    assert len(found) == 1, f"FY{year} {group} {measure}: {len(found)} rows"
    return found.iloc[0]


def test_headline_apprehensions_are_the_cbp_figures(border):
    assert value(border, 2019, "total", "usbp_apprehensions") == 264168
    assert value(border, 2019, "family_unit_members", "usbp_apprehensions") == 185233
    assert value(border, 2019, "unaccompanied_children", "usbp_apprehensions") == 30329
    assert value(border, 2007, "total", "usbp_apprehensions") == 16307


def test_fy2012_children_are_guatemalas_3835_not_el_salvadors_3314(border):
    assert value(border, 2012, "unaccompanied_children", "usbp_apprehensions") == 3835


def test_measures_change_in_fy2020_and_are_never_mixed_in_one_year(border):
    apprehensions = border.query("measure == 'usbp_apprehensions'")["fiscal_year"]
    encounters = border.query("measure == 'sw_encounters'")["fiscal_year"]
    assert (apprehensions.min(), apprehensions.max()) == (2007, 2019)
    assert (encounters.min(), encounters.max()) == (2020, 2025)
    assert not border.duplicated(["fiscal_year", "group", "measure"]).any()


def test_encounter_groups_add_up_to_the_total(border):
    encounters = border.query("measure == 'sw_encounters'")
    parts = encounters.query("group != 'total'").groupby("fiscal_year")["value"].sum()
    totals = encounters.query("group == 'total'").set_index("fiscal_year")["value"]
    assert (parts == totals).all()
    assert value(border, 2021, "total", "sw_encounters") == 283035


def test_usbp_part_of_encounters_agrees_with_the_ohss_series_within_its_rounding(border):
    for year in range(2020, 2025):
        cbp = value(border, year, "total", "usbp_encounters")
        ohss = value(border, year, "total", "usbp_encounters_ohss")
        assert abs(cbp - ohss) <= 5, year
        assert cbp < value(border, year, "total", "sw_encounters")  # encounters add OFO at ports of entry


def test_single_adults_before_2020_are_marked_derived_and_fy2025_partial(border):
    singles = border.query("measure == 'usbp_apprehensions' and group == 'single_adults'")
    assert singles["derived"].all() and set(singles["fiscal_year"]) == set(range(2014, 2020))
    assert value(border, 2019, "single_adults", "usbp_apprehensions") == 264168 - 185233 - 30329
    assert border.query("fiscal_year == 2025")["partial"].all()
    assert not border.query("fiscal_year < 2025")["partial"].any()
    assert border["source"].str.len().gt(20).all()


def test_title42_expelled_most_single_adults_and_almost_no_children():
    shares = title42_shares().set_index(["fiscal_year", "group"])["share"]
    assert shares[2021, "single_adults"] == pytest.approx(136382 / 141309)
    assert shares[2021, "unaccompanied_children"] < 0.02
    assert shares[2022, "unaccompanied_children"] < 0.001
    assert shares[2023, "family_unit_members"] == pytest.approx(0.095, abs=5e-4)


def test_mexico_counts_keep_the_two_agencies_apart():
    mexico = mexico_returns().set_index(["measure", "year"])["value"]
    assert mexico["upm_devueltos", 2015] == 82597
    assert mexico["dgm_receptions", 2015] == 75045
    parts = ["upm_devueltos_deportation", "upm_devueltos_assisted_return", "upm_devueltos_assisted_return_children"]
    assert sum(mexico[p, 2019] for p in parts) == mexico["upm_devueltos", 2019]
    assert mexico_returns().query("year == 2025")["partial"].all()


@pytest.fixture
def copy(tmp_path):
    shutil.copytree(DEFAULT_FOLDER / "who_crosses", tmp_path / "who_crosses")
    shutil.copy(DEFAULT_FOLDER / "usbp_apprehensions.csv", tmp_path)
    return tmp_path


def corrupt(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_malformed_value_names_the_file_and_line(copy):
    corrupt(copy / "who_crosses" / "encounters_by_demographic.csv", ",185233,", ",185 233,")
    with pytest.raises(BorderDataError, match=r"encounters_by_demographic\.csv:\d+: value '185 233' is not a number"):
        us_border(copy)


def test_an_unknown_group_a_missing_column_and_a_missing_file_fail_clearly(copy):
    corrupt(copy / "who_crosses" / "border_outcomes.csv", ",FMUA,1538,", ",Families,1538,")
    with pytest.raises(BorderDataError, match=r"border_outcomes\.csv:\d+: demographic 'Families' is not one of"):
        title42_shares(copy)
    corrupt(copy / "who_crosses" / "mexico.csv", "series,year,value", "serie,year,value")
    with pytest.raises(BorderDataError, match=r"mexico\.csv:1: missing column\(s\) series"):
        mexico_returns(copy)
    (copy / "usbp_apprehensions.csv").unlink()
    with pytest.raises(BorderDataError, match="usbp_apprehensions.csv: file not found"):
        us_border(copy)
