"""Sweeps: every coder at every q of a grid, across processes, any Executor, or Dask.

Each q's sample is drawn from ``SeedSequence([seed, q_index])`` (or one sample for all,
``same_sample=True``) so that rows never depend on scheduling; all coders at one q see the
same data.  Small tasks travel in batches, dealt like cards so that batches cost alike.
"""

from __future__ import annotations

import math
import os
import sys
import time
from contextlib import nullcontext
from dataclasses import dataclass
from concurrent.futures import Executor

import numpy as np

from ..backends import compiled
from ..coders import DEFAULT_CODERS, make_coder, registry
from ..errors import OptionError, SupportError
from ..limits import MESSAGE_BYTES, require_memory
from ..parallel.executors import call_token, check_executor, completed, submit
from ..parallel.pool import worker_count, worker_pool
from ..parallel.progress import progress_bar
from ..sources.distributions import mixture, sample, uniform
from ..tables import Table
from ..validate import _as_float_array, checked_pmf, check_same_length, sample_size
from .iid import coder_list, measure
from .roundtrip import theory_of

__all__ = ["sweep", "mixture_grid", "SweepTask", "SweepInterrupted", "BATCHES_PER_WORKER"]


def mixture_grid(p, ts, toward=None) -> dict[str, np.ndarray]:
    """q_t = (1 - t) p + t r for t in ts (r uniform by default), labelled "t=..." exactly.

    Labels use the shortest repr of t that reads back as t, so 0.5 and 0.5000001 never
    collide; a t given twice gets a label of its own ("t=0.5 (2)").

    >>> list(mixture_grid([1.0, 0.0], [0, 0.5, 0.5000001, 0.5]))
    ['t=0.0', 't=0.5', 't=0.5000001', 't=0.5 (2)']
    """
    p = checked_pmf(p, "p")
    r = uniform(p.size) if toward is None else checked_pmf(toward, "toward")
    if isinstance(ts, (str, bytes)) or np.ndim(ts) != 1:
        raise OptionError(f"ts must be a list of mixing weights t in [0, 1], got {ts!r:.60}")
    _as_float_array(ts, "ts")                        # numbers only, named
    grid: dict[str, np.ndarray] = {}
    for t in ts:
        q = mixture(p, r, t)
        label = base = f"t={float(t)!r}"
        copy = 1
        while label in grid:
            copy += 1
            label = f"{base} ({copy})"
        grid[label] = q
    return grid


@dataclass(frozen=True)
class SweepTask:
    """One q of a sweep: every coder on one sample of n symbols from p.

    The sample comes from ``seed = [base, index]`` (``[base]`` with same_sample), which each
    row records: ``simulate(p, q, coder, n, seed=row["seed"])`` reproduces the row."""

    index: int
    label: str
    p: np.ndarray
    q: np.ndarray
    coders: tuple               # (name, options) pairs
    n: int
    base: object                # the sweep's seed
    same_sample: bool
    token: str = ""            # this sweep call's (call_token): no executor returns a cached row


def _sweep_task(task: SweepTask):
    """One q of a sweep (module-level so processes can run it): (index, rows)."""
    index, label, p, q, coders, n = task.index, task.label, task.p, task.q, task.coders, task.n
    base, same_sample = task.base, task.same_sample
    seed = [base] if same_sample else [base, index]
    x = sample(p, n, seed)
    theory = theory_of(p, q)
    rows = []
    for name, opts in coders:
        row = {"q_index": index, "q": label}
        try:
            row.update(measure(p, q, name, n, seed, symbols=x, theory=theory, **opts).result.to_dict(flat=True))
            row["error"] = ""
        except (SupportError, OptionError) as err:
            # q rules out a sampled symbol (infinite cost), or the coder refuses this q with
            # these options (no measurement): an error row, and the finished rows are kept
            cost = math.inf if isinstance(err, SupportError) else math.nan
            row.update(coder=name, n=n, seed=seed, num_bits=None,
                       measured_bits_per_symbol=cost, entropy=theory[0],
                       cross_entropy=theory[1], kl_divergence=theory[2], error=str(err))
        rows.append(row)
    return index, rows


def _sweep_batch(batch):
    """Several q's of a sweep in one call: small tasks sent one by one cost more to send than
    to run."""
    return [_sweep_task(task) for task in batch]


#: a sweep sends each worker about this many batches (enough to balance uneven tasks)
BATCHES_PER_WORKER = 8
#: a batch of small tasks is sized to take about this long (estimated): Ctrl-C keeps the rows
#: that finished, and progress moves, batch by batch
BATCH_SECONDS = 0.25


def task_seconds(task: "SweepTask", fast: bool | None = None) -> float:
    """About how long a task takes: n symbols through each coder (the registry's estimate, for
    the compiled kernels with ``fast``, else the readable coders; None: whichever will run)."""
    if fast is None:
        fast = compiled(task.n, max(registry.spec(name).seconds_per_symbol for name, _ in task.coders))
    return task.n * sum(registry.spec(name).cost(fast) for name, _ in task.coders)


