"""Worker processes: how many, and how to end them at once when the user presses Ctrl-C, or
when their parent is gone.

Used by :func:`codesim.sweep`, :func:`codesim.report.build_report` and the calibration
experiment: each runs a :func:`process_pool` of ``worker_count(...)`` processes (most through
:func:`worker_pool`) and, on Ctrl-C, calls :func:`end_workers`, which cancels what is queued and
ends the processes without waiting.
A worker also ends itself within :data:`PARENT_CHECK_SECONDS` once its parent has died (killed
by ``kill`` or the OOM killer, which run no clean-up): it would otherwise wait forever for work
from a pipe its sibling workers keep open.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

import signal

from ..backends import compiled
from ..errors import OptionError
from ..kernels import warm_up
from ..limits import MAX_WORKERS_PER_CORE
from ..validate import is_whole

__all__ = ["worker_count", "worker_pool", "process_pool", "start_worker", "ignore_interrupts",
           "end_workers", "PARENT_CHECK_SECONDS"]

#: how often a worker looks for its parent
PARENT_CHECK_SECONDS = 0.5


def ignore_interrupts() -> None:
    """Ctrl-C is for the parent, which cancels the work and ends workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def start_worker(parent: int) -> None:
    """Worker initialiser: ignore Ctrl-C, and end this process once ``parent`` (the pid of the
    process that made the pool) is no longer its parent."""
    ignore_interrupts()

    def watch():
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="codesim-parent-watch", daemon=True).start()


def process_pool(count: int, work_seconds: float = math.inf) -> ProcessPoolExecutor:
    """A pool of ``count`` worker processes that ignore Ctrl-C and never outlive this process.

    With the compiled kernels, numba is loaded here first, so that workers forked from this
    process inherit it rather than each loading it (0.7 s of CPU a worker): under ``auto``,
    where the pool's work, ``work_seconds`` of it on the readable path, is worth loading it
    (:func:`codesim.backends.compiled`, the rule a single call follows)."""
    if compiled(1, work_seconds) and multiprocessing.get_start_method() == "fork":
        warm_up()
    return ProcessPoolExecutor(max_workers=count, initializer=start_worker, initargs=(os.getpid(),))


@contextmanager
def worker_pool(count: int, work_seconds: float = math.inf):
    """``with worker_pool(count) as pool:`` a :func:`process_pool` that is shut down when the
    block ends, and ended at once (:func:`end_workers`) when it ends by an exception, Ctrl-C
    included."""
    pool = process_pool(count, work_seconds)
    try:
        yield pool
    except BaseException:
        end_workers(pool)
        raise
    pool.shutdown()


def end_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel queued tasks and end the pool's processes now, without waiting for running ones.

    A second Ctrl-C while this runs (a user pressing it twice) is ignored, so that no worker
    is left behind."""
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        processes = list((getattr(pool, "_processes", None) or {}).values())
        # taken before shutdown, which forgets it (a shutdown without waiting sets it to None)
        manager = getattr(pool, "_executor_manager_thread", None)
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=2)
            if process.is_alive():
                process.kill()
                process.join(timeout=1)
        # Let the pool's manager thread see its workers gone and close its wakeup pipe now:
        # otherwise Python 3.11's exit handler wakes it without a lock while it closes that
        # pipe, and prints "OSError: [Errno 9] Bad file descriptor" (later CPythons give that
        # pipe a lock of its own: gh-125451).
        if manager is not None:
            manager.join(timeout=2)
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)


def worker_count(workers, tasks: int) -> int:
    """Processes for ``tasks`` tasks: ``workers`` (default: every core, or 1 in a process that
    is itself a worker, so that pools never nest), at most one per task, and at most
    ``MAX_WORKERS_PER_CORE`` per core (more only multiplies memory).

    >>> worker_count(3, tasks=2)
    2
    """
    cores = os.cpu_count() or 1
    most = MAX_WORKERS_PER_CORE * cores
    if workers is None:             # a worker's own work stays in it: its parent has the cores
        workers = cores if multiprocessing.parent_process() is None else 1
    if not is_whole(workers, 1, most):
        raise OptionError(f"workers must be an integer from 1 to {most} ({MAX_WORKERS_PER_CORE} "
                          f"per core on this machine's {cores}), got {workers!r}")
    return min(int(workers), max(tasks, 1))
