"""Worker processes for comparisons, sweeps and calibration: started one way, and gone with their parent.

``forkserver`` (``spawn`` where it is missing), because forking a process that already runs threads
(numba's, a progress bar's) can deadlock. Each worker watches its parent and exits when it dies, so a
command killed with SIGKILL leaves no worker processes behind (they would otherwise wait forever).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor


def process_pool(workers: int, threads: int | None = None) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes; ``threads`` caps each one's compiled-step threads."""
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_start_worker,
        initargs=(threads,),
    )


def _start_worker(threads: int | None) -> None:
    # Ctrl-C reaches the whole process group: the parent reports it and shuts the pool down once the running
    # tasks end (a second Ctrl-C ends it at once; the workers then follow their parent), so no worker prints a
    # traceback of wherever the key press found it
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