def _batches(tasks: list, workers: int) -> list[list]:
    """Split tasks into batches dealt out like cards (batch k holds tasks k, k + count, ...):
    along a grid the cost of a q drifts with its index (a q far from p costs more bits), so
    dealt batches cost alike and no worker is left with the dear end of the grid.  Only small
    tasks share a batch: at most BATCH_SECONDS of estimated work each, and at least
    BATCHES_PER_WORKER batches a worker, so that real work arrives task by task."""
    cost = max((task_seconds(t) for t in tasks), default=0.0)
    per_batch = max(int(BATCH_SECONDS // cost), 1) if cost > 0 else len(tasks) or 1
    count = min(len(tasks), max(BATCHES_PER_WORKER * max(workers, 1), -(-len(tasks) // per_batch)))
    return [tasks[k::count] for k in range(count)]


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`sweep`: queued tasks were cancelled; ``rows`` holds those finished."""

    def __init__(self, rows, finished: int, total: int):
        super().__init__(f"sweep interrupted: {finished} of {total} q's finished")
        self.rows, self.finished, self.total = rows, finished, total


def sweep(p, qs, coders=None, n: int = 100_000, seed: int = 0, *,
          executor: Executor | None = None, workers: int | None = None,
          progress: bool | None = None, same_sample: bool = False) -> Table:
    """Run every coder at every q; return one row (a dict) per (q, coder).

    Parameters
    ----------
    p : array_like
        The true distribution.
    qs : list or dict
        The assumed distributions (a dict gives each a label; see :func:`mixture_grid`).
    coders : names, (name, options) pairs, or dict name -> options
        Default: the codes built for q (:data:`~codesim.coders.DEFAULT_CODERS`).
    n, seed : int
        Sample size; the sample for q number i is drawn from ``SeedSequence([seed, i])``, and
        its rows record ``seed = [seed, i]``, which :func:`simulate` accepts.
    executor : concurrent.futures.Executor, optional
        Where to run the tasks (e.g. a Dask ``Client.get_executor()``).  Default: a process
        pool of ``workers`` processes, or in-process when only one is needed.
    workers : int, optional
        Processes of the default pool (default: every core, or 1 when sweep itself runs in
        a worker process; at most one per q, and at most 4 per core).
    progress : bool, optional
        Draw a progress bar on stderr (default: when stderr is a terminal).
    same_sample : bool
        Code one sample, drawn from ``SeedSequence([seed])``, at every q (common random
        numbers): differences between rows then come from the codebook alone, which is what a
        comparison of q's wants.  Default: an independent sample per q.

    Rows hold the flattened :class:`SimulationResult` fields (the ledger as ``ledger.TERM``
    and ``theory.TERM``) plus ``q_index``, ``q`` (the label) and ``error`` (non-empty, with
    ``measured_bits_per_symbol = inf``, when q rules out a sampled symbol).  The returned
    :class:`~codesim.tables.Table` writes CSV and JSON.

    Ctrl-C cancels the queued tasks, ends the worker processes and raises
    :class:`SweepInterrupted`, whose ``rows`` are the rows that finished.  On platforms that
    start processes by spawning (Windows, macOS), call sweep under
    ``if __name__ == "__main__":``.
    """
    p, n = checked_pmf(p, "p"), sample_size(n)
    if isinstance(qs, (str, bytes)) or not isinstance(qs, (dict, list, tuple, np.ndarray)):
        raise OptionError(f"qs must be a list (or dict, or 2-D array) of distributions, got {qs!r:.60}")
    items = list(qs.items()) if isinstance(qs, dict) else [(str(i), q) for i, q in enumerate(qs)]
    if not items:
        raise OptionError("sweep needs at least one q")
    checked = []
    for label, q in items:
        q = checked_pmf(q, f"q[{label}]")
        check_same_length(p, q, ("p", f"q[{label}]"))
        checked.append((label, q))
    named = coder_list(list(DEFAULT_CODERS) if coders is None else coders)
    for name, opts in named:           # fail fast on a bad name or option, in this process
        # (a later q that refuses the options gets an error row of its own)
        make_coder(name, checked[0][1] if "adaptive" not in opts else uniform(p.size), **opts)
    token = call_token()
    tasks = [SweepTask(i, label, p, q, tuple(named), n, seed, same_sample, token)
             for i, (label, q) in enumerate(checked)]
    check_executor(executor)
    if executor is not None and workers is not None:
        raise OptionError("workers sizes sweep's own process pool; an executor brings its own "
                          "workers: give one or the other")
    count = worker_count(workers, len(tasks)) if executor is None else 1
    require_memory(MESSAGE_BYTES * n * count, f"{count} processes coding {n} symbols each")
    show = sys.stderr.isatty() if progress is None else progress
    start, results, futures = time.perf_counter(), {}, []
    own = executor is None and count > 1
    # the pool loads numba first where the readable path's work on the tasks would pay for it
    pool = (worker_pool(count, sum(task_seconds(task, fast=False) for task in tasks)) if own
            else nullcontext(executor))
    with pool as executor:
        try:
            if executor is None:
                for task in tasks:
                    index, rows = _sweep_task(task)
                    results[index] = rows
                    if show:
                        progress_bar(len(results), len(tasks), start, sys.stderr)
            else:
                workers = count if own else (os.cpu_count() or 1)
                futures = [submit(executor, _sweep_batch, batch) for batch in _batches(tasks, workers)]
                for future in completed(executor, futures):
                    for index, rows in future.result():
                        results[index] = rows
                    if show:
                        progress_bar(len(results), len(tasks), start, sys.stderr)
        except KeyboardInterrupt:           # our own pool ends its workers as this leaves it
            if not own:
                for future in futures:
                    future.cancel()
            if show:
                sys.stderr.write("\n")
            raise SweepInterrupted(Table(row for i in sorted(results) for row in results[i]),
                                   len(results), len(tasks)) from None
    return Table(row for i in sorted(results) for row in results[i])
