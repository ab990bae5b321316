"""Where benchmarks keep their numbers: ``benchmarks/results/<kind>-<date>.json``, with the machine they ran on.

A second run on the same day goes to ``<kind>-<date>-2.json`` and so on: on a noisy machine the spread
between runs is part of the result, so no run overwrites another.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
# a Haswell-class processor: AVX2 and no AVX-512, as most laptops (numba reads these when it is imported)
AVX2 = {
    "NUMBA_CPU_NAME": "haswell",
    "NUMBA_CPU_FEATURES": "+64bit,+avx,+avx2,+bmi,+bmi2,+cmov,+cx16,+f16c,+fma,+lzcnt,+mmx,+movbe,+pclmul,+popcnt,"
    "+sse,+sse2,+sse3,+sse4.1,+sse4.2,+ssse3,+xsave,-avx512f,-avx512dq,-avx512vl,-avx512bw,-avx512cd",
}


def compiled_for_avx2() -> bool:
    return os.environ.get("NUMBA_CPU_NAME") == AVX2["NUMBA_CPU_NAME"]


def restart_for_avx2() -> None:
    """Run this script again with the step compiled for AVX2, in a numba cache of its own for that target."""
    import sys
    import tempfile

    if not compiled_for_avx2():
        cache = tempfile.mkdtemp(prefix="migsim-avx2-")
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **AVX2, "NUMBA_CACHE_DIR": cache})


def cpu() -> dict[str, str]:
    """The processor, and the widest vector instructions the compiled step is built for (they change its speed)."""
    import llvmlite.binding as llvm

    model = platform.processor() or "unknown"
    with contextlib.suppress(OSError):
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), model)
    features = llvm.get_host_cpu_features()
    vectors = next((name for flag, name in (("avx512f", "AVX-512"), ("avx2", "AVX2")) if features.get(flag)), "other")
    return {
        "model": model,
        "vectors": vectors,
        "step_compiled_for": "AVX2 (Haswell)" if compiled_for_avx2() else vectors,
    }


def write_result(kind: str, payload: dict) -> Path:
    """Write ``payload`` with the date and the machine's description; return the file's path."""
    record = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            **cpu(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        **payload,
    }
    stem = f"{kind}-{dt.date.today().isoformat()}"
    target, n = RESULTS / f"{stem}.json", 1
    while target.exists():
        n += 1
        target = RESULTS / f"{stem}-{n}.json"
    target.write_text(json.dumps(record, indent=2))
    return target
