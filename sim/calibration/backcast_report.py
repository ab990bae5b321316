"""The backcast's part of the validation report: the checks, a table by year and group, a plot and a CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sim.calibration.backcast import GROUPS, HELD_OUT, SEEN_UNTIL, Backcast, criteria, naive, year_rows  # noqa: E402
from sim.calibration.moments import SERIES_FISCAL_YEARS  # noqa: E402
from sim.units import GROUP_NAMES  # noqa: E402


def plot(folder: Path, b: Backcast) -> None:
    """Total and by group, model band against CBP, held-out years shaded, naive forecasts dotted."""
    years = SERIES_FISCAL_YEARS
    fig, axes = plt.subplots(1, 4, figsize=(15, 3.8), sharex=True)
    panels = [("series_encounters", b.observed.encounters, "all Guatemalans")]
    panels += [
        (f"series_encounters_{g}", b.observed.groups[g], name) for g, name in zip(GROUPS, GROUP_NAMES, strict=True)
    ]
    for ax, (name, real, title) in zip(axes, panels, strict=True):
        low, mid, high = b.band(name) / 1000
        ax.fill_between(years, low, high, color="#1f77b4", alpha=0.25, lw=0, label="model, 5-95% of the posterior")
        ax.plot(years, mid, "s-", ms=3, color="#1f77b4", label="model, median")
        ax.plot(years, real / 1000, "o-", ms=3, color="black", label="CBP (USBP)")
        ax.axvspan(SEEN_UNTIL + 0.5, HELD_OUT[-1] + 0.5, color="#eeeeee", zorder=0)
        ax.set(title=title, xlabel="fiscal year")
    held = np.isin(years, HELD_OUT)
    for label, values in naive(b.observed.encounters).items():
        axes[0].plot(years[held], values / 1000, ":", label=label)
    axes[0].set(ylabel="thousand encounters")
    axes[0].legend(fontsize=7, loc="upper left")
    fig.suptitle(f"Backcast: fitted to FY{SEEN_UNTIL}, FY{HELD_OUT[0]}-FY{HELD_OUT[-1]} held out (shaded)", fontsize=10)
    fig.tight_layout()
    fig.savefig(folder / "backcast.png", dpi=110)
    plt.close(fig)


def write_csv(folder: Path, rows: list[dict]) -> Path:
    path = folder / "backcast.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _k(x: float) -> str:
    return "n/a" if x != x else f"{x:,.0f}"


def lines(folder: Path, b: Backcast) -> list[str]:
    """Markdown for the report (writes backcast.png and backcast.csv beside it)."""
    plot(folder, b)
    rows = year_rows(b)
    write_csv(folder, rows)
    checks = criteria(b)
    names = list(naive(b.observed.encounters))
    out = [
        f"## Backcast: fitted to FY{SEEN_UNTIL}, FY{HELD_OUT[0]}-FY{HELD_OUT[-1]} held out",
        "",
        f"The fit saw the apprehensions and their split by group only up to FY{SEEN_UNTIL} (and the census of July "
        f"2018: {b.census_leak:.1%} of the model's census-month emigrant households left after FY{SEEN_UNTIL}, which "
        f"is what the census could tell it about later years). {len(b.draws)} draws of its posterior ran to "
        "December 2024 under the dated US and Mexican regimes and the observed US labour market. Observed: USBP "
        "apprehensions to FY2019, USBP encounters from FY2020 (Title 8 apprehensions plus Title 42 expulsions, "
        "which count every attempt; the model's encounters count the same way). Checks on the posterior median:",
        "",
        "| check | wanted | model | holds |",
        "|---|---|---|---|",
    ]
    out += [f"| {c.check} | {c.wanted} | {c.found} | {'yes' if c.holds else '**no**'} |" for c in checks]
    out += [
        "",
        "| fiscal year | CBP | model (median) | 5-95% | " + " | ".join(names) + " | CBP adults / families / "
        "children | model adults / families / children |",
        "|---|---:|---:|---|" + "---:|" * len(names) + "---|---|",
    ]
    for r in rows:
        mark = " (held out)" if r["held_out"] else ""
        real = " / ".join(_k(r[f"observed_{g}"]) for g in GROUPS)
        model = " / ".join(_k(r[f"model_{g}"]) for g in GROUPS)
        naive_cells = " | ".join(_k(r[n]) for n in names)
        out.append(
            f"| FY{r['fiscal_year']}{mark} | {_k(r['observed'])} | {_k(r['model'])} | {_k(r['model_low'])} - "
            f"{_k(r['model_high'])} | {naive_cells} | {real} | {model} |"
        )
    out += ["", "![backcast](backcast.png)", "", "The same numbers, tidy: `backcast.csv`.", ""]
    return out
