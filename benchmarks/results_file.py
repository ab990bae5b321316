"""Where benchmarks keep their numbers: ``benchmarks/results/<kind>-<date>.json``, with the machine they ran on."""

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
    target = RESULTS / f"{kind}-{dt.date.today().isoformat()}.json"
    target.write_text(json.dumps(record, indent=2))
    return target
