"""Worker pools (sim.workers): they end when closed, and a Ctrl-C while they start is not lost."""

from __future__ import annotations

import subprocess
import sys


def _python(script: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)


def test_a_pool_closed_before_any_task_lets_the_interpreter_exit():
    """Its workers used to wait for tasks forever, and the interpreter for them at exit."""
    done = _python(
        "import time\n"
        "from sim.workers import close_pool, process_pool\n"
        "pool = process_pool(2, threads=1)\n"
        "time.sleep(1)\n"  # the workers are up and waiting for tasks
        "close_pool(pool)\n"
        "print('closed')\n"
    )
    assert done.returncode == 0 and "closed" in done.stdout, done.stderr


def test_ctrl_c_while_the_helper_processes_start_interrupts_the_command():
    """SIGINT is blocked, not ignored, while the forkserver starts: the key press arrives afterwards."""
    done = _python(
        "import os, signal\n"
        "from multiprocessing import forkserver\n"
        "from sim import workers\n"
        "start = forkserver.ensure_running\n"
        "def pressed():\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    start()\n"
        "forkserver.ensure_running = pressed\n"
        "try:\n"
        "    workers._start_helpers('forkserver')\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted')\n"
    )
    assert done.returncode == 0 and "interrupted" in done.stdout, done.stdout + done.stderr
