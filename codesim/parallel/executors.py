"""Running tasks on any Executor: a process pool, a Dask ``Client``, or its executor.

A Dask ``Client`` is not a ``concurrent.futures.Executor``: its futures need Dask's own
``as_completed``, and it caches a task by its hash unless told the task is impure.  These two
helpers hide the difference, so sweep and chunked simulations take either.
"""

from __future__ import annotations

import itertools
import os
import time
from concurrent.futures import as_completed

from ..errors import OptionError

_CALLS = itertools.count()

__all__ = ["is_dask_client", "check_executor", "submit", "completed", "call_token"]


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
    cannot wait on them), concurrent.futures' for any Executor."""
    if is_dask_client(executor):
        from distributed import as_completed as dask_as_completed
        return dask_as_completed(futures)
    return as_completed(futures)
