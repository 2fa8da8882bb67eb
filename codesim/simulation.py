r"""Simulation: sample from p, code with a coder built for q, measure, set beside the theory.

One run (:func:`simulate`)::

    p, q  -> as_pmf (validated once)
    q     -> make_coder(coder, q, **options)        a code designed for q
    p, n  -> sample(p, n, Generator(seed))           the data
    x     -> encode -> num_bits -> decode -> x again (a mismatch is an error, never a number)

and a :class:`SimulationResult` with the measured rate next to H(p), H(p, q), D(p||q), the
coder's own theoretical rate under p (``expected_bits_per_symbol``), the sample's ideal rate
under q (its information content / n), the standard error of the rate, and the **ledger**:
every bit of ``num_bits`` accounted for, exactly, on this very sample::

    sample_entropy      sum -log2 p(x_i)                  theory n H(p)
    sample_divergence   sum log2 p(x_i) / q(x_i)          theory n D(p||q)
    quantisation        sum log2 q(x_i) / q~(x_i)         theory n (D(p||q~) - D(p||q))
    coder_overhead      num_bits - sum -log2 q~(x_i)      theory: the coder's mean overhead

q~ is the model really used: the quantised q of a stream coder, 2**-l(x) of a prefix code (so
its quantisation term is the integer-length cost, on average E_p[l] - H(p, q)).  An adaptive
model's q is its sequential prediction: its divergence term is the learning cost and its
quantisation is 0 (its counts are exact).

:func:`compare` runs several coders on one sample; :func:`sweep` runs a grid of q's and coders
across processes, each q's sample drawn from ``SeedSequence([seed, q_index])`` (or one sample
for all, ``same_sample=True``) so that rows never depend on scheduling; all coders at one q
see the same data.
"""

from __future__ import annotations

import math
import os
import sys
import time
from numbers import Integral
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field

import numpy as np

from .coders import Coder, available_coders, make_coder
from .distributions import as_pmf, check_same_length, mixture, sample, uniform
from .errors import DecodeError, OptionError, SupportError
from .limits import MAX_WORKERS_PER_CORE, MESSAGE_BYTES, require_memory
from .measures import cross_entropy, entropy, kl_divergence
from .tables import Table, format_table

__all__ = ["SimulationResult", "simulate", "compare", "sweep", "mixture_grid", "measure", "Measurement"]


LEDGER_TERMS = ("sample_entropy", "sample_divergence", "quantisation", "coder_overhead")


@dataclass(frozen=True)
class SimulationResult:
    """One coder on one sample: measured cost beside theory (bits per symbol unless named).

    For an adaptive model, ``cross_entropy`` and ``kl_divergence`` describe the model the coder
    really used, its sequential predictions: E_p[L_n] / n and the learning cost E_p[L_n] / n - H(p).
    An empty sample has no rate: its per-symbol figures are nan.
    """

    coder: str
    n: int
    seed: object                        # the seed of the sample: an int or a list of ints
    num_bits: int                       # measured: exact length of the encoded message
    measured_bits_per_symbol: float     # measured: num_bits / n
    entropy: float                      # theory: H(p)
    cross_entropy: float                # theory: H(p, q)
    kl_divergence: float                # theory: D(p || q)
    expected_bits_per_symbol: float     # theory: E_p[code_length] / n for this coder
    ideal_bits_per_symbol: float        # the sample's information content under q, / n
    stderr: float                       # sqrt(Var_p[code_length]) / n
    encode_seconds: float
    decode_seconds: float
    ledger: dict = field(default_factory=dict)          # measured, bits, sums to num_bits
    ledger_theory: dict = field(default_factory=dict)   # theory, bits per symbol

    def to_dict(self, flat: bool = False) -> dict:
        """The fields as a plain dict (JSON-ready; inf stays float('inf')).

        ``flat=True`` spreads the ledger into columns ``ledger.TERM`` and ``theory.TERM`` (CSV).
        """
        d = asdict(self)
        if flat:
            ledger, theory = d.pop("ledger"), d.pop("ledger_theory")
            d.update({f"ledger.{k}": v for k, v in ledger.items()})
            d.update({f"theory.{k}": v for k, v in theory.items()})
        return d

    @property
    def excess_over_entropy(self) -> float:
        """measured - H(p): the surcharge actually paid."""
        return self.measured_bits_per_symbol - self.entropy

    def ledger_table(self) -> Table:
        """The ledger as a table: each term in bits, per symbol, and its theory per symbol."""
        size = self.n or math.nan
        rows = [{"term": k, "bits (measured)": v, "bits/symbol (measured)": v / size,
                 "bits/symbol (theory)": self.ledger_theory.get(k)} for k, v in self.ledger.items()]
        rows.append({"term": "num_bits", "bits (measured)": float(sum(self.ledger.values())),
                     "bits/symbol (measured)": self.measured_bits_per_symbol,
                     "bits/symbol (theory)": sum(self.ledger_theory.values())})
        return Table(rows)

    def __str__(self) -> str:
        return (f"{self.coder}: measured {self.measured_bits_per_symbol:.6f} bits/symbol "
                f"({self.num_bits} bits for {self.n} symbols, seed {self.seed})\n"
                f"  theory: H(p) = {self.entropy:.6f}, H(p,q) = {self.cross_entropy:.6f}, "
                f"D(p||q) = {self.kl_divergence:.6f}\n"
                f"  this coder's expected rate {self.expected_bits_per_symbol:.6f} "
                f"+/- {self.stderr:.6f} (stderr); sample ideal {self.ideal_bits_per_symbol:.6f}")


