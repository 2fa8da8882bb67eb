"""Running tasks on any Executor: a process pool, a Dask ``Client``, or its executor.

A Dask ``Client`` is not a ``concurrent.futures.Executor``: its futures need Dask's own
``as_completed``, and it caches a task by its hash unless told the task is impure.  These two
helpers hide the difference, so sweep and chunked simulations take either.
"""

from __future__ import annotations

import itertools
import os
import signal
import threading
import time
from concurrent.futures import FIRST_COMPLETED, wait
from contextlib import contextmanager

from ..errors import OptionError

_CALLS = itertools.count()

__all__ = ["is_dask_client", "check_executor", "submit", "completed", "finished", "call_token"]

#: how often :func:`finished` looks for a Ctrl-C while it waits (seconds)
INTERRUPT_POLL_SECONDS = 0.1


def is_dask_client(executor) -> bool:
    return type(executor).__module__.split(".")[0] == "distributed" and hasattr(executor, "gather")


def call_token() -> str:
    """A token unique to one call (process, time, count): passed with a call's tasks, it makes
    them differ from an earlier call's, so that no executor that hashes tasks (Dask's
    ``Client.get_executor()``) hands back cached results for a repeated call."""
    return f"{os.getpid()}-{time.time_ns()}-{next(_CALLS)}"


def check_executor(executor) -> None:
    """OptionError unless ``executor`` can run tasks: a concurrent.futures Executor or a Dask
    Client (anything with ``submit``)."""
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise OptionError(f"executor must be a concurrent.futures Executor or a Dask Client, got "
                          f"{type(executor).__name__}")


def submit(executor, fn, *args):
    """``executor.submit(fn, *args)``; a Dask ``Client`` gets ``pure=False``, so that a repeated
    call really runs again instead of returning Dask's cached result (timings included).  Any
    other executor that caches by hash is met by the :func:`call_token` in the task itself."""
    if is_dask_client(executor):
        return executor.submit(fn, *args, pure=False)
    return executor.submit(fn, *args)


def completed(executor, futures):
    """Futures as they finish: Dask's own as_completed for a Client's futures (concurrent.futures
    cannot wait on them), :func:`finished` for any Executor."""
    if is_dask_client(executor):
        from distributed import as_completed as dask_as_completed
        return dask_as_completed(futures)
    return finished(futures)


def finished(futures):
    """concurrent.futures' futures as they finish, with Ctrl-C raised only between two waits.

    While it waits, concurrent.futures holds every future's lock, taken one by one; a
    KeyboardInterrupt raised among those takes leaves the rest held, and the pool's shutdown
    then waits on them for ever (a report interrupted just as it began to wait hung 2 times in
    12 on a busy machine).  Here Ctrl-C only sets a flag while it waits, read after each wait of
    at most INTERRUPT_POLL_SECONDS; the caller's work between two futures sees Ctrl-C as ever."""
    pending = set(futures)
    while pending:
        with _interrupt_deferred() as pressed:
            done, pending = wait(pending, timeout=INTERRUPT_POLL_SECONDS, return_when=FIRST_COMPLETED)
        if pressed.is_set():
            raise KeyboardInterrupt
        yield from done


@contextmanager
def _interrupt_deferred():
    """A block in which Ctrl-C sets the flag it yields instead of raising (in the main thread,
    the only one Python delivers signals to; elsewhere the flag stays clear)."""
    pressed = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield pressed
        return
    previous = signal.signal(signal.SIGINT, lambda *_: pressed.set())
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)
