"""The backcast: fit to what was known by FY2017, predict FY2018-FY2024, and score it against naive forecasts.

The fit (the ABC posterior of :mod:`sim.calibration.fit`) sees the Border Patrol's apprehensions
of Guatemalans and their split by group up to FY2017, LAPOP 2012 and the census of July 2018. The census
is the one later fact it sees: it counts households with an emigrant who left 2002-2018 and is still abroad,
so it knows of the departures of October 2017 - July 2018 (what :attr:`Backcast.census_leak` measures:
their share of the census-month stock in the model), but not of any count at the border after FY2017.
Draws of that posterior then run to December 2024 at the model's default scale, under what was decided
and observed outside Guatemala's households (the dated US and Mexican regimes, US unemployment, the
homicide rate, smugglers' fees); nothing after FY2017 is fitted, and no parameter is tuned to a held-out year.

Observed: USBP apprehensions FY2007-FY2019; from FY2020 USBP encounters, which add Title 42 expulsions
(events: an expelled person who tries again counts again) to the Title 8 apprehensions, as the model's
encounters do. Naive forecasts: FY2017 carried forward, and the log-linear trend of FY2007-FY2017.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.calibration.border_series import mexico_returns, us_border
from sim.calibration.fit import FitSettings, posterior
from sim.calibration.journal import Journal
from sim.calibration.moments import SERIES_FISCAL_YEARS, SERIES_YEARS
from sim.calibration.targets import APPREHENSION_YEARS, Targets
from sim.departments import read_csv

SEEN_UNTIL = 2017  # the last fiscal year the backcast's fit sees
HELD_OUT = np.arange(SEEN_UNTIL + 1, 2025)  # FY2018-FY2024
DRAWS = 20  # posterior draws run to 2024
GROUPS = {"adult": "single_adults", "family": "family_unit_members", "child": "unaccompanied_children"}
QUANTILES = (5, 50, 95)


@dataclass(frozen=True)
class Observed:
    """What the backcast is scored against, by year (NaN where a source has no number)."""

    encounters: np.ndarray  # FY2007-FY2024: USBP apprehensions to FY2019, USBP encounters from FY2020
    groups: dict[str, np.ndarray]  # the same by group (sim.units names)
    remittances: np.ndarray  # Banguat, USD, calendar years 2010-2024
    mexico_returns: np.ndarray  # Mexico's returns (devueltos) of Guatemalans, calendar years 2010-2024


def observed() -> Observed:
    """CBP's, Banguat's and Mexico's series on the backcast's years (sim.calibration.border_series, national_series)."""
    table = us_border()
    measure = np.where(table.fiscal_year <= 2019, "usbp_apprehensions", "usbp_encounters")
    chosen = table[table.measure == measure]
    wide = chosen.pivot_table(index="fiscal_year", columns="group", values="value").reindex(SERIES_FISCAL_YEARS)
    banguat = {int(r["year"]): float(r["value"]) * 1e6 for r in read_csv("national_series.csv")
               if r["series"] == "remittances_banguat"}  # fmt: skip
    mexico = mexico_returns().query("measure == 'upm_devueltos' and not partial").set_index("year")["value"]
    return Observed(
        encounters=wide["total"].to_numpy(float),
        groups={group: wide[column].to_numpy(float) for group, column in GROUPS.items()},
        remittances=np.array([banguat.get(int(y), np.nan) for y in SERIES_YEARS]),
        mexico_returns=mexico.reindex(SERIES_YEARS).to_numpy(float),
    )


@dataclass(frozen=True)
class Backcast:
    """The posterior draws' series (draw x year) and the observed ones."""

    draws: np.ndarray  # the posterior draws run to 2024 (draw x free parameter)
    series: dict[str, np.ndarray]  # moment name -> draw x year, from sim.calibration.moments._series
    observed: Observed
    census_leak: float  # share of the model's census-month emigrants who left after FY2017 (posterior median)

    def band(self, name: str) -> np.ndarray:
        """5th, 50th and 95th percentiles over the draws (3 x year)."""
        return np.percentile(self.series[name], QUANTILES, axis=0)


def fit_and_run(
    fit_journal: Journal,
    series_journal: Journal,
    targets: Targets,
    settings: FitSettings,
    progress: Callable[[int], None] | None = None,
) -> Backcast:
    """The ABC posterior without the apprehensions after FY2017, then its draws run to 2024."""
    seen = APPREHENSION_YEARS <= SEEN_UNTIL
    particles, weights, *_ = posterior(fit_journal, targets, settings, progress, years=seen)
    rng = np.random.default_rng(settings.seed + 1)
    draws = particles[rng.choice(len(particles), size=DRAWS, p=weights)]
    runs = series_journal.evaluate(list(draws), label="backcast", progress=progress)
    series = {name: np.array([run[name] for run in runs]) for name in runs[0] if name.startswith("series_")}
    leak = np.array([run["census_leak"][0] for run in runs])
    return Backcast(draws, series, observed(), float(np.median(leak)))


