"""Running tasks on any Executor: a process pool, a Dask ``Client``, or its executor.

A Dask ``Client`` is not a ``concurrent.futures.Executor``: its futures need Dask's own
``as_completed``, and it caches a task by its hash unless told the task is impure.  These two
helpers hide the difference, so sweep and chunked simulations take either.
"""

from __future__ import annotations

from concurrent.futures import as_completed

__all__ = ["is_dask_client", "submit", "completed"]


def is_dask_client(executor) -> bool:
    return type(executor).__module__.split(".")[0] == "distributed" and hasattr(executor, "gather")


def submit(executor, fn, *args):
    """``executor.submit(fn, *args)``; a Dask ``Client`` gets ``pure=False``, so that a repeated
    call really runs again instead of returning Dask's cached result (timings included)."""
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
