"""A Dask cluster as a sweep's executor: its address checked, its loss told in one line, not a traceback.

``--scheduler garbage`` used to end in a 47-line ``ValueError: missing port number``, and a scheduler killed
mid-sweep in a 50-line traceback with every run in flight recorded as failed for no stated reason. Here the
address is checked before connecting, and :class:`ClusterLost` (raised by :func:`sim.sweep.sweep` when the
executor cancels its runs) says what happened; the runs already stored stay, and the same command resumes.
"""

from __future__ import annotations

import logging
from typing import Any

SCHEMES = ("tcp", "tls", "inproc", "ucx", "ws", "wss")
# what Dask's client logs while its scheduler is gone: tracebacks of every pending gather, reconnection attempts
QUIET_LOGGERS = (
    "distributed.client",
    "distributed.core",
    "distributed.comm",
    "distributed.batched",
    "tornado.application",
)


class ClusterProblem(Exception):
    """The scheduler cannot be used as given (a bad address, nothing listening, Dask missing)."""


class ClusterLost(Exception):
    """The executor cancelled the runs in flight (a Dask scheduler lost); finished runs are stored."""


def address_problem(address: str) -> str | None:
    """What is wrong with a scheduler address such as ``tcp://10.0.0.5:8786``, if anything."""
    scheme, _, rest = address.rpartition("://")
    if scheme and scheme not in SCHEMES:
        return f"unknown protocol {scheme!r} (one of {', '.join(SCHEMES)})"
    if scheme == "inproc":
        return None
    host, colon, port = rest.rpartition(":")
    if not colon or not host.strip("[]"):
        return "give HOST:PORT, e.g. tcp://127.0.0.1:8786"
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        return f"the port must be a number from 1 to 65535, got {port!r}"
    return None


def connect(address: str, timeout: str = "10s") -> Any:
    """A Dask client of the scheduler at ``address``; :class:`ClusterProblem` with a plain reason otherwise.

    Dask's own log lines about a lost connection (one a second while it tries to reconnect) are silenced:
    the sweep says what happened in one line.
    """
    problem = address_problem(address)
    if problem:
        raise ClusterProblem(f"--scheduler {address}: {problem}")
    try:
        from distributed import Client
    except ImportError:
        raise ClusterProblem("--scheduler needs Dask: pip install 'migsim[cluster]'") from None
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ClusterProblem(f"cannot reach the Dask scheduler at {address}: {reason}") from None


def close(client: Any) -> None:
    """Close ``client`` without waiting on a scheduler that is gone."""
    try:
        client.close(timeout=2)
    except (OSError, TimeoutError, RuntimeError):
        pass