def evaluations(settings: FitSettings) -> int:
    """Simulations :func:`fit_and_run` asks for at most (for progress bars)."""
    return settings.particles + settings.generations * (settings.particles - settings.particles // 2) + DRAWS


def naive(values: np.ndarray) -> dict[str, np.ndarray]:
    """The two naive forecasts of the held-out years from the seen ones (FY2007-FY2017) of ``values``."""
    years = SERIES_FISCAL_YEARS
    seen = years <= SEEN_UNTIL
    slope, intercept = np.polyfit(years[seen], np.log(values[seen]), 1)
    held = np.isin(years, HELD_OUT)
    return {
        "last value carried forward": np.full(held.sum(), values[seen][-1]),
        "trend of FY2007-FY2017": np.exp(intercept + slope * years[held]),
    }


def ard(predicted: np.ndarray, observed_values: np.ndarray) -> float:
    """Average relative difference |predicted - observed| / observed."""
    return float(np.mean(np.abs(predicted - observed_values) / observed_values))


def log_changes(values: np.ndarray) -> np.ndarray:
    return np.diff(np.log(np.maximum(values, 1.0)))


@dataclass(frozen=True)
class Criterion:
    """One of issue #22's checks: what it asks, what the model gives, whether it holds."""

    check: str
    wanted: str
    found: str
    holds: bool


def criteria(b: Backcast) -> list[Criterion]:
    """The held-out and out-of-fit checks, on the posterior median (bands are in the tables)."""
    o = b.observed
    years = SERIES_FISCAL_YEARS
    median = b.band("series_encounters")[1]
    held = np.isin(years, HELD_OUT)
    found = []
    i2019 = int(np.flatnonzero(years == 2019)[0])
    total = median[i2019]
    found.append(
        Criterion(
            "FY2019 apprehensions", "within 25% of 264,168", f"{total:,.0f} ({total / o.encounters[i2019] - 1:+.0%})",
            abs(total / o.encounters[i2019] - 1) <= 0.25,
        )
    )  # fmt: skip
    shares = []
    for group in GROUPS:
        model = np.median(b.series[f"series_encounters_{group}"][:, i2019] / b.series["series_encounters"][:, i2019])
        real = o.groups[group][i2019] / o.encounters[i2019]
        shares.append((group, model, real))
    found.append(
        Criterion(
            "FY2019 split (adults / families / children)",
            "each within 10 points of " + " / ".join(f"{real:.0%}" for _, _, real in shares),
            " / ".join(f"{model:.0%}" for _, model, _ in shares),
            all(abs(model - real) <= 0.10 for _, model, real in shares),
        )
    )
    # yearly log changes between held-out years: FY2019 over FY2018 ... FY2024 over FY2023
    model_changes = log_changes(median[held])
    real_changes = log_changes(o.encounters[held])
    moves = np.ptp(model_changes) > 0
    rho = float(np.corrcoef(model_changes, real_changes)[0, 1]) if moves else float("nan")
    found.append(Criterion("held out FY2019-FY2024: correlation of yearly log changes", "at least 0.7",
                           f"{rho:.2f}" if moves else "none (the model does not change)", rho >= 0.7))  # fmt: skip
    right = int(np.sum(np.sign(model_changes) == np.sign(real_changes)))
    found.append(Criterion("held out FY2019-FY2024: sign of the yearly change", "right in at least 5 of 6",
                           f"{right} of {len(real_changes)}", right >= 5))  # fmt: skip
    model_error = ard(median[held], o.encounters[held])
    for name, forecast in naive(o.encounters).items():
        naive_error = ard(forecast, o.encounters[held])
        found.append(
            Criterion(
                f"held out FY2018-FY2024: average relative error against the {name}",
                "below the naive forecast's", f"{model_error:.2f} against {naive_error:.2f}", model_error < naive_error,
            )
        )  # fmt: skip
    early = (years >= 2007) & (years <= 2011)
    ratio = median[early] / o.encounters[early]
    found.append(Criterion("FY2007-FY2011 apprehensions", "each year within 30%",
                           ", ".join(f"{r:.2f}x" for r in ratio), bool(np.all(np.abs(ratio - 1) <= 0.30))))  # fmt: skip
    for name, label, values in (
        ("series_remittances", "remittances 2010-2024 (Banguat)", o.remittances),
        ("series_mexico_returns", "returns of Guatemalans from Mexico (SEGOB, devueltos)", o.mexico_returns),
    ):
        ratio = b.band(name)[1] / values
        has = np.isfinite(ratio)
        found.append(
            Criterion(
                label, "each year within 30%",
                f"{np.nanmin(ratio):.2f}x to {np.nanmax(ratio):.2f}x of the data ({has.sum()} years)",
                bool(np.all(np.abs(ratio[has] - 1) <= 0.30)),
            )
        )  # fmt: skip
    return found


def year_rows(b: Backcast) -> list[dict]:
    """Model (5-50-95% of the draws), data and both naive forecasts, FY2007-FY2024 (naive on held-out years only)."""
    low, mid, high = b.band("series_encounters")
    forecasts = naive(b.observed.encounters)
    held = list(HELD_OUT)
    rows = []
    for k, year in enumerate(SERIES_FISCAL_YEARS):
        row = {"fiscal_year": int(year), "held_out": year in held, "observed": float(b.observed.encounters[k]),
               "model": float(mid[k]), "model_low": float(low[k]), "model_high": float(high[k])}  # fmt: skip
        for name, values in forecasts.items():
            row[name] = float(values[held.index(year)]) if year in held else float("nan")
        for group in GROUPS:
            row[f"observed_{group}"] = float(b.observed.groups[group][k])
            row[f"model_{group}"] = float(np.median(b.series[f"series_encounters_{group}"][:, k]))
        rows.append(row)
    return rows
