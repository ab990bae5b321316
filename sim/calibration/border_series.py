"""Who crosses, as observed: the border and Mexico series of ``calibration/targets/who_crosses/`` as tidy tables.

The backcast of issue #22 (fit up to FY2017, predict FY2018-FY2024 by group) needs Guatemalans at the US
southwest border by fiscal year and group, Mexico's returns of Guatemalans by year, and the share of each
group expelled under Title 42. The CSV files keep every row as it was sourced (conflicts, partial years,
derived rows); this module picks the rows a comparison can use and says which measure each row is, because
the measures changed in FY2020 and mixing them silently would fake a trend:

* ``usbp_apprehensions``: USBP Title 8 apprehensions between ports, FY2007-FY2019 (the only measure then).
* ``sw_encounters``: CBP's "encounters" from FY2020: USBP apprehensions + OFO inadmissibles at ports of entry
  + Title 42 expulsions by either. FY2025 covers October-May only (``partial``).
* ``usbp_encounters``: the USBP part of the same file, FY2020-FY2025 (Title 8 apprehensions + Title 42
  expulsions): the measure that continues ``usbp_apprehensions``.
* ``usbp_encounters_ohss``: DHS OHSS's USBP series, FY2000-FY2024, totals only, rounded to 10.

Every count is of events, not people (one person caught twice counts twice).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

import sim

DEFAULT_FOLDER = Path(sim.__file__).resolve().parent.parent / "calibration" / "targets"
WHO_CROSSES = "who_crosses"
GROUPS = {
    "Single Adults": "single_adults",
    "FMUA": "family_unit_members",
    "UAC": "unaccompanied_children",
    "Accompanied Minors": "accompanied_minors",
    "All": "total",
}
BORDER_COLUMNS = ["fiscal_year", "group", "measure", "value", "partial", "derived", "source"]
MEXICO_SERIES = {  # series name in mexico.csv -> (measure, what it counts)
    "mex_upm_devueltos_gtm_total": (
        "upm_devueltos",
        "Mexico UPM returns of Guatemalans (deportation + assisted return)",
    ),
    "mex_upm_devueltos_gtm_deportation": ("upm_devueltos_deportation", "Mexico UPM: deportations"),
    "mex_upm_devueltos_gtm_assisted_return": ("upm_devueltos_assisted_return", "Mexico UPM: assisted returns"),
    "mex_upm_devueltos_gtm_assisted_return_of_children": (
        "upm_devueltos_assisted_return_children",
        "Mexico UPM: assisted returns of children",
    ),
    "mex_upm_presentados_gtm": ("upm_presentados", "Mexico UPM: Guatemalans presented to INM (PAM initiated)"),
    "gt_dgm_deportations_from_mexico_gtm": ("dgm_receptions", "Guatemala DGM: Guatemalans received from Mexico"),
    "igm_returns_from_mexico_gtm_total": ("igm_receptions", "Guatemala IGM: Guatemalans received from Mexico"),
}


class BorderDataError(ValueError):
    """A who_crosses file the loader cannot read: one line naming the file, the line and what is wrong."""


def _rows(path: Path, required: list[str]) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV with their line numbers; a clear error when the file or a column is missing."""
    if not path.exists():
        raise BorderDataError(f"{path}: file not found (the who_crosses targets ship with the repository)")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise BorderDataError(f"{path}:1: missing column(s) {', '.join(missing)}; found {reader.fieldnames}")
        return [(reader.line_num, row) for row in reader]


def _number(path: Path, line: int, text: str | None, column: str = "value") -> float:
    try:
        return float(text or "")
    except ValueError:
        raise BorderDataError(f"{path}:{line}: {column} {text!r} is not a number") from None


def _year(path: Path, line: int, text: str | None, column: str) -> int:
    try:
        return int(text or "")
    except ValueError:
        raise BorderDataError(f"{path}:{line}: {column} {text!r} is not a year") from None


def _group(path: Path, line: int, demographic: str) -> str:
    if demographic not in GROUPS:
        raise BorderDataError(f"{path}:{line}: demographic {demographic!r} is not one of {sorted(GROUPS)}")
    return GROUPS[demographic]


def _is_partial(row: dict[str, str]) -> bool:
    return "PARTIAL" in row.get("note", "").upper() or row["series"].endswith("_partial")


