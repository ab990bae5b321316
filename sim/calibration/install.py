"""Make a fit the model's default: its values into ``sim/data/parameters.yaml``, its draws into ``posterior.csv``."""

from __future__ import annotations

import csv
import io
import json
import re
from importlib import resources
from pathlib import Path

import numpy as np

from sim.calibration.free import FREE
from sim.parameters import read_parameter_file
from sim.runner import write_atomic

DATA = Path(str(resources.files("sim.data")))
BEFORE = "before calibration: "  # the evidence a value had before, kept in its source


def set_value(text: str, section: str, name: str, value: float, source: str) -> str:
    """``parameters.yaml`` text with one entry's value and source replaced (comments and order kept).

    A plausible range the entry had as an assumed value is dropped: a calibrated value's uncertainty is its
    posterior.
    """
    pattern = re.compile(
        rf"(^{re.escape(section)}:\n(?:^  .*\n|^\s*\n)*?^  {re.escape(name)}:\n    value: )[^\n]*(\n    source: )[^\n]*"
        r"(?:\n    plausible: [^\n]*)?(?:\n    plausible_source: [^\n]*)?",
        re.MULTILINE,
    )
    new, count = pattern.subn(lambda m: f"{m.group(1)}{value:.4g}{m.group(2)}{json.dumps(source)}", text, count=1)
    if count != 1:
        raise ValueError(f"parameters.yaml has no entry {section}.{name}")
    return new


def install(summary: dict, draws: np.ndarray, folder: Path = DATA) -> list[Path]:
    """Write the calibrated values, the posterior draws and the fit's summary; return the files written."""
    parameters = folder / "parameters.yaml"
    text = parameters.read_text(encoding="utf-8")
    _, sources = read_parameter_file(text)
    settings = summary["run"]
    for p in FREE:
        lo, hi = np.percentile(draws[:, FREE.index(p)], [5, 95])
        before = sources[p.section][p.name]
        if BEFORE in before:
            before = before.split(BEFORE, 1)[1]
        source = (
            f"calibrated: `migsim calibrate` ({settings}), method of simulated moments against calibration/targets/ "
            f"(informs: {p.why}); posterior 5-95%: {lo:.3g} to {hi:.3g}; {BEFORE}{before}"
        )
        text = set_value(text, p.section, p.name, summary["best"][p.key], source)
    write_atomic(parameters, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["draw", *(p.key for p in FREE)])
    writer.writerows([i, *(f"{v:.6g}" for v in row)] for i, row in enumerate(draws))
    posterior = folder / "posterior.csv"
    write_atomic(posterior, lambda tmp: Path(tmp).write_text(buffer.getvalue(), encoding="utf-8"))
    record = folder / "calibration.json"
    write_atomic(record, lambda tmp: Path(tmp).write_text(json.dumps(summary, indent=1), encoding="utf-8"))
    return [parameters, posterior, record]
