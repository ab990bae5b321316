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
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import forkserver, resource_tracker

# the resource tracker cleans up the queue semaphores of workers ended by Ctrl-C, and says so in a warning
QUIET_TRACKER = "ignore:resource_tracker:UserWarning"


def process_pool(workers: int, threads: int | None = None) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes; ``threads`` caps each one's compiled-step threads."""
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    _start_helpers(method)
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_start_worker,
        initargs=(threads,),
    )
    try:
        # start every worker now, holding a Ctrl-C back until they all exist: one pressed while a worker is
        # being forked would otherwise leave it out of the pool's list, so close_pool could not end it, and it
        # would fail noisily once the parent had gone (seen in CI, at 2 s into a cold run)
        with _interrupt_deferred():
            pool._launch_processes()  # what submit() does one by one; no public way to start them all
            # and the thread that, among other things, tells the workers to stop at shutdown: without it, a
            # pool given no task kept its workers, and the interpreter waited for them at exit, forever
            pool._start_executor_manager_thread()
    except BaseException:
        close_pool(pool)
        raise
    return pool


@contextmanager
def _interrupt_deferred() -> Iterator[None]:
    """Defer a Ctrl-C (SIGINT) that arrives inside the block to its end, where it interrupts as usual.

    Blocked where signals can be blocked: processes started inside inherit the block through fork and exec,
    so a Ctrl-C cannot reach them while they start. Elsewhere (Windows) a handler of the main thread holds it.
    """
    if hasattr(signal, "pthread_sigmask"):
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)  # a pending Ctrl-C arrives here
        return
    if threading.current_thread() is not threading.main_thread():  # only there can signal handlers change
        yield
        return
    held: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _: held.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if held:
            signal.raise_signal(signal.SIGINT)


def _start_helpers(method: str) -> None:
    """Start multiprocessing's resource tracker (and forkserver) deaf to Ctrl-C from their first instruction.

    SIGINT is deferred while they start (:func:`_interrupt_deferred`): they inherit the blocked signal through
    exec (and the workers the forkserver forks inherit it from the forkserver), so a Ctrl-C while they are
    still importing cannot print their traceback, and this process gets it once they have started, rather
    than losing it. The tracker also takes this interpreter's -W options, which silence its notice about
    semaphores of workers ended by Ctrl-C.
    """
    sys.warnoptions.append(QUIET_TRACKER)
    try:
        with _interrupt_deferred():
            resource_tracker.ensure_running()  # which itself unblocks SIGINT when done: block again for the next
        if method == "forkserver":
            with _interrupt_deferred():
                forkserver.ensure_running()
    finally:
        sys.warnoptions.remove(QUIET_TRACKER)


def close_pool(pool: ProcessPoolExecutor) -> None:
    """Shut ``pool`` down; while an exception (Ctrl-C) propagates, end the workers instead of waiting for them."""
    if sys.exc_info()[1] is not None:
        _terminate(pool)
    pool.shutdown(wait=True, cancel_futures=True)


def end_at_exit(pool: ProcessPoolExecutor) -> None:
    """End ``pool``'s workers when the interpreter exits, instead of waiting for the runs they are doing.

    For a pool kept for a server's life: at exit (Ctrl-C) ``concurrent.futures`` would otherwise wait for
    every run in progress (5 s measured for the app). Threading's exit hooks run last-registered first, so
    this one runs before the one that waits.
    """
    threading._register_atexit(_end_at_exit, pool)  # no public hook runs before concurrent.futures' own


EXITING = threading.Event()  # set once the interpreter exits and ends the pools given to end_at_exit


def _end_at_exit(pool: ProcessPoolExecutor) -> None:
    EXITING.set()
    _terminate(pool)


def _terminate(pool: ProcessPoolExecutor) -> None:
    for process in list((pool._processes or {}).values()):  # no public way before Python 3.14
        process.terminate()


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
