"""Where benchmarks keep their numbers: ``benchmarks/results/<kind>-<date>.json``, with the machine they ran on.

A second run on the same day goes to ``<kind>-<date>-2.json`` and so on: on a noisy machine the spread
between runs is part of the result, so no run overwrites another.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def write_result(kind: str, payload: dict) -> Path:
    """Write ``payload`` with the date and the machine's description; return the file's path."""
    record = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        **payload,
    }
    stem = f"{kind}-{dt.date.today().isoformat()}"
    target, n = RESULTS / f"{stem}.json", 1
    while target.exists():
        n += 1
        target = RESULTS / f"{stem}-{n}.json"
    target.write_text(json.dumps(record, indent=2))
    return target