@dataclass(frozen=True)
class Measurement:
    """A result together with what a check needs: the sample's code length and its bounds."""

    result: SimulationResult
    code_length: float          # this coder's theoretical length of this very sample, bits
    bound_below: float          # code_length - bound_below <= num_bits
    bound_above: float          # num_bits <= code_length + bound_above
    coder: object = None        # the coder that was built and measured
    p: object = None            # the true distribution the sample came from
    overhead: object = None     # the coder's Overhead model for this p and n


def _theory(p, q):
    return entropy(p), cross_entropy(p, q), kl_divergence(p, q)


def _checked_round_trip(built, x):
    """Encode and decode x; raise DecodeError if the decoder does not give x back."""
    t0 = time.perf_counter()
    enc = built.encode(x)
    t1 = time.perf_counter()
    back = built.decode(enc)
    t2 = time.perf_counter()
    if not np.array_equal(back, x):
        first = int(np.argmax(back != x)) if back.size == x.size else min(back.size, x.size)
        raise DecodeError(f"{built.name}: the decoded message differs from the input at position "
                          f"{first}: the coder is broken (please report this)")
    return enc, t1 - t0, t2 - t1


def measure(p, q, coder="huffman", n=100_000, seed=0, *, symbols=None, theory=None,
            **coder_options) -> Measurement:
    """Like :func:`simulate`, also returning the sample's code length and the coder's bounds.

    ``coder`` may be a name or a coder already built for q (any :class:`~codesim.coders.Coder`).
    """
    p, q = as_pmf(p, "p"), as_pmf(q, "q")
    check_same_length(p, q)
    built = coder if isinstance(coder, Coder) else make_coder(coder, q, **coder_options)
    if symbols is None:
        require_memory(MESSAGE_BYTES * n, f"coding a message of {n} symbols in one piece")
    x = sample(p, n, seed) if symbols is None else symbols
    enc, encode_seconds, decode_seconds = _checked_round_trip(built, x)
    size = int(x.size)
    counts = np.bincount(x, minlength=q.size)        # one pass: information and code length
    code_length = built.code_length(x, counts)
    h, hx, d = theory or _theory(p, q)
    rate = built.expected_bits_per_symbol(p, size)
    overhead = built.overhead(p, size)
    sample_entropy = _information(p, counts)
    if getattr(built, "adaptive", None):             # q is the sequential model itself
        nominal, hx, d, quantisation = code_length, rate, rate - h, 0.0
    else:
        nominal, quantisation = _information(q, counts), rate - hx
    ledger = {"sample_entropy": sample_entropy, "sample_divergence": nominal - sample_entropy,
              "quantisation": code_length - nominal, "coder_overhead": enc.num_bits - code_length}
    per = (lambda v: v / size) if size else (lambda v: math.nan)
    result = SimulationResult(
        coder=built.name, n=size, seed=_seed_label(seed),
        num_bits=int(enc.num_bits), measured_bits_per_symbol=per(enc.num_bits),
        entropy=h, cross_entropy=hx, kl_divergence=d, expected_bits_per_symbol=rate,
        ideal_bits_per_symbol=per(nominal),
        stderr=math.sqrt(built.bits_variance(p, size) / size) if size else math.nan,
        encode_seconds=encode_seconds, decode_seconds=decode_seconds, ledger=ledger,
        ledger_theory={"sample_entropy": h, "sample_divergence": d,
                       "quantisation": quantisation, "coder_overhead": per(overhead.mean)})
    below, above = built.length_bounds(size)
    return Measurement(result, code_length, below, above, built, p, overhead)


def _information(q: np.ndarray, counts: np.ndarray) -> float:
    """sum_i -log2 q(x_i), from the symbol counts."""
    seen = counts > 0
    with np.errstate(divide="ignore"):
        return float(np.dot(counts[seen], -np.log2(q[seen])))


