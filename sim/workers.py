"""Worker processes for comparisons, sweeps and calibration: started one way, and gone with their parent.

``forkserver`` (``spawn`` where it is missing), because forking a process that already runs threads
(numba's, a progress bar's) can deadlock. Each worker watches its parent and exits when it dies, so a
command killed with SIGKILL leaves no worker processes behind (they would otherwise wait forever). Workers
ignore Ctrl-C, which the terminal sends to the whole process group: the parent reports it once and ends
them (:func:`close_pool`), so no worker prints a traceback of wherever the key press found it.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import resource_tracker

# the resource tracker cleans up the queue semaphores of workers ended by Ctrl-C, and says so in a warning
QUIET_TRACKER = "ignore:resource_tracker:UserWarning"


def process_pool(workers: int, threads: int | None = None) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes; ``threads`` caps each one's compiled-step threads."""
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    sys.warnoptions.append(QUIET_TRACKER)  # the tracker process takes this interpreter's -W options
    try:
        resource_tracker.ensure_running()
    finally:
        sys.warnoptions.remove(QUIET_TRACKER)
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_start_worker,
        initargs=(threads,),
    )


def close_pool(pool: ProcessPoolExecutor) -> None:
    """Shut ``pool`` down; while an exception (Ctrl-C) propagates, end the workers instead of waiting for them."""
    if sys.exc_info()[1] is not None:
        for process in list((pool._processes or {}).values()):  # no public way before Python 3.14
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _start_worker(threads: int | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if threads:
        import numba

        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: multiprocessing.process.BaseProcess) -> None:
    parent.join()  # returns when the parent has ended, however it ended
    os._exit(1)