def us_border(folder: Path = DEFAULT_FOLDER) -> pd.DataFrame:
    """Guatemalans at the US southwest border by fiscal year, group and measure (the module docstring's four).

    ``group`` is single_adults, family_unit_members, unaccompanied_children, accompanied_minors (FY2020 on,
    a few dozen a year) or total. FY2007-FY2019 totals come from ``usbp_apprehensions.csv`` (the CBP PDF);
    single adults FY2014-FY2019 are ``derived`` (total minus family units minus children, from different
    releases). Partial-year news points in the CSV are left out; FY2025 (October-May) is kept and marked.
    """
    path = folder / WHO_CROSSES / "encounters_by_demographic.csv"
    found: list[dict[str, object]] = []
    for line, row in _rows(path, ["series", "fiscal_year", "demographic", "title", "value", "source", "note"]):
        series = row["series"]
        if series in ("usbp_sw_apprehensions_gtm", "usbp_sw_apprehensions_gtm_DERIVED"):
            measure = "usbp_apprehensions"
        elif series == "cbp_sw_encounters_gtm_total":
            measure = "sw_encounters"
        elif series == "cbp_sw_encounters_gtm_usbp":
            measure = "usbp_encounters"
        elif series == "usbp_sw_encounters_gtm_ohss":
            measure = "usbp_encounters_ohss"
        else:
            continue
        found.append(
            {
                "fiscal_year": _year(path, line, row["fiscal_year"], "fiscal_year"),
                "group": _group(path, line, row["demographic"]),
                "measure": measure,
                "value": _number(path, line, row["value"]),
                "partial": _is_partial(row),
                "derived": series.endswith("_DERIVED"),
                "source": row["source"],
            }
        )
    table = pd.DataFrame(found, columns=BORDER_COLUMNS)
    # The CBP file splits USBP by title (Title 8 apprehensions, Title 42 expulsions): one row per group.
    usbp = table["measure"] == "usbp_encounters"
    keys = ["fiscal_year", "group", "measure"]
    combine = {"value": "sum", "partial": "any", "derived": "any", "source": "first"}
    summed = table[usbp].groupby(keys, as_index=False).agg(combine)
    totals = summed.groupby(["fiscal_year", "measure"], as_index=False).agg(combine)
    totals["group"] = "total"
    table = pd.concat([table[~usbp], summed, totals, _usbp_totals(folder)], ignore_index=True)
    duplicated = table.duplicated(keys, keep=False)
    if duplicated.any():
        first = table[duplicated].iloc[0]
        raise BorderDataError(
            f"{path}: more than one value for FY{first['fiscal_year']} {first['group']} {first['measure']}"
        )
    return table[BORDER_COLUMNS].sort_values(keys, ignore_index=True)


def _usbp_totals(folder: Path) -> pd.DataFrame:
    """USBP southwest-border apprehensions of Guatemalans FY2007-FY2019, all groups (the CBP PDF's totals)."""
    path = folder / "usbp_apprehensions.csv"
    return pd.DataFrame(
        [
            {
                "fiscal_year": _year(path, line, row["fiscal_year"], "fiscal_year"),
                "group": "total",
                "measure": "usbp_apprehensions",
                "value": _number(path, line, row["apprehensions"], "apprehensions"),
                "partial": False,
                "derived": False,
                "source": row["source"],
            }
            for line, row in _rows(path, ["fiscal_year", "apprehensions", "source"])
        ],
        columns=BORDER_COLUMNS,
    )


def mexico_returns(folder: Path = DEFAULT_FOLDER) -> pd.DataFrame:
    """Mexico's returns of Guatemalans by calendar year: ``year, measure, counts, value, partial, source``.

    Three counts that differ and are kept apart: Mexico's UPM "devueltos" (2015-2025, with its deportation /
    assisted-return split) and "presentados" (2018-2025, apprehension-like), and Guatemala's receiving-side
    counts (DGM 2015-2017, IGM 2020-2025). 2025 is January-April only (``partial``).
    """
    path = folder / WHO_CROSSES / "mexico.csv"
    found = []
    for line, row in _rows(path, ["series", "year", "value", "source", "note"]):
        if row["series"] not in MEXICO_SERIES:
            continue
        measure, counts = MEXICO_SERIES[row["series"]]
        found.append(
            {
                "year": _year(path, line, row["year"], "year"),
                "measure": measure,
                "counts": counts,
                "value": _number(path, line, row["value"]),
                "partial": _is_partial(row),
                "source": row["source"],
            }
        )
    return pd.DataFrame(found).sort_values(["measure", "year"], ignore_index=True)


def title42_shares(folder: Path = DEFAULT_FOLDER) -> pd.DataFrame:
    """Share of each group's southwest-border encounters expelled under Title 42, FY2020-FY2023.

    Columns ``fiscal_year, group, expelled, encounters, share``: expulsions (USBP+OFO) over all encounters of
    the group (Title 42 ran 21 March 2020 - 11 May 2023; children were exempt from it from March 2022).
    """
    path = folder / WHO_CROSSES / "border_outcomes.csv"
    expelled = {}
    for line, row in _rows(path, ["series", "year", "category", "value"]):
        if row["series"] == "cbp_sw_title42_expulsions_gtm_by_demographic":
            key = (_year(path, line, row["year"], "year"), _group(path, line, row["category"]))
            expelled[key] = _number(path, line, row["value"])
    encounters = us_border(folder).query("measure == 'sw_encounters'").set_index(["fiscal_year", "group"])["value"]
    found = []
    for (year, group), total in encounters.items():
        if not 2020 <= year <= 2023 or group == "total":
            continue
        count = expelled.get((year, group), 0.0)  # no row: nobody of that group was expelled that year
        found.append({"fiscal_year": year, "group": group, "expelled": count, "encounters": total})
    table = pd.DataFrame(found)
    table["share"] = table["expelled"] / table["encounters"]
    return table.sort_values(["fiscal_year", "group"], ignore_index=True)