def simulate(p, q, coder: str = "huffman", n: int = 100_000, seed: int = 0,
             **coder_options) -> SimulationResult:
    """Sample n symbols from p, code them with ``coder`` built for q, decode, and measure.

    Parameters
    ----------
    p, q : array_like
        The true distribution and the one the code is built for (same alphabet 0..K-1).
    coder : str or Coder
        ``huffman``, ``shannon``, ``sfe`` (prefix codes; option ``block=k``: code k-tuples),
        ``arithmetic`` (options ``precision=b`` bits of the quantised model, default 24, and
        ``adaptive="kt"`` or ``"laplace"``: learn q from the symbols as they come), ``rans``,
        ``range``, ``ans`` (option ``precision``, up to 32 for rans, 24 for range and ans), or
        a coder already built (:func:`~codesim.coders.make_coder`).
    n : int
        Symbols to sample (a message of up to the memory budget, see :mod:`codesim.limits`).
    seed : int, list of int, or numpy Generator
        Where the sample comes from: ``sample(p, n, seed)`` draws the same symbols.

    Returns
    -------
    SimulationResult
        ``num_bits`` and ``measured_bits_per_symbol`` (measured); ``entropy`` H(p),
        ``cross_entropy`` H(p,q), ``kl_divergence`` D(p||q), ``expected_bits_per_symbol`` (this
        coder's rate under p) and ``stderr`` (theory); ``ideal_bits_per_symbol`` (the sample's
        information content under q, / n); ``ledger`` (the bits split into sample entropy,
        sample divergence, quantisation and coder overhead, summing to num_bits) with
        ``ledger_theory`` per symbol; ``encode_seconds``, ``decode_seconds``.

    Raises SupportError when the sample holds a symbol that q rules out (H(p, q) is infinite).

    Examples
    --------
    >>> r = simulate([0.5, 0.25, 0.125, 0.125], [0.25] * 4, "huffman", n=10_000, seed=0)
    >>> r.measured_bits_per_symbol, r.entropy, r.cross_entropy
    (2.0, 1.75, 2.0)
    """
    return measure(p, q, coder, n, seed, **coder_options).result


def _coder_list(coders) -> list[tuple[str, dict]]:
    if isinstance(coders, str):
        coders = [coders]
    if isinstance(coders, dict):
        return [(name, dict(opts or {})) for name, opts in coders.items()]
    out = []
    for c in coders:
        out.append((c, {}) if isinstance(c, str) else (c[0], dict(c[1])))
    return out


def compare(p, q, coders=None, n: int = 100_000, seed: int = 0) -> list[SimulationResult]:
    """Several coders on the same sample from p, each built for q (default: every coder).

    ``coders``: names, (name, options) pairs, or a dict name -> options.
    """
    p, q = as_pmf(p, "p"), as_pmf(q, "q")
    check_same_length(p, q)
    require_memory(MESSAGE_BYTES * n, f"coding a message of {n} symbols in one piece")
    x = sample(p, n, seed)
    theory = _theory(p, q)
    coders = available_coders() if coders is None else coders
    return [measure(p, q, name, n, seed, symbols=x, theory=theory, **opts).result
            for name, opts in _coder_list(coders)]


def mixture_grid(p, ts, toward=None) -> dict[str, np.ndarray]:
    """q_t = (1 - t) p + t r for t in ts (r uniform by default), labelled "t=..." exactly.

    Labels use the shortest repr of t that reads back as t, so 0.5 and 0.5000001 never
    collide; a t given twice gets a label of its own ("t=0.5 (2)").

    >>> list(mixture_grid([1.0, 0.0], [0, 0.5, 0.5000001, 0.5]))
    ['t=0.0', 't=0.5', 't=0.5000001', 't=0.5 (2)']
    """
    p = as_pmf(p, "p")
    r = uniform(p.size) if toward is None else as_pmf(toward, "toward")
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


def _seed_label(seed):
    """What a result records as its seed: an int, a list of ints, or -1 for a Generator."""
    if isinstance(seed, (list, tuple)):
        return [int(v) for v in seed]
    return int(seed) if isinstance(seed, (int, np.integer)) else -1


def _sweep_task(task):
    """One q of a sweep: every coder on one sample (module-level so processes can run it).

    The sample comes from ``seed = [base, index]`` (``[base]`` with same_sample), which each
    row records: ``simulate(p, q, coder, n, seed=row["seed"])`` reproduces the row."""
    index, label, p, q, coders, n, base, same_sample = task
    seed = [base] if same_sample else [base, index]
    x = sample(p, n, seed)
    theory = _theory(p, q)
    rows = []
    for name, opts in coders:
        row = {"q_index": index, "q": label}
        try:
            row.update(measure(p, q, name, n, seed, symbols=x, theory=theory, **opts).result.to_dict(flat=True))
            row["error"] = ""
        except SupportError as err:
            row.update(coder=name, n=n, seed=seed, num_bits=None,
                       measured_bits_per_symbol=math.inf, entropy=theory[0],
                       cross_entropy=theory[1], kl_divergence=theory[2], error=str(err))
        rows.append(row)
    return index, rows


