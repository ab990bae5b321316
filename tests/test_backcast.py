"""The backcast: what it compares with, its naive forecasts, its checks, and that its fit never sees later years."""

from __future__ import annotations

import numpy as np
import pytest

from sim.calibration.backcast import (
    GROUPS,
    HELD_OUT,
    SEEN_UNTIL,
    Backcast,
    criteria,
    naive,
    observed,
    year_rows,
)
from sim.calibration.fit import FitSettings, estimate, posterior
from sim.calibration.free import FREE, HIGH, LOW
from sim.calibration.moments import SERIES_FISCAL_YEARS, SERIES_YEARS
from sim.calibration.targets import APPREHENSION_YEARS, load_targets


def test_observed_series_are_cbp_banguat_and_mexico_numbers():
    o = observed()
    at = {int(y): k for k, y in enumerate(SERIES_FISCAL_YEARS)}
    assert o.encounters[at[2019]] == 264_168  # USBP apprehensions
    assert o.encounters[at[2021]] == 279_033  # USBP encounters: Title 8 and Title 42
    assert o.groups["family"][at[2019]] == 185_233 and o.groups["child"][at[2012]] == 3_835
    assert np.isnan(o.groups["adult"][at[2012]])  # no split by group before FY2014
    calendar = {int(y): k for k, y in enumerate(SERIES_YEARS)}
    assert o.remittances[calendar[2019]] == pytest.approx(10_508.31e6)
    assert o.mexico_returns[calendar[2015]] == 82_597 and np.isnan(o.mexico_returns[calendar[2014]])
    # every group adds up to no more than the total wherever all three are known
    known = np.isfinite(o.groups["adult"])
    assert np.all(sum(o.groups[g][known] for g in GROUPS) <= o.encounters[known] + 1)


def test_naive_forecasts_carry_the_last_seen_year_and_extend_its_trend():
    years = SERIES_FISCAL_YEARS
    exact = 1000 * np.exp(0.1 * (years - years[0]))
    found = naive(exact)
    held = np.isin(years, HELD_OUT)
    assert found["last value carried forward"] == pytest.approx(np.full(held.sum(), exact[years == SEEN_UNTIL][0]))
    assert found["trend of FY2007-FY2017"] == pytest.approx(exact[held])
    # the held-out years do not move either forecast
    changed = exact.copy()
    changed[held] *= 10
    assert all(np.array_equal(found[name], naive(changed)[name]) for name in found)


def _backcast(encounters: np.ndarray, shares: dict[str, float] | None = None) -> Backcast:
    """A backcast whose every draw gives ``encounters`` (split by ``shares``, else as observed)."""
    o = observed()
    series = {"series_encounters": np.tile(encounters, (3, 1))}
    for group in GROUPS:
        split = o.groups[group] / o.encounters if shares is None else np.full(len(encounters), shares[group])
        series[f"series_encounters_{group}"] = np.tile(np.nan_to_num(split) * encounters, (3, 1))
    series["series_remittances"] = np.tile(np.nan_to_num(o.remittances, nan=1.0), (3, 1))
    series["series_mexico_returns"] = np.tile(np.nan_to_num(o.mexico_returns, nan=1.0), (3, 1))
    return Backcast(np.zeros((3, len(FREE))), series, o, census_leak=0.05)


def test_a_model_that_reproduces_the_data_meets_every_check():
    checks = criteria(_backcast(observed().encounters))
    assert len(checks) == 9 and all(c.holds for c in checks), [c for c in checks if not c.holds]


def test_a_flat_model_fails_the_held_out_checks_and_says_by_how_much():
    o = observed()
    flat = np.full(len(SERIES_FISCAL_YEARS), o.encounters[SERIES_FISCAL_YEARS == SEEN_UNTIL][0])
    checks = {c.check: c for c in criteria(_backcast(flat, {"adult": 0.5, "family": 0.4, "child": 0.1}))}
    assert not checks["FY2019 apprehensions"].holds and "(-75%)" in checks["FY2019 apprehensions"].found
    assert not checks["FY2019 split (adults / families / children)"].holds
    assert checks["FY2019 split (adults / families / children)"].found == "50% / 40% / 10%"
    # no change at all: no correlation, no sign right, no better than carrying FY2017 forward
    correlation = checks["held out FY2019-FY2024: correlation of yearly log changes"]
    assert not correlation.holds and correlation.found == "none (the model does not change)"
    assert checks["held out FY2019-FY2024: sign of the yearly change"].found == "0 of 6"
    assert not checks[
        "held out FY2018-FY2024: average relative error against the last value carried forward"
    ].holds  # equal to it, so not below it
    rows = year_rows(_backcast(flat))
    assert [r["held_out"] for r in rows] == [y in HELD_OUT for y in SERIES_FISCAL_YEARS]
    assert all(np.isnan(r["last value carried forward"]) for r in rows if not r["held_out"])


class _Journal:
    """Moments as smooth functions of the vector; ``later`` is added to the apprehensions after FY2017."""

    def __init__(self, later: float) -> None:
        self.later = later

    def evaluate(self, thetas, progress=None, **_):
        targets = load_targets()
        found = []
        for theta in thetas:
            u = (np.asarray(theta) - LOW) / (HIGH - LOW)
            level = np.exp(u[0] - 0.5)
            series = targets.apprehensions * level * np.exp(0.3 * (u[1] - 0.5))
            series = np.where(APPREHENSION_YEARS > SEEN_UNTIL, series + self.later, series)
            found.append(
                {
                    "emigrant_share": (targets.emigrant_share * np.exp(u[2] - 0.5)).tolist(),
                    "aspiring_share": [targets.intention * np.exp(u[3] - 0.5)],
                    "apprehensions": series.tolist(),
                    "apprehension_groups": [np.nan_to_num(s, nan=0.1).tolist() for s in targets.group_shares.values()],
                }
            )
            if progress:
                progress(1)
        return found


def test_the_backcast_fit_never_sees_the_held_out_years():
    targets = load_targets()
    settings = FitSettings(2, 1, 16, 1, 0.1, 10)
    seen = APPREHENSION_YEARS <= SEEN_UNTIL
    fits = [estimate(_Journal(later), targets, settings, years=seen).x for later in (0.0, 1e6)]
    posteriors = [posterior(_Journal(later), targets, settings, years=seen)[0] for later in (0.0, 1e6)]
    assert np.array_equal(fits[0], fits[1]) and np.array_equal(posteriors[0], posteriors[1])
    # the same fit with every year sees the change (so the check above can fail)
    assert not np.array_equal(*[posterior(_Journal(later), targets, settings)[0] for later in (0.0, 1e6)])