def _progress(done: int, total: int, start: float, stream) -> None:
    width = 30
    filled = int(width * done / total)
    elapsed = time.perf_counter() - start
    stream.write(f"\rsweep [{'#' * filled}{'.' * (width - filled)}] {done}/{total} q's "
                 f"{elapsed:5.1f}s")
    if done == total:
        stream.write("\n")
    stream.flush()


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`sweep`: queued tasks were cancelled; ``rows`` holds those finished."""

    def __init__(self, rows, finished: int, total: int):
        super().__init__(f"sweep interrupted: {finished} of {total} q's finished")
        self.rows, self.finished, self.total = rows, finished, total


def _ignore_interrupts() -> None:
    """Worker initialiser: Ctrl-C is for the parent, which cancels the sweep and ends workers."""
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _end_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel queued tasks and end the pool's processes now, without waiting for running ones.

    A second Ctrl-C while this runs (a user pressing it twice) is ignored, so that no worker
    is left behind."""
    import signal
    import threading
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=2)
            if process.is_alive():
                process.kill()
                process.join(timeout=1)
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)


def worker_count(workers, tasks: int) -> int:
    """Processes for a sweep: ``workers`` (default: every core), at most one per task, and at
    most ``MAX_WORKERS_PER_CORE`` per core (more only multiplies memory)."""
    cores = os.cpu_count() or 1
    most = MAX_WORKERS_PER_CORE * cores
    if workers is None:
        workers = cores
    if not isinstance(workers, Integral) or isinstance(workers, bool) or not 1 <= workers <= most:
        raise OptionError(f"workers must be an integer from 1 to {most} ({MAX_WORKERS_PER_CORE} "
                          f"per core on this machine's {cores}), got {workers!r}")
    return min(int(workers), max(tasks, 1))


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
        Default: every coder (:func:`~codesim.coders.available_coders`).
    n, seed : int
        Sample size; the sample for q number i is drawn from ``SeedSequence([seed, i])``, and
        its rows record ``seed = [seed, i]``, which :func:`simulate` accepts.
    executor : concurrent.futures.Executor, optional
        Where to run the tasks (e.g. a Dask ``Client.get_executor()``).  Default: a process
        pool of ``workers`` processes, or in-process when only one is needed.
    workers : int, optional
        Processes of the default pool (default: every core; at most one per q, and at most
        4 per core).
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
    p = as_pmf(p, "p")
    items = list(qs.items()) if isinstance(qs, dict) else [(str(i), q) for i, q in enumerate(qs)]
    if not items:
        raise OptionError("sweep needs at least one q")
    checked = []
    for label, q in items:
        q = as_pmf(q, f"q[{label}]")
        check_same_length(p, q, ("p", f"q[{label}]"))
        checked.append((label, q))
    coder_list = _coder_list(available_coders() if coders is None else coders)
    for name, opts in coder_list:           # fail fast on a bad name or option, in this process
        make_coder(name, checked[0][1] if "adaptive" not in opts else uniform(p.size), **opts)
    tasks = [(i, label, p, q, coder_list, n, seed, same_sample) for i, (label, q) in enumerate(checked)]
    count = worker_count(workers, len(tasks)) if executor is None else 1
    require_memory(MESSAGE_BYTES * n * count, f"{count} processes coding {n} symbols each")
    show = sys.stderr.isatty() if progress is None else progress
    start, results, futures = time.perf_counter(), {}, []
    own_pool = None
    if executor is None and count > 1:
        executor = own_pool = ProcessPoolExecutor(max_workers=count, initializer=_ignore_interrupts)
    try:
        if executor is None:
            for task in tasks:
                index, rows = _sweep_task(task)
                results[index] = rows
                if show:
                    _progress(len(results), len(tasks), start, sys.stderr)
        else:
            futures = [executor.submit(_sweep_task, task) for task in tasks]
            for future in as_completed(futures):
                index, rows = future.result()
                results[index] = rows
                if show:
                    _progress(len(results), len(tasks), start, sys.stderr)
    except KeyboardInterrupt:
        if own_pool is not None:
            _end_workers(own_pool)
            own_pool = None
        elif executor is not None:
            for future in futures:
                future.cancel()
        if show:
            sys.stderr.write("\n")
        raise SweepInterrupted(Table(row for i in sorted(results) for row in results[i]),
                               len(results), len(tasks)) from None
    finally:
        if own_pool is not None:
            own_pool.shutdown()
    return Table(row for i in sorted(results) for row in results[i])
